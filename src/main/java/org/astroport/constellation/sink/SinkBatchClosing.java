package org.astroport.constellation.sink;

import java.util.function.BooleanSupplier;

/**
 * When the sink route's open batch goes to the writer, short of constellation.sink.batch-size
 * (routes/sink.camel.yaml). At once when the writer is idle and no more events are on their way: a quiet
 * station stores each event as it comes. While the writer is busy, or while peers' frames wait behind
 * this batch (a burst: a peer's worker hands on more as soon as this list is through), the batch grows, so
 * that a burst is stored in fewer, larger strfry commits (each one an fsync) rather than one per ingest list.
 * It goes once nothing joined it for {@code batchMillis}, or for {@code burstMillis} while frames wait.
 */
public final class SinkBatchClosing {

    private final SinkWriter writer;
    private final long batchMillis;
    private final long burstMillis;
    private volatile BooleanSupplier framesWaiting = () -> false;

    /** burstMillis 0: frames waiting change nothing (the batch goes whenever the writer is idle). */
    public SinkBatchClosing(SinkWriter writer, long batchMillis, long burstMillis) {
        if (batchMillis < 1 || burstMillis < 0) {
            throw new IllegalArgumentException("constellation.sink.batch-millis must be 1 or more (it is " + batchMillis
                    + ") and constellation.sink.burst-millis 0 or more (it is " + burstMillis + ")");
        }
        this.writer = writer;
        this.batchMillis = batchMillis;
        this.burstMillis = burstMillis == 0 ? 0 : Math.max(batchMillis, burstMillis);
    }

    /** What says more events are already on their way to the sink route (the live peers' queues). */
    public void waitFor(BooleanSupplier framesWaiting) {
        this.framesWaiting = framesWaiting;
    }

    /** The completion predicate's second half: the batch goes now. */
    public boolean now() {
        return writer.idle() && !burst();
    }

    /** The completion timeout, set anew by each list that joins the batch. */
    public long timeoutMillis() {
        return burst() ? burstMillis : batchMillis;
    }

    private boolean burst() {
        return burstMillis > 0 && framesWaiting.getAsBoolean();
    }
}
