package org.astroport.constellation.backfill;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.vertx.core.Vertx;
import org.astroport.constellation.ingest.ReceivedEvent;
import org.astroport.constellation.negentropy.Negentropy;
import org.astroport.constellation.negentropy.NegentropyBridge;
import org.astroport.constellation.negentropy.NegentropyException;
import org.astroport.constellation.negentropy.NegentropyItems;
import org.astroport.constellation.nostr.Filter;
import org.astroport.constellation.nostr.Hex;
import org.astroport.constellation.nostr.NostrEvent;
import org.astroport.constellation.nostr.RelayMessage;
import org.astroport.constellation.nostr.RelayMessageCodec;
import org.astroport.constellation.nostr.StationKey;
import org.astroport.constellation.relay.EventPeek;
import org.astroport.constellation.relay.PageFloor;
import org.astroport.constellation.relay.RelayConnection;
import org.astroport.constellation.relay.RelayOptions;
import org.astroport.constellation.relay.RelaySession;
import org.astroport.constellation.relay.RelaySessionHandler;
import org.astroport.constellation.untrusted.PeerText;

/**
 * One backfill connection to one relay: for each filter, REQ pages going back with {@code until}
 * until a page comes back short (relays cap results per query: strfry returns at most 500, so a
 * single big {@code limit} silently loses the rest). Answers NIP-42 challenges. Not thread-safe:
 * one caller thread drives it; frames arrive on the Vert.x event loop.
 */
public final class PeerFetch implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PeerFetch.class);

    public static final class FetchFailed extends Exception {
        public FetchFailed(String message) {
            super(message);
        }
    }

    /** The relay will not reconcile this filter with NIP-77 (unsupported, refused, too many events, no answer): page with REQ instead. */
    public static final class NegentropyUnavailable extends Exception {
        public NegentropyUnavailable(String message) {
            super(message);
        }
    }

    /** What a reconciliation found: ids only the relay has (need), ids only we have (have). */
    public record Reconciled(List<String> need, List<String> have, int rounds) {
    }

    private final String url;
    private final String authRelayUrl;
    private final StationKey stationKey;
    private final Clock clock;
    private final long timeoutMillis;
    private final RelayConnection connection;
    private final CompletableFuture<RelaySession> opened = new CompletableFuture<>();
    private volatile RelaySession session;

    // the page in flight
    private volatile String currentSub;
    private volatile String currentReq;
    private volatile CompletableFuture<Page> pageDone;
    private final List<ReceivedEvent> pageEvents = new ArrayList<>();
    private long pageBytes;
    private volatile int pageLimit;
    private volatile String pendingAuthId;
    private volatile boolean resendAfterAuth;
    private volatile boolean closed;
    private boolean dialled;
    private int subCounter;
    // the page being listed (listItems): written by the event loop, read once its EOSE completed the page
    private volatile StoredItems listing;
    private volatile String listingPrefix = "";
    private int listedCount;
    private long listedOldest;
    // the negentropy exchange in flight
    private volatile String currentNeg;
    // the answers awaited, oldest first: a relay answers NEG-MSGs in the order they came
    private final ConcurrentLinkedQueue<CompletableFuture<String>> negReplies = new ConcurrentLinkedQueue<>();
    // the upload in flight
    private final Set<String> awaitingOk = ConcurrentHashMap.newKeySet();
    private final AtomicLong publishAccepted = new AtomicLong();
    private final AtomicLong publishRefused = new AtomicLong();
    private final AtomicLong beyondReach = new AtomicLong();
    private volatile Semaphore publishSlots;
    private volatile String lastRefusal = "";

    /**
     * What one REQ brought before its EOSE; cut: we stopped reading it at {@link #MAX_PAGE_BYTES} (the
     * rest comes with the next, older page).
     */
    record Page(List<ReceivedEvent> events, boolean cut) {
    }

    // what one page may hold on the heap: 500 events of strfry's 64 KB would be 32 MB at -Xmx160m, and each
    // event is held twice (its text, and parsed); a live gap close runs beside the peers' own queues (HeapFloodTest)
    static final long MAX_PAGE_BYTES = 4L << 20;

    public PeerFetch(Vertx vertx, String url, String authRelayUrl, StationKey stationKey, Clock clock, long timeoutMillis) {
        this(vertx, url, authRelayUrl, stationKey, clock, timeoutMillis, null);
    }

    /** @param destinations where a peer's URL may lead, checked at connect (null: the operator's own URLs, unchecked) */
    public PeerFetch(Vertx vertx, String url, String authRelayUrl, StationKey stationKey, Clock clock, long timeoutMillis,
                     org.astroport.constellation.untrusted.Destinations destinations) {
        this.url = url;
        this.authRelayUrl = authRelayUrl == null ? url : authRelayUrl;
        this.stationKey = stationKey;
        this.clock = clock;
        this.timeoutMillis = timeoutMillis;
        // the system's receive buffer: a backfill reads one peer's pages at a time, wanted fast over any distance
        RelayOptions opts = new RelayOptions(Math.min(timeoutMillis, 15_000), 3_600_000, 3_600_000, 30_000, 0, Long.MAX_VALUE, 1 << 20, 0);
        this.connection = new RelayConnection(vertx, url, opts, new Handler(), destinations);
    }

    /** Starts connecting and returns at once; {@link #open} then waits for it. */
    public void dial() {
        if (!dialled) {
            dialled = true;
            connection.start();
        }
    }

    /** Connects; throws FetchFailed when the relay cannot be reached in time. */
    public void open() throws FetchFailed {
        dial();
        try {
            session = opened.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new FetchFailed("no connection to " + url + " within " + timeoutMillis + " ms"
                    + (connection.lastError().isEmpty() ? "" : ": " + connection.lastError()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchFailed("interrupted");
        } catch (ExecutionException e) {
            throw new FetchFailed("cannot connect to " + url + ": " + e.getCause().getMessage());
        }
    }

    /**
     * Fetches everything matching the filter, newest first, page by page.
     *
     * @return number of events handed to the consumer
     */
    public long fetchAll(Filter filter, int pageSize, Consumer<String> events, Runnable progress) throws FetchFailed {
        return fetchAllPages(filter, pageSize, page -> page.forEach(e -> events.accept(e.json())), progress);
    }

    /** {@link #fetchAll}, a page of events at a time, each already parsed with its frame (read once). */
    public long fetchAllPages(Filter filter, int pageSize, Consumer<List<ReceivedEvent>> pages, Runnable progress) throws FetchFailed {
        return allPages(filter, pageSize, f -> {
            Page p = page(f, pageSize);
            pages.accept(p.events());
            return new PageRead(p.events().size(), pageFloor(p.events(), pageSize), p.cut());
        }, progress);
    }

    /**
     * (created_at, id) of every event matching the filter, read off each frame: no event is parsed or
     * kept. For our own relay's side of a reconciliation (a relay-sink station's gap close lists tens of
     * thousands of its events, and parsed each in full).
     */
    NegentropyItems listItems(Filter filter, int pageSize) throws FetchFailed {
        StoredItems items = new StoredItems();
        allPages(filter, pageSize, f -> listPage(f, pageSize, items), null);
        return items.seal();
    }

    /** Where the next page goes on from ({@link PageFloor}: not the oldest event, which may have been published meanwhile). */
    static long pageFloor(List<ReceivedEvent> events, int pageSize) {
        PageFloor floor = new PageFloor(pageSize);
        for (ReceivedEvent e : events) {
            long t = e.parsed() != null ? e.parsed().createdAt() : createdAt(e.json());
            if (t >= 0) {
                floor.seen(t);
            }
        }
        return floor.floor();
    }

    /** What a page brought: how many events, where the next page goes on from (its oldest when listed), whether it was cut for its size. */
    private record PageRead(int count, long oldest, boolean cut) {
    }

    private interface PageReader {
        PageRead read(Filter page) throws FetchFailed;
    }

    /**
     * Page after page, newest first, each REQ until the oldest second of the one before (inclusive); a page
     * that brings nothing older than its until is one second's worth, and that second is asked for in parts.
     */
    private long allPages(Filter filter, int pageSize, PageReader reader, Runnable progress) throws FetchFailed {
        Long until = filter.until();
        long total = 0;
        for (int page = 0; page < 100_000; page++) {
            PageRead p = reader.read(filter.withUntil(until).withLimit(pageSize));
            long oldest = p.oldest();
            total += p.count();
            if (progress != null) {
                progress.run();
            }
            // a full page that reached the window's first second still goes on: that second may hold more
            if ((p.count() < pageSize && !p.cut()) || oldest == Long.MAX_VALUE || (filter.since() != null && oldest < filter.since())) {
                return total;
            }
            if (until != null && oldest >= until) {
                // a full page of one second: no later until reaches the rest of it
                total += oneSecond(filter.withSince(until).withUntil(until), pageSize, reader);
                until = until - 1;
                if (filter.since() != null && until < filter.since()) {
                    return total;
                }
            } else {
                until = oldest; // inclusive: the oldest second is asked again (duplicates are dropped)
            }
            if (until < 0) {
                return total;
            }
        }
        return total;
    }

    /**
     * Everything a filter over one second matches, when that second holds more than a page: asked for in
     * halves of the filter (authors, then kinds...), each halved again while it still comes back full. What
     * a filter that cannot be cut any further leaves is counted and logged: only NIP-77 can reach it.
     */
    private long oneSecond(Filter second, int pageSize, PageReader reader) throws FetchFailed {
        long total = 0;
        ArrayDeque<Filter> todo = new ArrayDeque<>();
        halve(second, pageSize, todo);
        while (!todo.isEmpty()) {
            Filter f = todo.pop();
            PageRead p = reader.read(f.withLimit(pageSize));
            total += p.count();
            if (p.count() >= pageSize || p.cut()) {
                halve(f, pageSize, todo);
            }
        }
        return total;
    }

    private void halve(Filter full, int pageSize, java.util.Deque<Filter> todo) {
        List<Filter> halves = full.halves();
        if (halves.isEmpty()) {
            beyondReach.incrementAndGet();
            LOG.warn("{} holds more events than one page ({}) for {} within one second: the rest cannot be asked for by REQ"
                    + " (NIP-77 reconciliation would reach them)", url, pageSize, full.toJson());
        }
        halves.forEach(todo::push);
    }

    /** Filters over one second that still came back full and could not be cut any further (see {@link #oneSecond}). */
    public long beyondReach() {
        return beyondReach.get();
    }

    /**
     * NIP-77: reconciles the relay's events matching the filter with ours, round after round, each
     * message within the frame limit.
     */
    public Reconciled reconcile(Filter filter, NegentropyItems ours, int frameLimit, long answerTimeoutMillis)
            throws FetchFailed, NegentropyUnavailable {
        if (closed || session == null) {
            throw new FetchFailed(url + " closed the connection");
        }
        Negentropy neg = new Negentropy(ours, frameLimit);
        String sub = "neg-" + (subCounter++);
        currentNeg = sub;
        List<String> need = new ArrayList<>();
        List<String> have = new ArrayList<>();
        byte[] msg = neg.initiate();
        String frame = RelayMessageCodec.encode(new RelayMessage.NegOpen(sub, filter.withLimit(null), Hex.encode(msg)));
        int rounds = 0;
        try {
            while (msg != null) {
                rounds++;
                byte[] in = awaitNeg(sendNeg(frame), answerTimeoutMillis);
                try {
                    msg = neg.reconcile(in, have, need);
                } catch (NegentropyException e) {
                    throw new NegentropyUnavailable(e.getMessage());
                }
                if (msg != null) {
                    frame = RelayMessageCodec.encodeNegMsg(sub, msg);
                }
            }
            return new Reconciled(need, have, rounds);
        } finally {
            closeNeg(sub);
        }
    }

    /** Our own relay could not take its part in a reconciliation through it (down, no NIP-77, refused the filter). */
    public static final class LocalSideUnavailable extends Exception {
        public LocalSideUnavailable(String message) {
            super(message);
        }
    }

    /**
     * NIP-77 between this relay and our own ({@code local}, another connection), neither side listed
     * here: each relay answers for its own events from its own index ({@link NegentropyBridge}). Both
     * are opened at once, so their two queries overlap. Rounds: messages sent to this relay. Have: only
     * when {@code wantHave} (what only we hold is then learned from our relay, a frame at a time).
     */
    public Reconciled reconcileThrough(PeerFetch local, Filter filter, int frameLimit, long answerTimeoutMillis, boolean wantHave)
            throws FetchFailed, NegentropyUnavailable, LocalSideUnavailable {
        if (closed || session == null) {
            throw new FetchFailed(url + " closed the connection");
        }
        if (local.closed || local.session == null) {
            throw new LocalSideUnavailable(local.url + " closed the connection");
        }
        Filter f = filter.withLimit(null);
        String sub = "neg-" + (subCounter++);
        String localSub = "neg-" + (local.subCounter++);
        String opening = Hex.encode(NegentropyBridge.opening());
        currentNeg = sub;
        local.currentNeg = localSub;
        try {
            CompletableFuture<String> remoteFirst = sendNeg(RelayMessageCodec.encode(new RelayMessage.NegOpen(sub, f, opening)));
            CompletableFuture<String> localFirst = local.sendNeg(RelayMessageCodec.encode(new RelayMessage.NegOpen(localSub, f, opening)));
            try {
                local.awaitNeg(localFirst, answerTimeoutMillis); // its own split, superseded by the one of the remote
            } catch (FetchFailed | NegentropyUnavailable e) {
                throw new LocalSideUnavailable(local.url + ": " + e.getMessage());
            }
            byte[] first = awaitNeg(remoteFirst, answerTimeoutMillis);
            NegentropyBridge.Result r = new NegentropyBridge(frameLimit, wantHave).reconcile(first,
                    local.bridgeSide(localSub, answerTimeoutMillis, true), bridgeSide(sub, answerTimeoutMillis, false));
            return new Reconciled(r.need(), r.have(), r.remoteMessages());
        } catch (NegentropyException e) {
            throw new NegentropyUnavailable(e.getMessage());
        } catch (FetchFailed | NegentropyUnavailable | LocalSideUnavailable e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            closeNeg(sub);
            local.closeNeg(localSub);
        }
    }

    /** This relay's part in a {@link NegentropyBridge} over the exchange {@code sub}; ours throws {@link LocalSideUnavailable} for what fails. */
    private NegentropyBridge.Server<Exception> bridgeSide(String sub, long answerTimeoutMillis, boolean ours) {
        ArrayDeque<CompletableFuture<String>> awaited = new ArrayDeque<>();
        return new NegentropyBridge.Server<>() {
            @Override
            public void send(byte[] message) throws Exception {
                try {
                    awaited.add(sendNeg(RelayMessageCodec.encodeNegMsg(sub, message)));
                } catch (FetchFailed e) {
                    throw ours ? new LocalSideUnavailable(url + ": " + e.getMessage()) : e;
                }
            }

            @Override
            public byte[] next() throws Exception {
                try {
                    return awaitNeg(awaited.remove(), answerTimeoutMillis);
                } catch (FetchFailed | NegentropyUnavailable e) {
                    throw ours ? new LocalSideUnavailable(url + ": " + e.getMessage()) : e;
                }
            }
        };
    }

    /** Sends a NEG-OPEN or NEG-MSG frame; its answer completes the future (after those of the frames sent before it). */
    private CompletableFuture<String> sendNeg(String frame) throws FetchFailed {
        if (closed || session == null) {
            throw new FetchFailed(url + " closed the connection");
        }
        CompletableFuture<String> reply = new CompletableFuture<>();
        negReplies.add(reply);
        session.send(frame);
        return reply;
    }

    /** Fails every answer still awaited: the exchange has ended (NEG-ERR, a NOTICE, the connection closed). */
    private void failNegReplies(Exception why) {
        CompletableFuture<String> r;
        while ((r = negReplies.poll()) != null) {
            r.completeExceptionally(why);
        }
    }

    private byte[] awaitNeg(CompletableFuture<String> reply, long answerTimeoutMillis) throws FetchFailed, NegentropyUnavailable {
        String hex;
        try {
            hex = reply.get(answerTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new NegentropyUnavailable("no NIP-77 answer within " + answerTimeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchFailed("interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof NegentropyUnavailable u) {
                throw u;
            }
            throw new FetchFailed(e.getCause().getMessage());
        }
        try {
            return Hex.decode(hex);
        } catch (RuntimeException e) {
            throw new NegentropyUnavailable("NEG-MSG is not hex");
        }
    }

    private void closeNeg(String sub) {
        currentNeg = null;
        negReplies.clear();
        if (session != null && !closed) {
            session.send(RelayMessageCodec.encode(new RelayMessage.NegClose(sub)));
        }
    }

    /** Fetches events by id, in REQs of at most {@code chunk} ids. */
    public long fetchIds(List<String> ids, int chunk, Consumer<String> events) throws FetchFailed {
        return fetchIdPages(ids, chunk, page -> page.forEach(e -> events.accept(e.json())));
    }

    /** {@link #fetchIds}, a page of events at a time, each already parsed with its frame (read once). */
    public long fetchIdPages(List<String> ids, int chunk, Consumer<List<ReceivedEvent>> pages) throws FetchFailed {
        long n = 0;
        for (int i = 0; i < ids.size(); i += chunk) {
            List<String> part = new ArrayList<>(ids.subList(i, Math.min(ids.size(), i + chunk)));
            while (!part.isEmpty()) {
                Page p = page(Filter.builder().ids(part).limit(part.size()).build(), part.size());
                pages.accept(p.events());
                n += p.events().size();
                if (!p.cut()) {
                    break;
                }
                // cut for its size: ask again for the ones that did not come
                Set<String> got = new java.util.HashSet<>();
                p.events().forEach(e -> got.add(e.parsed() != null ? e.parsed().id() : EventPeek.of(e.json()).id()));
                part.removeIf(got::contains);
            }
        }
        return n;
    }

    /** What the relay answered to events we sent it. */
    public record Published(int accepted, int refused, int unanswered, String lastRefusal) {
    }

    /**
     * Sends events the relay lacks (direction both) and waits for each {@code OK}, at most
     * {@code window} unanswered at a time so a slow relay is not flooded. An event whose OK never
     * comes within the timeout counts as unanswered.
     */
    public Published publish(List<String> eventJsons, int window) throws FetchFailed {
        if (closed || session == null) {
            throw new FetchFailed(url + " closed the connection");
        }
        Semaphore slots = new Semaphore(window);
        publishSlots = slots;
        publishAccepted.set(0);
        publishRefused.set(0);
        int sent = 0;
        try {
            for (String e : eventJsons) {
                if (!slots.tryAcquire(timeoutMillis, TimeUnit.MILLISECONDS)) {
                    break;
                }
                if (closed) {
                    throw new FetchFailed(url + " closed the connection while we were sending it events");
                }
                String id = EventPeek.of(e).id();
                if (id == null) {
                    slots.release();
                    continue;
                }
                awaitingOk.add(id);
                if (!session.send("[\"EVENT\"," + e + "]")) {
                    awaitingOk.remove(id);
                    slots.release();
                    continue;
                }
                sent++;
            }
            // all slots back means every OK arrived
            slots.tryAcquire(window, timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchFailed("interrupted");
        } finally {
            publishSlots = null;
            awaitingOk.clear();
        }
        int accepted = (int) publishAccepted.get();
        int refused = (int) publishRefused.get();
        return new Published(accepted, refused, Math.max(0, sent - accepted - refused), lastRefusal);
    }

    /**
     * One REQ until its EOSE; a relay sending more than twice {@code limit} events is refused (it floods: up to
     * {@code limit} more may be events published while it answered).
     */
    private Page page(Filter f, int limit) throws FetchFailed {
        return request(f, limit, null);
    }

    /** {@link #page}, each event's (created_at, id) added to the items instead of the event kept. */
    private PageRead listPage(Filter f, int limit, StoredItems items) throws FetchFailed {
        listedCount = 0;
        listedOldest = Long.MAX_VALUE;
        try {
            request(f, limit, items);
            return new PageRead(listedCount, listedOldest, false);
        } finally {
            listing = null;
        }
    }

    private Page request(Filter f, int limit, StoredItems listInto) throws FetchFailed {
        if (closed || session == null) {
            throw new FetchFailed(url + " closed the connection");
        }
        synchronized (pageEvents) {
            pageEvents.clear();
            pageBytes = 0;
        }
        pageLimit = limit;
        String sub = "bf-" + (subCounter++);
        CompletableFuture<Page> done = new CompletableFuture<>();
        pageDone = done;
        currentSub = sub;
        listingPrefix = "[\"EVENT\",\"" + sub + "\",";
        listing = listInto; // after the prefix: a late frame of the page before is not listed
        currentReq = RelayMessageCodec.encode(new RelayMessage.Req(sub, List.of(f)));
        session.send(currentReq);
        try {
            Page out = done.get(timeoutMillis, TimeUnit.MILLISECONDS);
            session.send(RelayMessageCodec.encode(new RelayMessage.Close(sub)));
            return out;
        } catch (TimeoutException e) {
            throw new FetchFailed(url + ": no EOSE within " + timeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchFailed("interrupted");
        } catch (ExecutionException e) {
            throw new FetchFailed(e.getCause().getMessage());
        }
    }

    private static long createdAt(String eventJson) {
        return EventPeek.of(eventJson).createdAt();
    }

    private final class Handler implements RelaySessionHandler {
        @Override
        public void onOpen(RelaySession s) {
            opened.complete(s);
        }

        @Override
        public void onFrame(RelaySession s, String frame) {
            StoredItems items = listing;
            if (items != null && frame.startsWith(listingPrefix) && pageDone != null) {
                listed(items, frame);
                return;
            }
            long received = System.nanoTime();
            // an event (nearly every frame) is read once: the frame and the strict parse of its event together
            RelayMessageCodec.ParsedEvent parsed = RelayMessageCodec.decodeEventFromRelay(frame);
            RelayMessage m = parsed != null ? new RelayMessage.Event(parsed.subscriptionId(), parsed.eventJson()) : RelayMessageCodec.decodeFromRelay(frame);
            if (m instanceof RelayMessage.Event e) {
                if (e.subscriptionId().equals(currentSub) && pageDone != null) {
                    synchronized (pageEvents) {
                        // beyond what was asked, as many again may be events published meanwhile (sent before the EOSE)
                        if (pageEvents.size() >= 2L * pageLimit) {
                            currentSub = null;
                            pageDone.completeExceptionally(new IllegalStateException(url + " sent more than " + 2L * pageLimit
                                    + " events for the " + pageLimit + " asked for in one request: refusing the rest"));
                            return;
                        }
                        if (!pageEvents.isEmpty() && pageBytes + e.eventJson().length() > MAX_PAGE_BYTES) {
                            currentSub = null; // the rest of this REQ is ignored; the next page asks for it
                            pageDone.complete(new Page(new ArrayList<>(pageEvents), true));
                            return;
                        }
                        pageEvents.add(new ReceivedEvent(e.eventJson(), parsed == null ? null : parsed.event(), received));
                        pageBytes += e.eventJson().length();
                    }
                }
            } else if (m instanceof RelayMessage.Eose eose) {
                if (eose.subscriptionId().equals(currentSub) && pageDone != null) {
                    List<ReceivedEvent> copy;
                    synchronized (pageEvents) {
                        copy = new ArrayList<>(pageEvents);
                    }
                    pageDone.complete(new Page(copy, false));
                }
            } else if (m instanceof RelayMessage.NegMsg nm) {
                if (nm.subscriptionId().equals(currentNeg)) {
                    CompletableFuture<String> r = negReplies.poll();
                    if (r != null) {
                        r.complete(nm.hexMessage());
                    }
                }
            } else if (m instanceof RelayMessage.NegErr ne) {
                if (ne.subscriptionId().equals(currentNeg)) {
                    failNegReplies(new NegentropyUnavailable("NEG-ERR " + PeerText.clip(ne.reason())));
                }
            } else if (m instanceof RelayMessage.Notice notice) {
                // relays without NIP-77 answer NEG-OPEN with a NOTICE
                failNegReplies(new NegentropyUnavailable("NOTICE " + PeerText.clip(notice.message())));
            } else if (m instanceof RelayMessage.Auth auth) {
                if (stationKey != null) {
                    // the relay checks the event's age against its own clock: the wall clock, whatever our reference time
                    NostrEvent ev = stationKey.authEvent(authRelayUrl, auth.challenge(), System.currentTimeMillis() / 1000);
                    pendingAuthId = ev.id();
                    s.send(RelayMessageCodec.encode(RelayMessage.AuthResponse.of(ev)));
                }
            } else if (m instanceof RelayMessage.Ok ok) {
                if (awaitingOk.remove(ok.eventId())) {
                    // "duplicate:" comes with true: the relay has it, which is what we wanted
                    if (ok.accepted()) {
                        publishAccepted.incrementAndGet();
                    } else {
                        publishRefused.incrementAndGet();
                        lastRefusal = PeerText.clip(ok.message());
                    }
                    Semaphore slots = publishSlots;
                    if (slots != null) {
                        slots.release();
                    }
                } else if (ok.eventId().equals(pendingAuthId)) {
                    pendingAuthId = null;
                    if (ok.accepted() && resendAfterAuth && currentReq != null) {
                        resendAfterAuth = false;
                        s.send(currentReq);
                    }
                }
            } else if (m instanceof RelayMessage.Closed c) {
                if (c.subscriptionId().equals(currentSub) && pageDone != null) {
                    if (RelayMessage.hasPrefix(c.message(), "auth-required") && stationKey != null) {
                        resendAfterAuth = true;
                        if (pendingAuthId == null) {
                            // answered already and accepted: the relay wants the REQ again
                            s.send(currentReq);
                        }
                    } else {
                        pageDone.completeExceptionally(new IllegalStateException(url + " closed our request: " + PeerText.clip(c.message())));
                    }
                }
            }
        }

        /** An event of the page being listed: its two fields found in the frame as it came (see {@link StoredItems}). */
        private void listed(StoredItems items, String frame) {
            if (listedCount >= pageLimit) {
                currentSub = null;
                listing = null;
                pageDone.completeExceptionally(new IllegalStateException(url + " sent more than the " + pageLimit
                        + " events asked for in one request: refusing the rest"));
                return;
            }
            long createdAt = items.addWritten(frame);
            if (createdAt < 0 && RelayMessageCodec.decodeFromRelay(frame) instanceof RelayMessage.Event e) {
                createdAt = items.addParsed(e.eventJson()); // the in-place search failed on the frame: it fails on the event
            }
            listedCount++;
            if (createdAt >= 0) {
                listedOldest = Math.min(listedOldest, createdAt);
            }
        }

        @Override
        public void onClose(int code, String reason, boolean willReconnect) {
            closed = true;
            CompletableFuture<Page> p = pageDone;
            if (p != null) {
                p.completeExceptionally(new IllegalStateException(url + " closed the connection (" + code + ")"));
            }
            failNegReplies(new IllegalStateException(url + " closed the connection (" + code + ")"));
            connection.stop();
        }

        @Override
        public void onError(Throwable error) {
            if (!opened.isDone() && connection.connectFailures() > 0) {
                opened.completeExceptionally(error);
                connection.stop();
            }
        }
    }

    public long framesIn() {
        return connection.framesIn();
    }

    public long bytesIn() {
        return connection.bytesIn();
    }

    public long bytesOut() {
        return connection.bytesOut();
    }

    @Override
    public void close() {
        connection.stop();
    }
}
