package org.astroport.constellation.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class IngestWorkersTest {

    @Test
    void everyEventIsIngestedBeforeAwaitIdleReturnsAndTheWindowBoundsWhatWaits() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            IngestWorkers workers = new IngestWorkers(pool, 16);
            AtomicInteger done = new AtomicInteger();
            AtomicInteger submittedNotDone = new AtomicInteger();
            AtomicInteger mostWaiting = new AtomicInteger();
            for (int i = 0; i < 2_000; i++) {
                int waiting = submittedNotDone.incrementAndGet();
                mostWaiting.accumulateAndGet(waiting, Math::max);
                int n = i;
                workers.submit(() -> {
                    if (n % 100 == 0) {
                        sleep(5);
                    }
                    if (n % 500 == 7) {
                        submittedNotDone.decrementAndGet();
                        throw new IllegalStateException("a bug in ingest must not stall the backfill");
                    }
                    done.incrementAndGet();
                    submittedNotDone.decrementAndGet();
                });
            }
            workers.awaitIdle();
            assertEquals(2_000 - 4, done.get(), "every event went through ingest (4 threw)");
            assertTrue(mostWaiting.get() <= 17, "at most the window (16) waited, plus the one being submitted: " + mostWaiting.get());
            assertTrue(mostWaiting.get() > 2, "the fetch ran ahead of ingest: the workers were used");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void withoutAPoolEachEventIsIngestedOnTheCallersThread() {
        IngestWorkers workers = new IngestWorkers(null, 0);
        Thread caller = Thread.currentThread();
        AtomicInteger onCaller = new AtomicInteger();
        for (int i = 0; i < 10; i++) {
            workers.submit(() -> onCaller.addAndGet(Thread.currentThread() == caller ? 1 : 0));
        }
        workers.awaitIdle();
        assertEquals(10, onCaller.get());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
