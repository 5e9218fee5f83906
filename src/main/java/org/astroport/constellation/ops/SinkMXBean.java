package org.astroport.constellation.ops;

import java.util.Map;

/** Where accepted events go, over JMX. */
public interface SinkMXBean {

    String getMode();

    boolean isUp();

    /** Seconds the sink has been unreachable (0 when up). */
    long getDownForSeconds();

    String getLastError();

    long getBatches();

    long getWritten();

    long getSpooled();

    long getReplayed();

    long getSpoolEvents();

    long getSpoolBytes();

    long getEphemeralNotStored();

    long getDeletedBeforeWrite();

    Map<String, Long> getRefusedByReason();

    /** Receipt-to-sink latency percentiles (ms) over recent events: p50, p99. */
    String getLatency();

    /** Replays the spool now (ignoring the backoff); returns events replayed. */
    int replaySpool();
}
