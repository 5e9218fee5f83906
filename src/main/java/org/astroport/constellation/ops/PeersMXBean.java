package org.astroport.constellation.ops;

import java.util.Map;

/** The peer registry over JMX. */
public interface PeersMXBean {

    /** One line per swarm directory: id, state, URL or reason, tunnel port. */
    String[] getPeers();

    int getRoutableCount();

    int getTunnelCount();

    int getReachableCount();

    int getSkippedCount();

    /** Skips seen since start, by reason. */
    Map<String, Long> getSkipCountsByReason();
}
