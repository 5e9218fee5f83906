package org.astroport.constellation.ops;

import java.util.Map;

/** The peer registry and the live connections, over JMX. */
public interface PeersMXBean {

    /** One line per swarm directory: id, state, URL or reason, tunnel port. */
    String[] getPeers();

    /** One line per live route: peer, connection state, URL, last event, counters by reason. */
    String[] getConnections();

    /** One line per peer: its sync position (everything before it is safe), seconds behind, per subscription. */
    String[] getPositions();

    int getRoutableCount();

    int getTunnelCount();

    int getReachableCount();

    int getSkippedCount();

    int getConnectedCount();

    /** Skips seen since start, by reason. */
    Map<String, Long> getSkipCountsByReason();

    /** Drops and re-opens one peer's connection (peer name, route id or node id). */
    boolean reconnect(String peer);
}
