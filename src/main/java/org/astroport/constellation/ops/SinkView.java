package org.astroport.constellation.ops;

import java.util.Map;

import org.astroport.constellation.sink.SinkRouter;

public class SinkView implements SinkMXBean {

    private final SinkRouter sink;

    public SinkView(SinkRouter sink) {
        this.sink = sink;
    }

    @Override
    public String getMode() {
        return sink.sink().describe();
    }

    @Override
    public boolean isUp() {
        return sink.downSinceMillis() == 0;
    }

    @Override
    public long getDownForSeconds() {
        return sink.downSinceMillis() == 0 ? 0 : (System.currentTimeMillis() - sink.downSinceMillis()) / 1000;
    }

    @Override
    public String getLastError() {
        return sink.lastError();
    }

    @Override
    public long getBatches() {
        return sink.batches();
    }

    @Override
    public long getWritten() {
        return sink.written();
    }

    @Override
    public long getSpooled() {
        return sink.spooled();
    }

    @Override
    public long getReplayed() {
        return sink.replayed();
    }

    @Override
    public long getSpoolEvents() {
        return sink.spool().pendingEvents();
    }

    @Override
    public long getSpoolBytes() {
        return sink.spool().sizeBytes();
    }

    @Override
    public boolean isSpoolFull() {
        return sink.spool().isFull();
    }

    @Override
    public long getSpoolCorruptLines() {
        return sink.spool().corruptLines();
    }

    @Override
    public long getLost() {
        return sink.lostEvents();
    }

    @Override
    public long getEphemeralNotStored() {
        return sink.ephemeralDropped();
    }

    @Override
    public long getDeletedBeforeWrite() {
        return sink.deletedPruned();
    }

    @Override
    public Map<String, Long> getRefusedByReason() {
        return sink.refusedByReason();
    }

    @Override
    public long getImportRestarts() {
        return sink.sink() instanceof org.astroport.constellation.sink.StrfryImportSink importer ? importer.restarts() : 0;
    }

    @Override
    public String getLatency() {
        return String.format("p50=%.1f ms p99=%.1f ms over %d events", sink.latency().percentileMillis(50), sink.latency().percentileMillis(99),
                Math.min(sink.latency().count(), 100_000));
    }

    @Override
    public int replaySpool() {
        return sink.replaySpoolNow();
    }
}
