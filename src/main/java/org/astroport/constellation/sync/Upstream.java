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
import org.astroport.constellation.ingest.SinkEvent;
import org.astroport.constellation.nostr.EventValidator;
import org.astroport.constellation.nostr.Validation;
import org.astroport.constellation.relay.NostrRelayConstants;
import org.astroport.constellation.relay.NostrRelayConsumer;
import org.astroport.constellation.relay.PeerSession;
import org.astroport.constellation.relay.SendWindow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Direction {@code both}: what our members publish on the local relay goes to every connected peer,
 * except the peers an event came from (we remember the origin of every event peers sent us). The route
 * (upstream, in routes/live-sync.camel.yaml) sends it with the nostr-relay producer on each peer's live
 * session; this bean decides what is ours to send, to whom, and counts what became of it.
 * Best effort: a peer that is offline now gets it from its own pull or backfill later.
 */
public class Upstream implements ExtendedStartupListener, PeerSession.Wants {

    public static final String ROUTE = "upstream";
    /** The upstream route's header: the id of the member's event on its way to the peers. */
    static final String EVENT_ID = "NostrEventId";
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

    /** Ingest calls this with every batch a peer sent that passed validation and policy (body: its {@link SinkEvent}s). */
    public void noteOrigin(Exchange exchange) {
        if (!enabled) {
            return;
        }
        for (Object o : exchange.getMessage().getBody(List.class)) {
            if (o instanceof SinkEvent e && e.origin() != null) {
                origins.computeIfAbsent(e.id(), k -> ConcurrentHashMap.newKeySet()).add(e.origin());
            }
        }
    }

    /** An event seen on the local relay (routes/live-sync.camel.yaml, route upstream): verified, and by one of our members? */
    public boolean isOursToSend(Exchange exchange) {
        Validation v = validator.validate(exchange.getMessage().getBody(String.class));
        if (!v.valid()) {
            invalid.incrementAndGet();
            LOG.warn("upstream: local relay sent an invalid event ({}), not forwarded", v.rejection());
            return false;
        }
        if (!authors.keysFrom(MEMBERS).contains(v.event().pubkey())) {
            notMembers.incrementAndGet();
            return false;
        }
        exchange.getMessage().setHeader(EVENT_ID, v.event().id());
        return true;
    }

    /** Where the route sends it: the live session of every peer route, except the peers the event came from. */
    public List<String> recipients(Exchange exchange) {
        Set<String> cameFrom = origins.getOrDefault(exchange.getMessage().getHeader(EVENT_ID, String.class), Set.of());
        List<String> to = new ArrayList<>();
        for (String routeId : peerRoutes.routes().values()) {
            String peer = routeId.substring("peer-".length());
            if (cameFrom.contains(peer)) {
                echoesAvoided.incrementAndGet();
            } else {
                to.add("nostr-relay:" + peer + "?liveSession=true");
            }
        }
        return to;
    }

    /** The route's recipient list reports each peer's outcome here (header NostrRelay.Delivery): counted per peer. */
    public Exchange delivered(Exchange previous, Exchange sent) {
        String peer = sent.getMessage().getHeader(NostrRelayConstants.PEER, String.class);
        switch (SendWindow.Outcome.valueOf(sent.getMessage().getHeader(NostrRelayConstants.DELIVERY, String.class))) {
            case SENT -> sentByPeer.computeIfAbsent(peer, k -> new AtomicLong()).incrementAndGet();
            case OFFLINE -> peersOffline.incrementAndGet();
            // a peer that does not read: it pulls these itself (its live sync, its backfill), not from our heap
            case NOT_READING -> peersNotReading.incrementAndGet();
        }
        return previous == null ? sent : previous;
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
