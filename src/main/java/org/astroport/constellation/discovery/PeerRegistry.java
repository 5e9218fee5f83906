package org.astroport.constellation.discovery;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.astroport.constellation.nostr.Hex;
import org.astroport.constellation.untrusted.Destinations;
import org.astroport.constellation.untrusted.PeerLogLimiter;
import org.astroport.constellation.untrusted.PeerText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer stations found under {@code <home>/tmp/swarm}, one entry per directory, each classified
 * ROUTABLE, TUNNEL or SKIPPED (with the reason). Descriptor changes come from the file route; the
 * periodic {@link #reconcile()} notices what camel-file cannot: deleted files, directories without
 * a descriptor, peers going stale, tunnel offers appearing.
 * <p>
 * Descriptors are written by other stations: a relay URL must be a plain ws/wss URL whose host is
 * public (see {@link PeerPolicy}), names are resolved and at most {@code maxPeers} peers are synced;
 * what they say reaches the log clipped and rate-limited.
 */
public class PeerRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(PeerRegistry.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String DESCRIPTOR = "12345.json";
    static final String TUNNEL_OFFER = "x_strfry.sh";

    private final Path home;
    private final Path swarm;
    private final String localNodeId;
    private final long staleAfterSeconds;
    private final Clock clock;
    private final AuthorRegistry authors;
    private final IpfsTunnels tunnels;
    private final PeerPolicy policy;
    private final PeerLogLimiter logLimiter = PeerLogLimiter.shared();
    private final Map<String, Peer> peers = new ConcurrentHashMap<>();
    // routable and tunnel peers, against policy.maxPeers()
    private final AtomicInteger syncable = new AtomicInteger();
    private volatile boolean capWarned;
    // peers whose relay name did not resolve: when to look it up again (System.nanoTime), and the next delay
    private final Map<String, long[]> unresolvedRetry = new ConcurrentHashMap<>();
    private final Map<String, Long> skipCounts = new ConcurrentHashMap<>();
    private final List<PeerRegistryListener> listeners = new CopyOnWriteArrayList<>();

    public PeerRegistry(Path home, String localNodeId, int staleDays, Clock clock, AuthorRegistry authors, IpfsTunnels tunnels, PeerPolicy policy) {
        this.home = home;
        this.swarm = home.resolve("tmp").resolve("swarm");
        this.localNodeId = localNodeId == null ? "" : localNodeId.trim();
        this.staleAfterSeconds = staleDays * 86_400L;
        this.clock = clock;
        this.authors = authors;
        this.tunnels = tunnels;
        this.policy = policy;
    }

    public void addListener(PeerRegistryListener l) {
        listeners.add(l);
    }

    // ------------------------------------------------------------------ queries

    public List<Peer> allPeers() {
        return new ArrayList<>(new TreeMap<>(peers).values());
    }

    /** Peers we can dial now (routable, or tunnel open). */
    public List<Peer> reachablePeers() {
        return allPeers().stream().filter(Peer::isReachable).toList();
    }

    /** Routable and tunnel peers, whether or not the tunnel is open. */
    public List<Peer> syncablePeers() {
        return allPeers().stream().filter(p -> p.state() != PeerState.SKIPPED).toList();
    }

    public Peer peer(String id) {
        return peers.get(id);
    }

    /**
     * Where a connection to this peer may go, checked again at every connect (a name can resolve
     * elsewhere later): anywhere for our own tunnels, which are on 127.0.0.1 by design; the policy's
     * destinations for the others.
     */
    public Destinations destinationsFor(Peer p) {
        return p.state() == PeerState.TUNNEL ? Destinations.anyAddress() : policy.destinations();
    }

    /** The same, for a URL we dial (the backfill knows peers by their URLs). */
    public Destinations destinationsFor(String dialUrl) {
        for (Peer p : peers.values()) {
            if (p.state() == PeerState.TUNNEL && dialUrl.equals(p.dialUrl())) {
                return Destinations.anyAddress();
            }
        }
        return policy.destinations();
    }

    public Map<String, Long> skipCounts() {
        return new TreeMap<>(skipCounts);
    }

    public Path swarmDirectory() {
        return swarm;
    }

    // ------------------------------------------------------------------ updates

    /** A 12345.json was created or changed (file route); returns what changed. */
    public List<PeerChange> descriptorChanged(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        String id = dir.getFileName().toString();
        long modified = lastModified(file);
        Peer next;
        JsonNode json;
        try {
            json = JSON.readTree(file.toFile());
        } catch (IOException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            authors.setSource(keySource(id, "captainHEX", ""), AuthorSource.DESCRIPTOR, Set.of());
            authors.setSource(keySource(id, "NODEHEX", ""), AuthorSource.DESCRIPTOR, Set.of());
            next = Peer.skipped(id, "malformed", DESCRIPTOR + " is not valid JSON");
        } else {
            next = classify(id, json, modified, dir);
            registerKeys(id, json, next);
        }
        return apply(id, next);
    }

    /** Lists the swarm directory: deletions, directories without a descriptor, staleness, tunnel offers. */
    public List<PeerChange> reconcile() {
        List<PeerChange> changes = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        if (Files.isDirectory(swarm)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(swarm)) {
                for (Path dir : ds) {
                    if (!Files.isDirectory(dir)) {
                        continue;
                    }
                    String id = dir.getFileName().toString();
                    seen.add(id);
                    Peer known = peers.get(id);
                    Path descriptor = dir.resolve(DESCRIPTOR);
                    boolean hasDescriptor = Files.isRegularFile(descriptor);
                    if (!hasDescriptor) {
                        if (known == null || !"no-descriptor".equals(known.reason())) {
                            dropDescriptorKeys(id);
                            changes.addAll(apply(id, Peer.skipped(id, "no-descriptor", "directory has no " + DESCRIPTOR)));
                        }
                        continue;
                    }
                    if (known == null || "no-descriptor".equals(known.reason())) {
                        continue; // the file route reads new descriptors
                    }
                    if (needsReclassify(known, dir)) {
                        changes.addAll(descriptorChanged(descriptor));
                    }
                }
            } catch (IOException e) {
                LOG.warn("cannot list {}: {}", swarm, e.toString());
                return changes;
            }
        }
        for (String id : Set.copyOf(peers.keySet())) {
            if (!seen.contains(id)) {
                Peer gone = peers.remove(id);
                dropDescriptorKeys(id);
                unresolvedRetry.remove(id);
                if (gone != null) {
                    if (gone.state() != PeerState.SKIPPED) {
                        syncable.decrementAndGet();
                    }
                    if (gone.state() == PeerState.TUNNEL) {
                        tunnels.close(id);
                    }
                    logPeer(id, "peer removed: {}", gone.describe());
                    PeerChange c = new PeerChange(PeerChange.Type.REMOVED, gone, gone);
                    changes.add(c);
                    listeners.forEach(l -> l.peerRemoved(gone));
                }
            }
        }
        return changes;
    }

    private long nextTunnelRetryMillis = 0;
    private long tunnelRetryDelayMillis = 5_000;

    /** Re-tries tunnels that failed to open (ipfs not up yet), backing off to once every 5 minutes. */
    public synchronized List<PeerChange> retryTunnels() {
        List<PeerChange> changes = new ArrayList<>();
        long now = System.currentTimeMillis();
        if (now < nextTunnelRetryMillis) {
            return changes;
        }
        boolean anyClosed = false;
        for (Peer p : allPeers()) {
            if (p.state() == PeerState.TUNNEL && p.tunnelPort() == 0) {
                IpfsTunnels.Result r = tunnels.open(p.id());
                if (r.open()) {
                    changes.addAll(apply(p.id(), p.withTunnel(r.port(), r.status())));
                } else {
                    anyClosed = true;
                }
            }
        }
        tunnelRetryDelayMillis = anyClosed ? Math.min(300_000, tunnelRetryDelayMillis * 2) : 5_000;
        nextTunnelRetryMillis = now + tunnelRetryDelayMillis;
        return changes;
    }

    public void close() {
        tunnels.closeAll();
    }

    private boolean needsReclassify(Peer known, Path dir) {
        if (known.state() == PeerState.SKIPPED && "localhost-without-tunnel".equals(known.reason())) {
            return Files.exists(dir.resolve(TUNNEL_OFFER));
        }
        if (known.state() == PeerState.TUNNEL && !Files.exists(dir.resolve(TUNNEL_OFFER))) {
            return true;
        }
        if (known.state() != PeerState.SKIPPED && known.createdEpoch() >= 0) {
            return now() - known.createdEpoch() > staleAfterSeconds;
        }
        if ("stale".equals(known.reason()) && known.createdEpoch() >= 0) {
            return now() - known.createdEpoch() <= staleAfterSeconds; // clock moved back / file fixed
        }
        if ("peer-cap".equals(known.reason())) {
            return syncable.get() < policy.maxPeers();
        }
        if ("unreachable".equals(known.reason())) {
            long[] retry = unresolvedRetry.get(known.id());
            return retry == null || System.nanoTime() - retry[0] >= 0;
        }
        return false;
    }

    private Peer classify(String id, JsonNode json, long modified, Path dir) {
        String nodeId = text(json, "ipfsnodeid");
        if (nodeId == null || nodeId.isBlank()) {
            nodeId = id;
        }
        String relay = text(json, "myRELAY");
        // names our route ids, metrics labels and log lines: a safe subset of what the peer wrote
        String hostname = PeerText.name(text(json, "hostname"));
        // only kept in the record (keys are read from the JSON itself): clipped, so no huge value is retained
        String captain = PeerText.clip(text(json, "captainHEX"));
        String node = PeerText.clip(text(json, "NODEHEX"));
        String moats = text(json, "created");
        OptionalLong created = Moats.toEpochSeconds(moats);
        long createdEpoch = created.orElse(-1);
        String shownRelay = PeerText.clip(relay);
        String shownMoats = PeerText.clip(moats);
        boolean self = !localNodeId.isEmpty() && (localNodeId.equals(nodeId) || localNodeId.equals(id));
        nodeId = PeerText.clip(nodeId);
        if (self) {
            return skippedWith(id, nodeId, shownRelay, hostname, captain, node, shownMoats, createdEpoch, modified, "self", "ipfsnodeid is the local node");
        }
        if (relay == null) {
            return skippedWith(id, nodeId, null, hostname, captain, node, shownMoats, createdEpoch, modified, "no-relay", "myRELAY missing");
        }
        if (relay.isBlank()) {
            return skippedWith(id, nodeId, shownRelay, hostname, captain, node, shownMoats, createdEpoch, modified, "no-relay", "myRELAY empty");
        }
        String relayUrl = relay.trim();
        RelayUrl url;
        try {
            url = RelayUrl.parse(relayUrl);
        } catch (RelayUrl.Invalid e) {
            return skippedWith(id, nodeId, PeerText.clip(relayUrl), hostname, captain, node, shownMoats, createdEpoch, modified, "invalid-url", e.getMessage());
        }
        if (!created.isPresent()) {
            return skippedWith(id, nodeId, relayUrl, hostname, captain, node, shownMoats, createdEpoch, modified, "stale",
                    "created '" + shownMoats + "' is not a MOATS timestamp, so the descriptor's age is unknown");
        }
        long age = now() - createdEpoch;
        if (age > staleAfterSeconds) {
            return skippedWith(id, nodeId, relayUrl, hostname, captain, node, moats, createdEpoch, modified, "stale",
                    "created " + moats + " is " + (age / 3600) + " h before the reference time (limit " + (staleAfterSeconds / 3600) + " h)");
        }
        String host = url.host();
        // the station script's way of saying "behind NAT": we dial our own tunnel, never this address
        if (host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]")) {
            if (!Files.exists(dir.resolve(TUNNEL_OFFER))) {
                return skippedWith(id, nodeId, relayUrl, hostname, captain, node, moats, createdEpoch, modified, "localhost-without-tunnel",
                        "myRELAY is " + relayUrl + " and there is no " + TUNNEL_OFFER);
            }
            if (capReached(id)) {
                return skippedWith(id, nodeId, relayUrl, hostname, captain, node, moats, createdEpoch, modified, "peer-cap", capDetail());
            }
            Peer p = new Peer(id, nodeId, relayUrl, hostname, captain, node, moats, createdEpoch, modified, PeerState.TUNNEL, "tunnel",
                    "relay behind NAT, reached through an IPFS p2p tunnel", 0, "not opened yet");
            IpfsTunnels.Result r = tunnels.open(id);
            return p.withTunnel(r.port(), r.status());
        }
        if (capReached(id)) {
            return skippedWith(id, nodeId, relayUrl, hostname, captain, node, moats, createdEpoch, modified, "peer-cap", capDetail());
        }
        Destinations.Verdict where = policy.destinations().check(host);
        if (where.outcome() == Destinations.Outcome.UNRESOLVED) {
            long[] retry = unresolvedRetry.computeIfAbsent(id, k -> new long[] {0, policy.unresolvedRetry().toNanos()});
            retry[0] = System.nanoTime() + retry[1];
            String detail = "myRELAY host " + where.detail() + "; looked up again in " + (retry[1] / 1_000_000_000L) + " s";
            retry[1] = Math.min(retry[1] * 2, UNRESOLVED_RETRY_MAX_NANOS);
            return skippedWith(id, nodeId, relayUrl, hostname, captain, node, moats, createdEpoch, modified, "unreachable", detail);
        }
        unresolvedRetry.remove(id);
        if (where.outcome() == Destinations.Outcome.REFUSED) {
            return skippedWith(id, nodeId, relayUrl, hostname, captain, node, moats, createdEpoch, modified, "private-address",
                    "myRELAY host " + where.detail() + " (allowed only with constellation.peers.allow-private=true)");
        }
        return new Peer(id, nodeId, relayUrl, hostname, captain, node, moats, createdEpoch, modified, PeerState.ROUTABLE, "routable", "", 0, null);
    }

    private static final long UNRESOLVED_RETRY_MAX_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(15);

    /** A peer that is not synced yet would exceed constellation.peers.max (one already synced keeps its place). */
    private boolean capReached(String id) {
        Peer known = peers.get(id);
        if (known != null && known.state() != PeerState.SKIPPED) {
            return false;
        }
        if (syncable.get() < policy.maxPeers()) {
            return false;
        }
        if (!capWarned) {
            capWarned = true;
            LOG.warn("{} peers are synced, the most allowed (constellation.peers.max): further peers are skipped (reason peer-cap)", policy.maxPeers());
        }
        return true;
    }

    private String capDetail() {
        return "already syncing with " + policy.maxPeers() + " peers (constellation.peers.max)";
    }

    private static Peer skippedWith(String id, String nodeId, String relay, String hostname, String captain, String node, String moats,
                                    long createdEpoch, long modified, String reason, String detail) {
        return new Peer(id, nodeId, relay, hostname, captain, node, moats, createdEpoch, modified, PeerState.SKIPPED, reason, detail, 0, null);
    }

    /** captainHEX / NODEHEX count for every descriptor that parses, as the station script counts them. */
    private void registerKeys(String id, JsonNode json, Peer p) {
        String note = "self".equals(p.reason()) ? " (self)" : "stale".equals(p.reason()) ? " (stale)" : "";
        for (String field : List.of("captainHEX", "NODEHEX")) {
            String key = Hex.normalizeKey(text(json, field));
            for (String n : List.of("", " (self)", " (stale)")) {
                if (!n.equals(note)) {
                    authors.setSource(keySource(id, field, n), AuthorSource.DESCRIPTOR, Set.of());
                }
            }
            authors.setSource(keySource(id, field, note), AuthorSource.DESCRIPTOR, key == null ? Set.of() : Set.of(key));
        }
    }

    private void dropDescriptorKeys(String id) {
        for (String field : List.of("captainHEX", "NODEHEX")) {
            for (String n : List.of("", " (self)", " (stale)")) {
                authors.setSource(keySource(id, field, n), AuthorSource.DESCRIPTOR, Set.of());
            }
        }
    }

    static String keySource(String id, String field, String note) {
        return "tmp/swarm/" + id + "/" + DESCRIPTOR + " " + field + note;
    }

    private List<PeerChange> apply(String id, Peer next) {
        Peer prev = peers.get(id);
        if (prev != null && prev.state() == PeerState.TUNNEL && next.state() != PeerState.TUNNEL) {
            tunnels.close(id);
        }
        peers.put(id, next);
        int delta = (next.state() != PeerState.SKIPPED ? 1 : 0) - (prev != null && prev.state() != PeerState.SKIPPED ? 1 : 0);
        if (delta != 0 && syncable.addAndGet(delta) < policy.maxPeers()) {
            capWarned = false;
        }
        if (prev == null) {
            if (next.state() == PeerState.SKIPPED) {
                skipCounts.merge(next.reason(), 1L, Long::sum);
                logPeer(id, "peer skipped: {}", next.describe());
            } else {
                logPeer(id, "peer added: {}", next.describe());
            }
            listeners.forEach(l -> l.peerAdded(next));
            return List.of(new PeerChange(PeerChange.Type.ADDED, next, null));
        }
        if (prev.equals(next)) {
            return List.of();
        }
        if (next.state() == PeerState.SKIPPED && !next.reason().equals(prev.reason())) {
            skipCounts.merge(next.reason(), 1L, Long::sum);
        }
        if (prev.sameConnection(next) && prev.reason().equals(next.reason())) {
            return List.of(); // only the descriptor's own timestamps moved: nothing for the routes to do
        }
        logPeer(id, "peer changed: {}", next.describe() + " (was " + prev.state() + (prev.state() == PeerState.SKIPPED ? " " + prev.reason() : "") + ")");
        listeners.forEach(l -> l.peerChanged(prev, next));
        return List.of(new PeerChange(PeerChange.Type.CHANGED, next, prev));
    }

    /** A line about one peer: its text is the other station's, so it is rate-limited per peer. */
    private void logPeer(String id, String format, String text) {
        String note = logLimiter.admit(id, "descriptor");
        if (note != null) {
            LOG.info(format, text + note);
        }
    }

    private long now() {
        return clock.millis() / 1000;
    }

    private static long lastModified(Path f) {
        try {
            return Files.getLastModifiedTime(f).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static String text(JsonNode json, String field) {
        JsonNode n = json.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    public Collection<Peer> peersSnapshot() {
        return List.copyOf(peers.values());
    }
}
