package org.astroport.constellation.testrelay;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import fr.acinq.secp256k1.Secp256k1;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;

/**
 * A Nostr relay for tests, on a real loopback WebSocket: NIP-01 (REQ with limit capped like strfry's
 * 500, EOSE, live events, CLOSE, EVENT with OK, NOTICE), NIP-09 deletions, NIP-42 AUTH. Written
 * apart from the code under test (its own id check and framing) so that code cannot tell it from a
 * real relay.
 */
public final class TestRelay implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Secp256k1 SECP = Secp256k1.Companion.get();

    private final Vertx vertx;
    private HttpServer server;
    private int port;
    private volatile int maxLimit = 500;
    private volatile boolean requireAuth;
    private volatile boolean verifyEvents = true;
    private volatile long okDelayMillis = 0;
    private volatile boolean applyDeletions = true;
    private final java.util.concurrent.ConcurrentLinkedQueue<Integer> dropAfter = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile int maxPendingOutboundBytes = 0;
    private volatile int floodFrames = 0;
    // events "published while the next REQ is answered": sent amid its stored answer, before the EOSE
    private final java.util.concurrent.atomic.AtomicReference<List<String>> publishedDuringNextAnswer = new java.util.concurrent.atomic.AtomicReference<>();
    private volatile int publishedAfter;
    private final AtomicInteger drops = new AtomicInteger();
    private final AtomicInteger slowClientCuts = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong eventsSent = new java.util.concurrent.atomic.AtomicLong();
    // OK false answers for the next EVENTs clients publish, in order (then OK true)
    private final java.util.concurrent.ConcurrentLinkedQueue<String> refusals = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private final Map<String, JsonNode> store = new LinkedHashMap<>();
    // the store newest first (as a relay answers), rebuilt after a change; guarded by store
    private JsonNode[] sorted;
    private long[] sortedCreatedAt;
    private final Map<ServerWebSocket, Client> clients = new ConcurrentHashMap<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();
    private final List<String> reqs = new CopyOnWriteArrayList<>();
    private final List<String> framesReceived = new CopyOnWriteArrayList<>();
    private final Set<String> authenticated = ConcurrentHashMap.newKeySet();
    private final List<String> published = new CopyOnWriteArrayList<>();
    private volatile boolean recordFrames = true;
    private volatile java.util.function.BiConsumer<String, Long> onClientEvent;
    private final java.util.concurrent.atomic.AtomicLong clientEvents = new java.util.concurrent.atomic.AtomicLong();

    /** How the relay treats NIP-77: speaks it, answers NOTICE (unsupported), or ignores it. */
    public enum Negentropy { ON, NOTICE, SILENT }

    private volatile Negentropy negentropy = Negentropy.ON;
    private volatile int negentropyMaxEvents = Integer.MAX_VALUE;
    private volatile int negentropyFrameLimit = 60_000;
    private final java.util.concurrent.atomic.AtomicLong negOpens = new java.util.concurrent.atomic.AtomicLong();

    private static final class Client {
        final Map<String, org.astroport.constellation.negentropy.Negentropy> negs = new ConcurrentHashMap<>();
        final ServerWebSocket ws;
        // EVENT frames this client may still get before we drop it (-1: no limit)
        int eventBudget = -1;
        boolean dropped;
        final String challenge = "challenge-" + UUID.randomUUID();
        final Map<String, List<JsonNode>> subs = new ConcurrentHashMap<>();
        volatile String authedPubkey;

        Client(ServerWebSocket ws) {
            this.ws = ws;
        }
    }

    public TestRelay() {
        this.vertx = Vertx.vertx();
    }

    private String host = "127.0.0.1";

    /** Another loopback address (127.0.0.2 ...): discovery treats 127.0.0.1 relays as NAT-ed peers. */
    public TestRelay host(String loopbackHost) {
        this.host = loopbackHost;
        return this;
    }

    public TestRelay start() {
        return start(0);
    }

    public synchronized TestRelay start(int wantedPort) {
        // a restart on the same port may find it briefly held (kernel release, or a client that
        // connected to itself on that port until its handshake timer ends it): retry for a while
        long deadline = System.currentTimeMillis() + (wantedPort == 0 ? 0 : 12_000);
        while (true) {
            try {
                return listen(wantedPort);
            } catch (IllegalStateException e) {
                if (System.currentTimeMillis() > deadline || !String.valueOf(e.getMessage()).contains("in use")) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private TestRelay listen(int wantedPort) {
        CountDownLatch ready = new CountDownLatch(1);
        Throwable[] failure = new Throwable[1];
        server = vertx.createHttpServer(new HttpServerOptions().setMaxWebSocketMessageSize(4 << 20).setMaxWebSocketFrameSize(1 << 20));
        server.webSocketHandler(this::onConnect);
        server.listen(wantedPort, host).onComplete(ar -> {
            if (ar.failed()) {
                failure[0] = ar.cause();
            } else {
                port = ar.result().actualPort();
            }
            ready.countDown();
        });
        await(ready);
        if (failure[0] != null) {
            throw new IllegalStateException("test relay cannot listen: " + failure[0]);
        }
        return this;
    }

    public String url() {
        return "ws://" + host + ":" + port;
    }

    public int port() {
        return port;
    }

    /** Stops listening and drops every client (the port can be reused with start(port)). */
    public synchronized void stop() {
        dropAllConnections();
        if (server != null) {
            CountDownLatch done = new CountDownLatch(1);
            server.close().onComplete(ar -> done.countDown());
            await(done);
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
        CountDownLatch done = new CountDownLatch(1);
        vertx.close().onComplete(ar -> done.countDown());
        await(done);
    }

    /**
     * The next connections are dropped (the socket closed, as a crashing or restarting relay does) after
     * they have been sent this many EVENT frames: the first connection after ks[0], the second after ks[1]...
     */
    public TestRelay dropAfter(int... ks) {
        for (int k : ks) {
            dropAfter.add(k);
        }
        return this;
    }

    /** Cuts a client whose unsent frames exceed this many bytes, like strfry's relay.maxPendingOutboundBytes (0: never). */
    public TestRelay cutSlowClientsAt(int bytes) {
        maxPendingOutboundBytes = bytes;
        return this;
    }

    /** Answers the next EVENTs with OK false and these messages, one each, in order (e.g. "rate-limited: slow down"). */
    public TestRelay refuseNext(String... messages) {
        refusals.addAll(List.of(messages));
        return this;
    }

    /** Hostile: answers every REQ with this many EVENT frames (one stored event, again and again) and never an EOSE. */
    public TestRelay floodReqs(int frames) {
        floodFrames = frames;
        return this;
    }

    /**
     * As if these events were published while the next REQ is answered: they are stored, and sent to that
     * subscription (they match it) after {@code after} of its stored events and before its EOSE, with
     * whatever created_at they carry. strfry sends live events only after the EOSE; other relays need not.
     */
    public TestRelay publishDuringNextAnswer(int after, List<String> eventJsons) {
        publishedAfter = after;
        publishedDuringNextAnswer.set(List.copyOf(eventJsons));
        return this;
    }

    public int drops() {
        return drops.get();
    }

    /** EVENT frames sent to clients, live or in answer to a REQ. */
    public long eventsSent() {
        return eventsSent.get();
    }

    public int slowClientCuts() {
        return slowClientCuts.get();
    }

    public TestRelay maxLimit(int n) {
        maxLimit = n;
        return this;
    }

    public TestRelay requireAuth(boolean b) {
        requireAuth = b;
        return this;
    }

    /** false: keep events their author deleted (a relay without NIP-09), so the client's own deletion handling shows. */
    public TestRelay applyDeletions(boolean b) {
        applyDeletions = b;
        return this;
    }

    /** false: keep no copy of frames (benchmarks with hundreds of thousands of them). */
    public TestRelay recordFrames(boolean b) {
        recordFrames = b;
        return this;
    }

    /** Called with (event id, System.nanoTime()) for every EVENT a client publishes. */
    public TestRelay onClientEvent(java.util.function.BiConsumer<String, Long> hook) {
        onClientEvent = hook;
        return this;
    }

    public long clientEventCount() {
        return clientEvents.get();
    }

    /** Stores many parsed events at once (benchmarks: relays can share the same nodes). */
    public void storeAll(List<JsonNode> events) {
        synchronized (store) {
            for (JsonNode e : events) {
                storeEvent(e);
            }
        }
    }

    public static JsonNode parseEvent(String json) {
        return parse(json);
    }

    /** Answers every OK this late (a relay on a slow disk). */
    public TestRelay okDelayMillis(long millis) {
        okDelayMillis = millis;
        return this;
    }

    public TestRelay verifyEvents(boolean b) {
        verifyEvents = b;
        return this;
    }

    // ------------------------------------------------------------------ controls

    /** Stores an event (as if an author published it) and sends it to matching live subscriptions. */
    public void publish(String eventJson) {
        JsonNode e = parse(eventJson);
        synchronized (store) {
            if (store.containsKey(e.get("id").asText())) {
                return;
            }
            storeEvent(e);
        }
        broadcast(e, eventJson);
    }

    /** Stores without telling anyone. */
    public void storeOnly(String eventJson) {
        JsonNode e = parse(eventJson);
        synchronized (store) {
            storeEvent(e);
        }
    }

    /** Sends a raw frame to every connected client (for malformed and hostile input). */
    public void sendRaw(String frame) {
        clients.keySet().forEach(ws -> vertx.runOnContext(v -> ws.writeTextMessage(frame)));
    }

    /** Sends an EVENT frame for the client's first subscription, whatever the event is. */
    public void sendToSubscribers(String eventJsonText) {
        for (Client c : clients.values()) {
            for (String sub : c.subs.keySet()) {
                c.ws.writeTextMessage("[\"EVENT\"," + JSON.valueToTree(sub) + "," + eventJsonText + "]");
            }
        }
    }

    /** Forgets every client's subscriptions (after a CLOSED it sent them). */
    public void closeSubscriptions() {
        clients.values().forEach(c -> c.subs.clear());
    }

    /** Stops reading from every current client: a peer that hangs without closing. */
    public void freezeAll() {
        clients.keySet().forEach(ws -> vertx.runOnContext(v -> ws.pause()));
    }

    public void dropAllConnections() {
        for (ServerWebSocket ws : List.copyOf(clients.keySet())) {
            CountDownLatch d = new CountDownLatch(1);
            vertx.runOnContext(v -> {
                ws.close((short) 1001, "dropped by test").onComplete(ar -> d.countDown());
            });
            try {
                d.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            clients.remove(ws);
        }
    }

    public int connectionsAccepted() {
        return accepted.get();
    }

    public int liveConnections() {
        return clients.size();
    }

    public int maxConcurrentConnections() {
        return maxConcurrent.get();
    }

    public List<String> reqs() {
        return List.copyOf(reqs);
    }

    public List<String> framesReceived() {
        return List.copyOf(framesReceived);
    }

    public Set<String> authenticatedPubkeys() {
        return Set.copyOf(authenticated);
    }

    /** Events received through EVENT and accepted, in order. */
    public List<String> publishedByClients() {
        return List.copyOf(published);
    }

    public List<String> storedIds() {
        synchronized (store) {
            return new ArrayList<>(store.keySet());
        }
    }

    public int storedCount() {
        synchronized (store) {
            return store.size();
        }
    }

    public boolean awaitConnections(int n, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            if (accepted.get() >= n) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    // ------------------------------------------------------------------ protocol

    private void onConnect(ServerWebSocket ws) {
        Client c = new Client(ws);
        Integer budget = dropAfter.poll();
        if (budget != null) {
            c.eventBudget = budget;
        }
        if (maxPendingOutboundBytes > 0) {
            ws.setWriteQueueMaxSize(maxPendingOutboundBytes);
        }
        clients.put(ws, c);
        accepted.incrementAndGet();
        maxConcurrent.accumulateAndGet(clients.size(), Math::max);
        ws.closeHandler(v -> clients.remove(ws));
        ws.exceptionHandler(err -> { });
        ws.textMessageHandler(text -> onFrame(c, text));
        if (requireAuth) {
            ws.writeTextMessage("[\"AUTH\"," + JSON.valueToTree(c.challenge) + "]");
        }
    }

    private void onFrame(Client c, String text) {
        if (recordFrames) {
            framesReceived.add(text);
        }
        JsonNode a;
        try {
            a = JSON.readTree(text);
        } catch (Exception e) {
            notice(c, "error: could not parse frame");
            return;
        }
        if (a == null || !a.isArray() || a.size() < 2 || !a.get(0).isTextual()) {
            notice(c, "error: frame is not a message");
            return;
        }
        switch (a.get(0).asText()) {
            case "REQ" -> onReq(c, a, text);
            case "CLOSE" -> c.subs.remove(a.get(1).asText());
            case "EVENT" -> onEvent(c, a.get(1));
            case "AUTH" -> onAuth(c, a.get(1));
            case "NEG-OPEN", "NEG-MSG", "NEG-CLOSE" -> onNegentropy(c, a);
            default -> notice(c, "error: unknown message type " + a.get(0).asText());
        }
    }

    public TestRelay negentropy(Negentropy mode) {
        this.negentropy = mode;
        return this;
    }

    /** NEG-OPEN over a filter matching more than this many events gets NEG-ERR "blocked: ...", as strfry's maxSyncEvents. */
    public TestRelay negentropyMaxEvents(int n) {
        this.negentropyMaxEvents = n;
        return this;
    }

    public TestRelay negentropyFrameLimit(int bytes) {
        this.negentropyFrameLimit = bytes;
        return this;
    }

    public long negentropyOpens() {
        return negOpens.get();
    }

    // NIP-77, the relay (server) side, with our own negentropy implementation
    private void onNegentropy(Client c, JsonNode a) {
        String verb = a.get(0).asText();
        if (negentropy == Negentropy.SILENT) {
            return;
        }
        if (negentropy == Negentropy.NOTICE) {
            notice(c, "ERROR: bad msg: unknown cmd " + verb);
            return;
        }
        String sub = a.get(1).asText();
        String subJson = JSON.valueToTree(sub).toString();
        try {
            org.astroport.constellation.negentropy.Negentropy neg;
            String hex;
            if (verb.equals("NEG-CLOSE")) {
                c.negs.remove(sub);
                return;
            } else if (verb.equals("NEG-OPEN")) {
                negOpens.incrementAndGet();
                if (requireAuth && c.authedPubkey == null) {
                    c.ws.writeTextMessage("[\"NEG-ERR\"," + subJson + ",\"auth-required: members only\"]");
                    return;
                }
                org.astroport.constellation.negentropy.NegentropyItems.Builder items = org.astroport.constellation.negentropy.NegentropyItems.builder();
                int n = 0;
                synchronized (store) {
                    for (JsonNode e : store.values()) {
                        if (matches(a.get(2), e)) {
                            items.add(e.get("created_at").asLong(), e.get("id").asText());
                            n++;
                        }
                    }
                }
                if (n > negentropyMaxEvents) {
                    c.ws.writeTextMessage("[\"NEG-ERR\"," + subJson + ",\"blocked: too many query results\"]");
                    return;
                }
                neg = new org.astroport.constellation.negentropy.Negentropy(items.seal(), negentropyFrameLimit);
                c.negs.put(sub, neg);
                hex = a.get(3).asText();
            } else {
                neg = c.negs.get(sub);
                if (neg == null) {
                    c.ws.writeTextMessage("[\"NEG-ERR\"," + subJson + ",\"closed: unknown subscription\"]");
                    return;
                }
                hex = a.get(2).asText();
            }
            byte[] reply = neg.respond(org.astroport.constellation.nostr.Hex.decode(hex));
            c.ws.writeTextMessage("[\"NEG-MSG\"," + subJson + ",\"" + org.astroport.constellation.nostr.Hex.encode(reply) + "\"]");
        } catch (Exception e) {
            c.negs.remove(sub);
            c.ws.writeTextMessage("[\"NEG-ERR\"," + subJson + "," + JSON.valueToTree("error: " + e.getMessage()) + "]");
        }
    }

    /** Stored events newest first, from the first one at or before `until`, stopping once `limit` match the filter. */
    private List<JsonNode> newestFirst(long until, JsonNode filter, int limit) {
        if (sorted == null) {
            sorted = store.values().toArray(JsonNode[]::new);
            Arrays.sort(sorted, Comparator.<JsonNode>comparingLong(e -> -e.get("created_at").asLong()).thenComparing(e -> e.get("id").asText()));
            sortedCreatedAt = new long[sorted.length];
            for (int i = 0; i < sorted.length; i++) {
                sortedCreatedAt[i] = sorted[i].get("created_at").asLong();
            }
        }
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sortedCreatedAt[mid] > until) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        List<JsonNode> out = new ArrayList<>();
        for (int i = lo; i < sorted.length && out.size() < limit; i++) {
            if (matches(filter, sorted[i])) {
                out.add(sorted[i]);
            }
        }
        return out;
    }

    private void onReq(Client c, JsonNode a, String text) {
        reqs.add(text);
        String sub = a.get(1).asText();
        if (requireAuth && c.authedPubkey == null) {
            c.ws.writeTextMessage("[\"CLOSED\"," + JSON.valueToTree(sub) + ",\"auth-required: members only\"]");
            return;
        }
        List<JsonNode> filters = new ArrayList<>();
        for (int i = 2; i < a.size(); i++) {
            filters.add(a.get(i));
        }
        c.subs.put(sub, filters);
        if (floodFrames > 0) {
            JsonNode any;
            synchronized (store) {
                any = store.values().iterator().next();
            }
            String frame = "[\"EVENT\"," + JSON.valueToTree(sub) + "," + any + "]";
            for (int i = 0; i < floodFrames; i++) {
                c.ws.writeTextMessage(frame);
            }
            return;
        }
        List<JsonNode> out = new ArrayList<>();
        synchronized (store) {
            for (JsonNode f : filters) {
                List<JsonNode> matches = new ArrayList<>();
                // by id: look them up rather than scan the store; else newest first from `until` on
                int limit = f.has("limit") ? Math.min(f.get("limit").asInt(), maxLimit) : maxLimit;
                Iterable<JsonNode> candidates = newestFirst(f.has("until") ? f.get("until").asLong() : Long.MAX_VALUE, f, limit);
                if (f.has("ids")) {
                    List<JsonNode> byId = new ArrayList<>();
                    f.get("ids").forEach(id -> {
                        JsonNode e = store.get(id.asText());
                        if (e != null) {
                            byId.add(e);
                        }
                    });
                    candidates = byId;
                }
                for (JsonNode e : candidates) {
                    if (matches(f, e)) {
                        matches.add(e);
                    }
                }
                matches.sort(Comparator.<JsonNode>comparingLong(e -> -e.get("created_at").asLong()).thenComparing(e -> e.get("id").asText()));
                java.util.Set<String> already = new java.util.HashSet<>();
                out.forEach(e -> already.add(e.get("id").asText()));
                for (int i = 0; i < matches.size() && i < limit; i++) {
                    if (already.add(matches.get(i).get("id").asText())) {
                        out.add(matches.get(i));
                    }
                }
            }
        }
        List<String> meanwhile = publishedDuringNextAnswer.getAndSet(null);
        int sent = 0;
        for (JsonNode e : out) {
            if (meanwhile != null && sent++ == publishedAfter) {
                if (!sendPublishedMeanwhile(c, sub, meanwhile)) {
                    return;
                }
                meanwhile = null;
            }
            if (!sendEvent(c, "[\"EVENT\"," + JSON.valueToTree(sub) + "," + e + "]")) {
                return;
            }
        }
        if (meanwhile != null && !sendPublishedMeanwhile(c, sub, meanwhile)) {
            return;
        }
        c.ws.writeTextMessage("[\"EOSE\"," + JSON.valueToTree(sub) + "]");
    }

    private boolean sendPublishedMeanwhile(Client c, String sub, List<String> eventJsons) {
        for (String json : eventJsons) {
            JsonNode e = parseEvent(json);
            synchronized (store) {
                storeEvent(e);
            }
            if (!sendEvent(c, "[\"EVENT\"," + JSON.valueToTree(sub) + "," + e + "]")) {
                return false;
            }
        }
        return true;
    }

    private void onEvent(Client c, JsonNode e) {
        String id = e.path("id").asText("");
        clientEvents.incrementAndGet();
        java.util.function.BiConsumer<String, Long> hook = onClientEvent;
        if (hook != null) {
            hook.accept(id, System.nanoTime());
        }
        if (requireAuth && c.authedPubkey == null) {
            ok(c, id, false, "auth-required: members only");
            return;
        }
        String problem = verifyEvents ? check(e) : null;
        if (problem != null) {
            ok(c, id, false, "invalid: " + problem);
            return;
        }
        String refusal = refusals.poll();
        if (refusal != null) {
            ok(c, id, false, refusal);
            return;
        }
        boolean dup;
        synchronized (store) {
            dup = store.containsKey(id);
            if (!dup) {
                storeEvent(e);
            }
        }
        if (dup) {
            ok(c, id, true, "duplicate: have this event");
            return;
        }
        if (recordFrames) {
            published.add(e.toString());
        }
        ok(c, id, true, "");
        broadcast(e, e.toString());
    }

    private void onAuth(Client c, JsonNode e) {
        String id = e.path("id").asText("");
        String problem = check(e);
        if (problem == null && e.path("kind").asInt() != 22242) {
            problem = "kind is not 22242";
        }
        if (problem == null && !c.challenge.equals(tag(e, "challenge"))) {
            problem = "wrong challenge";
        }
        if (problem == null && tag(e, "relay") == null) {
            problem = "no relay tag";
        }
        if (problem != null) {
            ok(c, id, false, "auth-required: " + problem);
            return;
        }
        c.authedPubkey = e.get("pubkey").asText();
        authenticated.add(c.authedPubkey);
        ok(c, id, true, "");
    }

    private void storeEvent(JsonNode e) {
        int kind = e.path("kind").asInt();
        if (kind >= 20000 && kind < 30000) {
            return; // ephemeral: relayed, never stored
        }
        store.put(e.get("id").asText(), e);
        sorted = null;
        if (kind == 5 && applyDeletions) {
            String author = e.get("pubkey").asText();
            for (JsonNode t : e.get("tags")) {
                if (t.size() > 1 && t.get(0).asText().equals("e")) {
                    JsonNode target = store.get(t.get(1).asText());
                    if (target != null && target.get("pubkey").asText().equals(author) && target.path("kind").asInt() != 5) {
                        store.remove(t.get(1).asText());
                        sorted = null;
                    }
                }
            }
        }
    }

    private void broadcast(JsonNode e, String text) {
        for (Client c : clients.values()) {
            for (Map.Entry<String, List<JsonNode>> s : c.subs.entrySet()) {
                for (JsonNode f : s.getValue()) {
                    if (matches(f, e)) {
                        sendEvent(c, "[\"EVENT\"," + JSON.valueToTree(s.getKey()) + "," + text + "]");
                        break;
                    }
                }
            }
        }
    }

    /** Sends an EVENT frame unless the client is to be dropped or cut; false once it is gone. */
    private boolean sendEvent(Client c, String frame) {
        synchronized (c) {
            if (c.dropped) {
                return false;
            }
            if (c.eventBudget == 0) {
                c.dropped = true;
                drops.incrementAndGet();
                clients.remove(c.ws);
                c.ws.close((short) 1001, "going away");
                return false;
            }
            if (maxPendingOutboundBytes > 0 && c.ws.writeQueueFull()) {
                c.dropped = true;
                slowClientCuts.incrementAndGet();
                clients.remove(c.ws);
                c.ws.close((short) 1008, "pending outbound bytes exceed the limit");
                return false;
            }
            if (c.eventBudget > 0) {
                c.eventBudget--;
            }
            eventsSent.incrementAndGet();
            c.ws.writeTextMessage(frame);
            return true;
        }
    }

    private static boolean matches(JsonNode f, JsonNode e) {
        if (f.has("ids") && !contains(f.get("ids"), e.get("id").asText())) {
            return false;
        }
        if (f.has("authors") && !contains(f.get("authors"), e.get("pubkey").asText())) {
            return false;
        }
        if (f.has("kinds")) {
            boolean any = false;
            for (JsonNode k : f.get("kinds")) {
                any |= k.asInt() == e.get("kind").asInt();
            }
            if (!any) {
                return false;
            }
        }
        long t = e.get("created_at").asLong();
        if (f.has("since") && t < f.get("since").asLong()) {
            return false;
        }
        if (f.has("until") && t > f.get("until").asLong()) {
            return false;
        }
        for (Iterator<String> it = f.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (name.startsWith("#") && name.length() == 2) {
                boolean any = false;
                for (JsonNode tag : e.get("tags")) {
                    if (tag.size() > 1 && tag.get(0).asText().equals(name.substring(1)) && contains(f.get(name), tag.get(1).asText())) {
                        any = true;
                    }
                }
                if (!any) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean contains(JsonNode array, String v) {
        for (JsonNode x : array) {
            if (x.asText().equals(v)) {
                return true;
            }
        }
        return false;
    }

    private static String tag(JsonNode e, String name) {
        for (JsonNode t : e.path("tags")) {
            if (t.size() > 1 && t.get(0).asText().equals(name)) {
                return t.get(1).asText();
            }
        }
        return null;
    }

    /** NIP-01 check written for the test double: JSON.stringify of [0,pubkey,created_at,kind,tags,content]. */
    static String check(JsonNode e) {
        try {
            ArrayNode arr = JSON.createArrayNode();
            arr.add(0).add(e.get("pubkey").asText()).add(e.get("created_at").asLong()).add(e.get("kind").asInt());
            arr.add(e.get("tags"));
            arr.add(e.get("content").asText());
            String canonical = stringify(arr);
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            if (!HexFormat.of().formatHex(hash).equals(e.get("id").asText())) {
                return "id is not the hash of the event";
            }
            boolean ok = SECP.verifySchnorr(HexFormat.of().parseHex(e.get("sig").asText()), hash, HexFormat.of().parseHex(e.get("pubkey").asText()));
            return ok ? null : "bad signature";
        } catch (Exception ex) {
            return "malformed event: " + ex.getMessage();
        }
    }

    private static String stringify(JsonNode n) {
        StringBuilder sb = new StringBuilder();
        write(sb, n);
        return sb.toString();
    }

    private static void write(StringBuilder sb, JsonNode n) {
        if (n.isArray()) {
            sb.append('[');
            for (int i = 0; i < n.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                write(sb, n.get(i));
            }
            sb.append(']');
        } else if (n.isTextual()) {
            String s = n.asText();
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                switch (ch) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    case '\b' -> sb.append("\\b");
                    case '\f' -> sb.append("\\f");
                    default -> {
                        if (ch < 0x20) {
                            sb.append(String.format("\\u%04x", (int) ch));
                        } else {
                            sb.append(ch);
                        }
                    }
                }
            }
            sb.append('"');
        } else {
            sb.append(n.toString());
        }
    }

    private void ok(Client c, String id, boolean accepted, String message) {
        if (okDelayMillis > 0) {
            vertx.setTimer(okDelayMillis, t -> c.ws.writeTextMessage("[\"OK\"," + JSON.valueToTree(id) + "," + accepted + "," + JSON.valueToTree(message) + "]"));
            return;
        }
        c.ws.writeTextMessage("[\"OK\"," + JSON.valueToTree(id) + "," + accepted + "," + JSON.valueToTree(message) + "]");
    }

    private void notice(Client c, String message) {
        c.ws.writeTextMessage("[\"NOTICE\"," + JSON.valueToTree(message) + "]");
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static void await(CountDownLatch l) {
        try {
            if (!l.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test relay: timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
