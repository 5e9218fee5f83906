package org.astroport.constellation.ingest;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Every peer's counters, by peer name; peers keep their counters across reconnects and route reloads. */
public final class SyncStats {

    private final Map<String, PeerStats> byPeer = new ConcurrentHashMap<>();

    public PeerStats peer(String name) {
        return byPeer.computeIfAbsent(name, PeerStats::new);
    }

    public Collection<PeerStats> all() {
        return byPeer.values();
    }
}
