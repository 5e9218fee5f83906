package org.astroport.constellation.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.astroport.constellation.ingest.DeletionTracker;
import org.astroport.constellation.ingest.SeenEvents;
import org.astroport.constellation.ingest.SinkEvent;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.testsupport.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sink that throws anything on a batch: the batch is spooled and replayed, nothing lost, nothing left behind as a "duplicate". */
class SinkFailureTest {

    /** Throws the given failure on its first write, then stores. */
    static final class FailingOnceSink extends org.astroport.constellation.testsupport.NamedSink {
        final Throwable failure;
        final List<String> stored = new ArrayList<>();
        int calls;

        FailingOnceSink(Throwable failure) {
            super("a sink that fails once");
            this.failure = failure;
        }

        @Override
        public Result write(List<SinkEvent> batch) {
            if (calls++ == 0) {
                if (failure instanceof Error e) {
                    throw e;
                }
                throw (RuntimeException) failure;
            }
            batch.forEach(e -> stored.add(e.id()));
            return new Result(batch.size(), java.util.Map.of());
        }
    }

    static Set<String> ids(List<SinkEvent> batch) {
        Set<String> s = new TreeSet<>();
        batch.forEach(e -> s.add(e.id()));
        return s;
    }

    void spoolsAndReplays(Throwable failure, Path tmp) throws Exception {
        FailingOnceSink sink = new FailingOnceSink(failure);
        SeenEvents seen = new SeenEvents(1000);
        SinkRouter router = new SinkRouter(sink, new Spool(tmp.resolve("spool"), 1 << 20), new DeletionTracker(100), new SyncStats(), 500, seen);
        List<SinkEvent> batch = Fixtures.sinkNotes(40, "batch note");
        batch.forEach(e -> seen.add(e.id())); // as ingest's idempotent repository did
        org.apache.camel.Exchange in = new org.apache.camel.support.DefaultExchange(new org.apache.camel.impl.DefaultCamelContext());
        in.getMessage().setBody(batch);
        router.enter(in);
        router.write(batch); // must not throw: an error handler would drop the batch
        assertEquals(40, router.spool().pendingEvents(), "the failed batch is on disk");
        assertEquals(router.entered(), router.settled(), "and counted as safe");
        assertEquals(0, router.losses());
        assertEquals(40, router.replaySpoolNow());
        assertEquals(ids(batch), new TreeSet<>(sink.stored), "every event reaches the sink on replay");
        assertTrue(router.spool().isEmpty());
    }

    @Test
    void aRuntimeExceptionSpoolsTheBatch(@TempDir Path tmp) throws Exception {
        spoolsAndReplays(new IllegalStateException("a bug in the sink"), tmp);
    }

    @Test
    void anOutOfMemoryErrorSpoolsTheBatch(@TempDir Path tmp) throws Exception {
        spoolsAndReplays(new OutOfMemoryError("Java heap space"), tmp);
    }

    /** Neither written nor spooled: the ids leave the dedupe memory (so the peers' catch-up brings them again) and the loss is counted. */
    @Test
    void whenTheSpoolFailsTooTheIdsAreForgotten(@TempDir Path tmp) throws Exception {
        Spool full = new Spool(tmp.resolve("spool"), 1 << 20) {
            @Override
            public synchronized void append(List<SinkEvent> batch) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        SeenEvents seen = new SeenEvents(1000);
        SinkRouter router = new SinkRouter(new FailingOnceSink(new IllegalStateException("down")), full, new DeletionTracker(100), new SyncStats(), 500, seen);
        List<SinkEvent> batch = Fixtures.sinkNotes(10, "batch note");
        batch.forEach(e -> seen.add(e.id()));
        router.write(batch);
        for (SinkEvent e : batch) {
            assertFalse(seen.contains(e.id()), "a lost event must not be skipped as a duplicate later");
        }
        assertEquals(1, router.losses());
        assertEquals(10, router.lostEvents());
    }
}
