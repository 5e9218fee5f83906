package org.astroport.constellation.backfill;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer's fetched events go through ingest on several threads while the next page is on its way: the
 * signature check, the costly step, then uses every core, and the fetch waits on the network only. At
 * most {@code window} events wait (a page is 500 events of at most 64 KB), so a fetch faster than ingest
 * is held back instead of filling the heap. One thread: each event is ingested on the fetching thread.
 */
final class IngestWorkers {

    private static final Logger LOG = LoggerFactory.getLogger(IngestWorkers.class);

    private final ExecutorService pool; // null: on the caller's thread
    private final Semaphore window;
    private final int size;

    IngestWorkers(ExecutorService pool, int window) {
        this.pool = pool;
        this.size = window;
        this.window = new Semaphore(window);
    }

    void submit(Runnable ingest) {
        if (pool == null) {
            ingest.run();
            return;
        }
        window.acquireUninterruptibly();
        try {
            pool.execute(() -> {
                try {
                    ingest.run();
                } catch (RuntimeException e) {
                    // ingest records verdicts, it does not throw: an exception here is a bug, not a bad event
                    LOG.error("backfill: ingest failed: {}", e.toString(), e);
                } finally {
                    window.release();
                }
            });
        } catch (RuntimeException rejected) {
            window.release();
            ingest.run(); // the pool is shutting down: the event still goes through
        }
    }

    /** Returns once every event submitted so far has been through ingest. */
    void awaitIdle() {
        if (pool != null) {
            window.acquireUninterruptibly(size);
            window.release(size);
        }
    }
}
