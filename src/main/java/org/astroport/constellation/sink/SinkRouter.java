package org.astroport.constellation.sink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.apache.camel.spi.IdempotentRepository;
import org.astroport.constellation.ingest.DeletionTracker;
import org.astroport.constellation.ingest.SinkEvent;
import org.astroport.constellation.ingest.SyncStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the sink route calls with each micro-batch: prune deleted events, write to the active sink,
 * and when it is down, spool to disk (order kept: once anything is spooled, new batches queue behind
 * it until the spool has been replayed). Ephemeral events are never spooled.
 * <p>
 * Every batch ends written, refused for good, or spooled, whatever the sink throws: no batch leaves
 * through an error handler. {@link #entered} and {@link #settled} count events in and out (in order:
 * one aggregator, one writer), which is how a peer's sync position knows its events are safe. If
 * even the spool fails, the events' ids leave the dedupe memory and {@link #losses} changes, which
 * sends every peer back to its last safe position.
 */
public class SinkRouter {

    private static final Logger LOG = LoggerFactory.getLogger(SinkRouter.class);

    private final EventSink sink;
    private final Spool spool;
    private final DeletionTracker deletions;
    private final SyncStats stats;
    private final int replayBatchSize;
    private final LatencyRecorder latency = new LatencyRecorder(100_000);

    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong spooled = new AtomicLong();
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong ephemeralDropped = new AtomicLong();
    private final AtomicLong deletedPruned = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final Map<String, AtomicLong> refused = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile long downSinceMillis = 0;
    private volatile String lastError = "";
    private volatile long lastErrorMillis = 0;
    private final AtomicLong handled = new AtomicLong();
    private volatile long nextReplayMillis = 0;
    private volatile long writingSinceMillis = 0;
    /**
     * The sink as the spool's replay uses it, each write timed: a hung one shows in {@link #writingSinceMillis()} (a long
     * replay of many batches does not). Live batches are timed in {@link #writeBatch} from hand-over to acknowledgement.
     */
    private final EventSink timed;
    private volatile long lastLossLogMillis = 0;
    private final AtomicLong probeFailures = new AtomicLong();
    private int replayFailures;
    /** A batch handed to the sink and not yet acknowledged: at most one, kept only while more batches wait (under this). */
    private InFlight inFlight;
    private volatile BooleanSupplier moreBatchesWaiting = () -> false;

    /** size: the batch as it came, pruned and ephemeral events included, all counted out when it settles. */
    private record InFlight(List<SinkEvent> kept, int size, EventSink.Pending pending) {
    }

    private final AtomicLong entered = new AtomicLong();
    private final AtomicLong losses = new AtomicLong();
    private final AtomicLong lostEvents = new AtomicLong();
    private final IdempotentRepository seen;

    public SinkRouter(EventSink sink, Spool spool, DeletionTracker deletions, SyncStats stats, int replayBatchSize) {
        this(sink, spool, deletions, stats, replayBatchSize, null);
    }

    /** seen: the dedupe memory, from which events neither written nor spooled are removed. */
    public SinkRouter(EventSink sink, Spool spool, DeletionTracker deletions, SyncStats stats, int replayBatchSize, IdempotentRepository seen) {
        this.seen = seen;
        this.sink = sink;
        this.spool = spool;
        this.deletions = deletions;
        this.stats = stats;
        this.replayBatchSize = replayBatchSize;
        this.timed = new EventSink() {
            @Override
            public Result write(List<SinkEvent> batch) throws SinkUnavailableException {
                writingSinceMillis = System.currentTimeMillis();
                try {
                    return sink.write(batch);
                } finally {
                    writingSinceMillis = 0;
                }
            }

            @Override
            public void probe() throws SinkUnavailableException {
                sink.probe();
            }

            @Override
            public boolean forwardsEphemeral() {
                return sink.forwardsEphemeral();
            }

            @Override
            public String describe() {
                return sink.describe();
            }
        };
    }

    /** The sink route's first step: more events (a list, or one) on their way to a batch. */
    public void enter(org.apache.camel.Exchange exchange) {
        entered.addAndGet(SinkBatchAggregation.events(exchange).size());
    }

    /**
     * Lets a sink that can take the next batch before it acknowledges this one (strfry import: it reads on
     * while it commits) keep one batch in flight while more wait for the writer; the next write settles it.
     */
    public void overlapWhile(BooleanSupplier moreBatchesWaiting) {
        this.moreBatchesWaiting = moreBatchesWaiting;
    }

    public synchronized void write(List<SinkEvent> batch) {
        boolean submitted = false;
        try {
            submitted = writeBatch(batch);
        } finally {
            if (!submitted) {
                handled.addAndGet(batch.size());
            }
        }
    }

    /** True when the batch went to the sink: {@link #settle} counts it out, now or at the next write. */
    private boolean writeBatch(List<SinkEvent> batch) {
        batches.incrementAndGet();
        List<SinkEvent> kept = deletions.prune(batch);
        deletedPruned.addAndGet(batch.size() - kept.size());
        if (!sink.forwardsEphemeral()) {
            List<SinkEvent> stored = new ArrayList<>(kept.size());
            for (SinkEvent e : kept) {
                if (e.isEphemeral()) {
                    ephemeralDropped.incrementAndGet();
                } else {
                    stored.add(e);
                }
            }
            kept = stored;
        }
        if (kept.isEmpty() || !spool.isEmpty() || downSinceMillis > 0) {
            settleInFlight(); // counted out in order
            if (!kept.isEmpty()) {
                spoolBatch(kept);
            }
            return false;
        }
        long started = System.currentTimeMillis();
        if (inFlight == null) {
            writingSinceMillis = started; // else the one in flight is still the oldest
        }
        EventSink.Pending pending;
        try {
            pending = sink.submit(kept);
        } catch (Throwable e) {
            settleInFlight();
            failed(kept, e);
            return false;
        }
        settleInFlight();
        writingSinceMillis = started; // this one is the oldest not acknowledged now
        InFlight mine = new InFlight(kept, batch.size(), pending);
        if (downSinceMillis == 0 && moreBatchesWaiting.getAsBoolean()) {
            inFlight = mine;
            return true;
        }
        settle(mine);
        return true;
    }

    /** The batch in flight, if any, acknowledged (or spooled) and counted out. */
    private void settleInFlight() {
        InFlight f = inFlight;
        if (f != null) {
            inFlight = null;
            settle(f);
        }
    }

    private void settle(InFlight f) {
        try {
            EventSink.Result r;
            try {
                r = f.pending().await();
            } catch (Throwable e) {
                failed(f.kept(), e);
                return;
            }
            accepted(f.kept(), r);
        } finally {
            if (inFlight == null) {
                writingSinceMillis = 0;
            }
            handled.addAndGet(f.size());
        }
    }

    /** The sink threw: spooled, whatever it threw (a bug, an OutOfMemoryError: the batch must not vanish with it). */
    private void failed(List<SinkEvent> kept, Throwable e) {
        if (e instanceof SinkUnavailableException) {
            markDown(e.getMessage());
        } else {
            LOG.error("sink {} failed on a batch of {} event(s); spooling it", sink.describe(), kept.size(), e);
            markDown(e.toString());
        }
        spoolBatch(kept);
    }

    private void accepted(List<SinkEvent> kept, EventSink.Result r) {
        written.addAndGet(r.written());
        r.refused().forEach((k, v) -> refused.computeIfAbsent(k, x -> new AtomicLong()).addAndGet(v));
        java.util.Set<SinkEvent> later = new java.util.HashSet<>(r.retryLater());
        long now = System.nanoTime();
        for (SinkEvent e : kept) {
            if (!later.contains(e)) {
                stats.peer(e.origin()).forwarded();
                latency.record(now - e.receivedNanos());
            }
        }
        if (!later.isEmpty()) {
            spoolBatch(r.retryLater());
        }
    }

    private void spoolBatch(List<SinkEvent> batch) {
        List<SinkEvent> storable = batch.stream().filter(e -> !e.isEphemeral()).toList();
        ephemeralDropped.addAndGet(batch.size() - storable.size());
        try {
            spool.append(storable);
        } catch (Throwable e) {
            lost(storable, e);
            return;
        }
        spooled.addAndGet(storable.size());
        for (SinkEvent e : storable) {
            stats.peer(e.origin()).spooled(1);
        }
    }

    /** Neither written nor spooled (disk full, spool at its cap): forget them, so the peers' catch-up and the backfill bring them again. */
    private void lost(List<SinkEvent> events, Throwable why) {
        if (seen != null) {
            for (SinkEvent e : events) {
                seen.remove(e.id());
            }
        }
        lostEvents.addAndGet(events.size());
        losses.incrementAndGet();
        long now = System.currentTimeMillis();
        if (now - lastLossLogMillis >= 10_000) { // a full spool refuses every batch: one line per 10 s is enough
            LOG.error("{} event(s) could neither be written to {} nor spooled to {} ({}); every peer catches up again from its last safe position"
                    + " ({} event(s) forgotten so far)", events.size(), sink.describe(), spool.directory(), why.toString(), lostEvents.get());
            lastLossLogMillis = now;
        }
    }

    /**
     * Called by the sink-probe timer route: checks that the sink could take a write now (the local
     * relay's connection is open; the strfry binary and database are there). A failed probe marks the
     * sink down like a failed write; only a successful replay (or, with nothing spooled, a successful
     * probe during replay) brings it back up, so a probe never hides a write that failed.
     */
    public void probe() {
        try {
            sink.probe();
            if (downSinceMillis > 0) {
                nextReplayMillis = 0; // looks back: let the next replay tick check it for real, whatever its backoff
            }
        } catch (SinkUnavailableException e) {
            probeFailures.incrementAndGet();
            markDown("probe: " + e.getMessage());
        } catch (RuntimeException e) {
            probeFailures.incrementAndGet();
            markDown("probe: " + e);
        }
    }

    /** Called by a timer route and by JMX: replay the spool if the sink is back. Returns events replayed. */
    int replayBatchSize() {
        return replayBatchSize;
    }

    public int replaySpool() {
        return replay(false);
    }

    /** JMX: replay now, ignoring the backoff. */
    public int replaySpoolNow() {
        return replay(true);
    }

    private int replay(boolean force) {
        if (spool.isEmpty() && downSinceMillis == 0) {
            return 0;
        }
        long now = System.currentTimeMillis();
        if (!force && now < nextReplayMillis) {
            return 0;
        }
        synchronized (this) {
            settleInFlight();
            try {
                if (downSinceMillis > 0) {
                    sink.probe(); // nothing spooled would otherwise mean "back" without any check
                }
                int n = spool.replay(timed, replayBatchSize);
                replayed.addAndGet(n);
                if (downSinceMillis > 0) {
                    LOG.info("sink {} is back after {} s; replayed {} spooled event(s)", sink.describe(), (now - downSinceMillis) / 1000, n);
                }
                downSinceMillis = 0;
                replayFailures = 0;
                return n;
            } catch (SinkUnavailableException e) {
                markDown(e.getMessage());
                replayFailures++;
                nextReplayMillis = now + Math.min(60_000, 1000L << Math.min(replayFailures, 6));
                return 0;
            } catch (IOException e) {
                LOG.error("spool {} unreadable: {}", spool.directory(), e.toString());
                return 0;
            }
        }
    }

    private void markDown(String why) {
        errors.incrementAndGet();
        lastError = why;
        lastErrorMillis = System.currentTimeMillis();
        if (downSinceMillis == 0) {
            downSinceMillis = lastErrorMillis;
            LOG.warn("sink {} unavailable ({}); spooling to {}", sink.describe(), why, spool.directory());
        }
    }

    public EventSink sink() {
        return sink;
    }

    public Spool spool() {
        return spool;
    }

    public LatencyRecorder latency() {
        return latency;
    }

    /** Events that reached the sink so far: written, refused, spooled or dropped on purpose. */
    public long handled() {
        return handled.get();
    }

    /** Events that entered the sink route; once {@link #settled()} reaches a value read here, all of them are safe. */
    public long entered() {
        return entered.get();
    }

    /** Events out of the sink route (same as {@link #handled()}): written, refused, spooled, pruned, or lost. */
    public long settled() {
        return handled.get();
    }

    /** Changes each time events were lost (neither written nor spooled). */
    public long losses() {
        return losses.get();
    }

    public long lostEvents() {
        return lostEvents.get();
    }

    public long batches() {
        return batches.get();
    }

    public long written() {
        return written.get();
    }

    public long spooled() {
        return spooled.get();
    }

    public long replayed() {
        return replayed.get();
    }

    public long ephemeralDropped() {
        return ephemeralDropped.get();
    }

    public long deletedPruned() {
        return deletedPruned.get();
    }

    public long errors() {
        return errors.get();
    }

    public Map<String, Long> refusedByReason() {
        Map<String, Long> m = new java.util.TreeMap<>();
        refused.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    public long downSinceMillis() {
        return downSinceMillis;
    }

    /** When the sink write in progress (one batch, live or replayed) started; 0 when none is. A hung sink shows here. */
    public long writingSinceMillis() {
        return writingSinceMillis;
    }

    public long probeFailures() {
        return probeFailures.get();
    }

    public String lastError() {
        return lastError;
    }

    public long lastErrorMillis() {
        return lastErrorMillis;
    }
}
