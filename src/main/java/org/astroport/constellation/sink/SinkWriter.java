package org.astroport.constellation.sink;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor the sink route's aggregator hands completed batches to: one writer thread (batches
 * reach the sink in order) and a short queue. Camel's default for a non-parallel aggregator is a
 * single thread with a 1,000-task queue, which under a slow sink held tens of thousands of accepted
 * events in memory. Here a full queue blocks whoever completed the batch (a peer's worker), so the
 * peer's own queue fills and its socket is paused: back-pressure reaches the peer instead of the heap.
 */
public final class SinkWriter extends AbstractExecutorService {

    private static final Logger LOG = LoggerFactory.getLogger(SinkWriter.class);

    private final ThreadPoolExecutor pool;
    private final AtomicLong waits = new AtomicLong();
    // batches handed over and not yet written: read by the sink route's completion on every exchange
    private final AtomicInteger unfinished = new AtomicInteger();

    public SinkWriter(int queuedBatches) {
        if (queuedBatches < 1) {
            throw new IllegalArgumentException("constellation.sink.queued-batches must be at least 1, not " + queuedBatches);
        }
        BlockingQueue<Runnable> queue = new ArrayBlockingQueue<>(queuedBatches);
        pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, queue, r -> {
            Thread t = new Thread(r, "sink-writer");
            t.setDaemon(true);
            return t;
        }, (task, executor) -> {
            if (executor.isShutdown()) {
                task.run(); // stopping: the caller writes its own batch rather than losing it
                return;
            }
            waits.incrementAndGet();
            try {
                executor.getQueue().put(task);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warn("interrupted while waiting for the sink; writing this batch on the caller's thread");
                task.run();
            }
        });
    }

    @Override
    public void execute(Runnable command) {
        unfinished.incrementAndGet();
        try {
            pool.execute(() -> {
                try {
                    command.run();
                } finally {
                    unfinished.decrementAndGet();
                }
            });
        } catch (RuntimeException e) {
            unfinished.decrementAndGet();
            throw e;
        }
    }

    /**
     * No batch is being written or waits to be: the sink route completes its open batch at once. While the
     * writer is busy the open batch grows instead, so that each write (one strfry commit) takes what came
     * meanwhile, rather than a row of small batches each waiting for a commit of its own.
     */
    public boolean idle() {
        return unfinished.get() == 0;
    }

    /** Batches that had to wait for room: how often the sink was the bottleneck. */
    public long waits() {
        return waits.get();
    }

    public int queued() {
        return pool.getQueue().size();
    }

    @Override
    public void shutdown() {
        pool.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        return pool.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return pool.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return pool.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return pool.awaitTermination(timeout, unit);
    }
}
