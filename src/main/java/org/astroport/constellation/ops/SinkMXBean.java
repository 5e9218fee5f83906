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

    /** True when the spool reached constellation.spool.max-bytes and refuses batches (health is DOWN). */
    boolean isSpoolFull();

    /** Unreadable spool lines moved aside into corrupt-*.ndjson in the spool directory. */
    long getSpoolCorruptLines();

    /** Events neither written nor spooled (forgotten, so the peers send them again). */
    long getLost();

    long getEphemeralNotStored();

    long getDeletedBeforeWrite();

    Map<String, Long> getRefusedByReason();

    /** Import sink: strfry import children started to replace one that died or was killed (0 with the relay sink). */
    long getImportRestarts();

    /** Receipt-to-sink latency percentiles (ms) over recent events: p50, p99. */
    String getLatency();

    /** Replays the spool now (ignoring the backoff); returns events replayed. */
    int replaySpool();
}
