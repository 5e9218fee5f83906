package org.astroport.constellation.sync;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import java.util.function.Supplier;

import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.Exchange;
import org.astroport.constellation.discovery.AuthorRegistry;
import org.astroport.constellation.discovery.AuthorSource;
import org.astroport.constellation.ingest.EventGate;
import org.astroport.constellation.nostr.EventValidator;
import org.astroport.constellation.nostr.Validation;
import org.astroport.constellation.relay.NostrRelayConstants;
import org.astroport.constellation.relay.NostrRelayConsumer;
import org.astroport.constellation.relay.PeerSession;
import org.astroport.constellation.relay.RelayConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Direction {@code both}: what our members publish on the local relay goes to every connected peer,
 * except the peers an event came from (we remember the origin of every event peers sent us).
 * Best effort: a peer that is offline now gets it from its own pull or backfill later.
 */
public class Upstream implements ExtendedStartupListener, PeerSession.Wants {

    public static final String ROUTE = "upstream";
    /**
     * Members: the station's own accounts (game/nostr/*, flashmem/*), not its friends' lists, other
     * stations' descriptors, or game/nostr/ZSWARM (the swarm's keys gathered here).
     */
    public static final BiPredicate<AuthorSource, String> MEMBERS = (kind, name) ->
            kind == AuthorSource.GEOKEY || (kind == AuthorSource.MULTIPASS && !name.startsWith("game/nostr/ZSWARM/"));
    private static final Logger LOG = LoggerFactory.getLogger(Upstream.class);

    private final CamelContext context;
    private final PeerRoutes peerRoutes;
    private final AuthorRegistry authors;
    private final Supplier<List<Integer>> kinds;
    private final EventValidator validator;
    private final boolean enabled;
    private final Map<String, Set<String>> origins;
    private final Map<String, AtomicLong> sentByPeer = new ConcurrentHashMap<>();
    private final AtomicLong echoesAvoided = new AtomicLong();
    private final AtomicLong peersOffline = new AtomicLong();
    private final AtomicLong peersNotReading = new AtomicLong();
    // unwritten bytes per peer socket beyond which members' events are not queued for it
    static final long MAX_UNWRITTEN_BYTES = 4L << 20;
    static final long DRAIN_WAIT_MILLIS = 2000;
    private final Set<String> notReading = ConcurrentHashMap.newKeySet();
    private final AtomicLong notMembers = new AtomicLong();
    private final AtomicLong invalid = new AtomicLong();

    public Upstream(CamelContext context, PeerRoutes peerRoutes, AuthorRegistry authors, Supplier<List<Integer>> kinds,
            EventValidator validator, boolean enabled, int originCapacity) {
        this.context = context;
        this.peerRoutes = peerRoutes;
        this.authors = authors;
        this.kinds = kinds;
        this.validator = validator;
        this.enabled = enabled;
        this.origins = java.util.Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Set<String>> eldest) {
                return size() > originCapacity;
            }
        });
    }

    /** constellation.direction: true for {@code both}, false for {@code pull}; anything else is refused. */
    public static boolean sendsUpstream(String direction) {
        return switch (direction.trim()) {
            case "both" -> true;
            case "pull" -> false;
            default -> throw new IllegalArgumentException("constellation.direction must be 'pull' (peers to us) or 'both' (also our members' events to peers), not '"
                    + direction.trim() + "'");
        };
    }

    public boolean enabled() {
        return enabled;
    }

    /** Members' events not sent because the peer was not reading what we had already sent. */
    public long peersNotReading() {
        return peersNotReading.get();
    }

    /** Ingest calls this for every event a peer sent that passed validation and policy. */
    public void noteOrigin(Exchange exchange) {
        if (!enabled) {
            return;
        }
        String id = exchange.getMessage().getHeader(EventGate.EVENT_ID, String.class);
        String peer = exchange.getMessage().getHeader(NostrRelayConstants.PEER, String.class);
        if (id == null || peer == null) {
            return;
        }
        origins.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(peer);
    }

    /** An event seen on the local relay: verified, then sent to each connected peer it did not come from. */
    public int publish(String eventJson) {
        Validation v = validator.validate(eventJson);
        if (!v.valid()) {
            invalid.incrementAndGet();
            LOG.warn("upstream: local relay sent an invalid event ({}), not forwarded", v.rejection());
            return 0;
        }
        if (!authors.keysFrom(MEMBERS).contains(v.event().pubkey())) {
            notMembers.incrementAndGet();
            return 0;
        }
        Set<String> cameFrom = origins.getOrDefault(v.event().id(), Set.of());
        String frame = "[\"EVENT\"," + eventJson + "]";
        int sent = 0;
        for (Map.Entry<String, String> e : peerRoutes.routes().entrySet()) {
            String peer = e.getValue().substring("peer-".length());
            if (cameFrom.contains(peer)) {
                echoesAvoided.incrementAndGet();
                continue;
            }
            NostrRelayConsumer c = peerRoutes.consumer(e.getValue());
            RelayConnection conn = c == null ? null : c.connection();
            if (conn == null || conn.state() != RelayConnection.State.OPEN) {
                peersOffline.incrementAndGet();
            } else if (readsWhatWeSend(peer, conn) && conn.send(frame, MAX_UNWRITTEN_BYTES)) {
                sentByPeer.computeIfAbsent(peer, k -> new AtomicLong()).incrementAndGet();
                sent++;
            } else {
                // a peer that does not read: it pulls these itself (its live sync, its backfill), not from our heap
                peersNotReading.incrementAndGet();
            }
        }
        LOG.debug("upstream: {} sent to {} peer(s)", v.event().id(), sent);
        return sent;
    }

    // what the local subscription asks for: our members' events, the synced kinds
    @Override
    public List<Integer> kinds() {
        return kinds.get();
    }

    @Override
    public List<String> authors() {
        return authors.keysFrom(MEMBERS);
    }


    /**
     * Whether the peer's socket has room: a slow peer gets a moment to drain (the local subscription
     * waits), a peer that does not drain within {@link #DRAIN_WAIT_MILLIS} is skipped without waiting
     * until half of what it owes is written.
     */
    private boolean readsWhatWeSend(String peer, RelayConnection conn) {
        long pending = conn.pendingBytes();
        if (notReading.contains(peer)) {
            if (pending > MAX_UNWRITTEN_BYTES / 2) {
                return false;
            }
            notReading.remove(peer);
            LOG.info("upstream: {} reads again", peer);
            return true;
        }
        long deadline = System.currentTimeMillis() + DRAIN_WAIT_MILLIS;
        while (conn.pendingBytes() > MAX_UNWRITTEN_BYTES) {
            if (System.currentTimeMillis() > deadline) {
                notReading.add(peer);
                LOG.warn("upstream: {} has not read {} KB we sent; members' events are not queued for it until it does", peer, conn.pendingBytes() / 1024);
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** The member list changed: the local subscription follows. */
    public void resubscribe() {
        NostrRelayConsumer c = peerRoutes.consumer(ROUTE);
        if (c != null) {
            c.resubscribe();
        }
    }

    @Override
    public void onCamelContextStarted(CamelContext ctx, boolean alreadyStarted) {
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext ctx, boolean alreadyStarted) {
        startIfEnabled();
    }

    /** The route is declared with autoStartup false, so that direction {@code pull} never opens it. */
    public void startIfEnabled() {
        if (!enabled || context.getRoute(ROUTE) == null) {
            return;
        }
        try {
            if (!context.getRouteController().getRouteStatus(ROUTE).isStarted()) {
                context.getRouteController().startRoute(ROUTE);
                LOG.info("upstream: direction both, our members' events on the local relay go to the peers");
            }
        } catch (Exception e) {
            LOG.error("upstream: cannot start route {}: {}", ROUTE, e.toString());
        }
    }

    public Map<String, Long> sentByPeer() {
        Map<String, Long> out = new TreeMap<>();
        sentByPeer.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    public long echoesAvoided() {
        return echoesAvoided.get();
    }

    public long peersOffline() {
        return peersOffline.get();
    }

    public long notMembers() {
        return notMembers.get();
    }

    public long invalid() {
        return invalid.get();
    }

    public List<String> summary() {
        List<String> out = new ArrayList<>();
        out.add("sent=" + sentByPeer() + " echoesAvoided=" + echoesAvoided + " peersOffline=" + peersOffline + " notMembers=" + notMembers + " invalid=" + invalid);
        return out;
    }
}
