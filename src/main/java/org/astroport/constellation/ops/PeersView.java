package org.astroport.constellation.ops;

import java.util.Map;

import org.astroport.constellation.discovery.Peer;
import org.astroport.constellation.discovery.PeerRegistry;
import org.astroport.constellation.discovery.PeerState;

public class PeersView implements PeersMXBean {

    private final PeerRegistry registry;

    public PeersView(PeerRegistry registry) {
        this.registry = registry;
    }

    @Override
    public String[] getPeers() {
        return registry.allPeers().stream().map(Peer::describe).toArray(String[]::new);
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
    public Map<String, Long> getSkipCountsByReason() {
        return registry.skipCounts();
    }
}
