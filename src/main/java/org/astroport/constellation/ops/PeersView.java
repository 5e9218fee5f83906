package org.astroport.constellation.ops;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.astroport.constellation.discovery.Peer;
import org.astroport.constellation.discovery.PeerRegistry;
import org.astroport.constellation.discovery.PeerState;
import org.astroport.constellation.ingest.PeerStats;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.relay.NostrRelayConsumer;
import org.astroport.constellation.relay.RelayConnection;
import org.astroport.constellation.sync.DurablePositions;
import org.astroport.constellation.sync.PeerRoutes;

public class PeersView implements PeersMXBean {

    private final PeerRegistry registry;
    private volatile PeerRoutes routes;
    private volatile SyncStats stats;

    public PeersView(PeerRegistry registry) {
        this.registry = registry;
    }

    private volatile DurablePositions positions;

    public void attach(PeerRoutes routes, SyncStats stats, DurablePositions positions) {
        this.routes = routes;
        this.stats = stats;
        this.positions = positions;
    }

    @Override
    public String[] getPositions() {
        if (positions == null) {
            return new String[0];
        }
        List<String> out = new ArrayList<>();
        positions.all().forEach((peer, subs) -> {
            long oldest = subs.values().stream().mapToLong(Long::longValue).min().orElse(-1);
            out.add(peer + " " + (oldest < 0 ? "none" : Instant.ofEpochSecond(oldest) + " (" + positions.secondsBehind(peer) + " s behind)")
                    + " " + new java.util.TreeMap<>(subs));
        });
        return out.toArray(String[]::new);
    }

    @Override
    public String[] getPeers() {
        return registry.allPeers().stream().map(Peer::describe).toArray(String[]::new);
    }

    @Override
    public String[] getConnections() {
        List<String> out = new ArrayList<>();
        if (routes == null) {
            return new String[0];
        }
        for (Map.Entry<String, String> e : routes.routes().entrySet()) {
            NostrRelayConsumer c = routes.consumer(e.getValue());
            String name = e.getValue().substring("peer-".length());
            PeerStats s = stats.peer(name);
            RelayConnection conn = c == null ? null : c.connection();
            long behind = positions == null ? -1 : positions.secondsBehind(name);
            out.add(e.getValue() + " " + (conn == null ? "not started" : conn.state() + " " + conn.url())
                    + " position=" + (behind < 0 ? "none" : behind + "s_behind") + (c != null && c.session() != null && c.session().caughtUp() ? "" : " catching_up")
                    + " last_event=" + (s.lastEventCreatedAt() < 0 ? "none" : Instant.ofEpochSecond(s.lastEventCreatedAt()))
                    + " received=" + s.receivedCount() + " forwarded=" + s.forwardedCount() + " duplicates=" + s.duplicates()
                    + " spooled=" + s.spooledCount() + " reconnects=" + s.reconnects()
                    + " drain_closes=" + s.drainCloses() + " pauses=" + s.pauses()
                    + " backlog=" + (c != null && c.session() != null && c.session().lastBacklogChars() >= 0 ? c.session().lastBacklogChars() + "B" : "unmeasured")
                    + " beyond_reach=" + (c != null && c.session() != null ? c.session().beyondReach() : 0)
                    + " invalid=" + s.invalidByReason() + " filtered=" + s.filteredByReason());
        }
        return out.toArray(String[]::new);
    }

    @Override
    public int getRoutableCount() {
        return (int) registry.allPeers().stream().filter(p -> p.state() == PeerState.ROUTABLE).count();
    }

    @Override
    public int getTunnelCount() {
        return (int) registry.allPeers().stream().filter(p -> p.state() == PeerState.TUNNEL).count();
    }

    @Override
    public int getReachableCount() {
        return registry.reachablePeers().size();
    }

    @Override
    public int getSkippedCount() {
        return (int) registry.allPeers().stream().filter(p -> p.state() == PeerState.SKIPPED).count();
    }

    @Override
    public int getConnectedCount() {
        return routes == null ? 0 : routes.connectedCount();
    }

    @Override
    public Map<String, Long> getSkipCountsByReason() {
        return registry.skipCounts();
    }

    @Override
    public boolean reconnect(String peer) {
        if (routes == null) {
            return false;
        }
        if (routes.reconnect(peer) || routes.reconnect("peer-" + peer)) {
            return true;
        }
        return false;
    }
}
