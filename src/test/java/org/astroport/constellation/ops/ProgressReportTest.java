package org.astroport.constellation.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.astroport.constellation.ingest.DeletionTracker;
import org.astroport.constellation.ingest.PeerStats;
import org.astroport.constellation.ingest.SinkEvent;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.sink.SinkRouter;
import org.astroport.constellation.sink.Spool;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.NamedSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgressReportTest {

    /** Stores every event but the last of each batch, which the relay refuses as blocked. */
    static final class RefusesTheLast extends NamedSink {
        RefusesTheLast() {
            super("refuses the last event of each batch");
        }

        @Override
        public Result write(List<SinkEvent> batch) {
            return new Result(batch.size() - 1, Map.of("blocked", 1));
        }
    }

    @Test
    void saysWhatMovedSinceTheLastLineAndNothingWhenNothingDid(@TempDir Path tmp) throws Exception {
        SyncStats stats = new SyncStats();
        SinkRouter sink = new SinkRouter(new RefusesTheLast(), new Spool(tmp.resolve("spool"), 1 << 20), new DeletionTracker(100), stats, 500);
        AtomicLong clock = new AtomicLong(1_000_000);
        ProgressReport report = new ProgressReport(stats, sink, clock::get);

        clock.addAndGet(60_000);
        assertNull(report.sinceLast(), "a quiet station logs nothing");

        PeerStats a = stats.peer("station-a.test");
        PeerStats b = stats.peer("station-b.test");
        for (int i = 0; i < 5; i++) {
            a.countReceived();
        }
        a.accepted(1);
        a.accepted(2);
        a.accepted(3);
        a.duplicate();
        a.invalid("bad-signature");
        b.countReceived();
        b.duplicate();
        b.closedToDrain();
        sink.write(Fixtures.sinkNotes(3, "progress note"));
        clock.addAndGet(60_000);
        assertEquals("last 60 s: 6 event(s) received (station-a.test 5, station-b.test 1): 3 new, 2 already had, 1 refused {bad-signature=1}"
                + "; sink: 2 written, 1 refused by the local relay {blocked=1}; live subscriptions closed 1 time(s) to let the queue drain",
                report.sinceLast());

        clock.addAndGet(30_000);
        assertNull(report.sinceLast(), "the same counters: nothing moved since");

        b.countReceived();
        b.accepted(4);
        clock.addAndGet(30_000);
        assertEquals("last 30 s: 1 event(s) received (station-b.test 1): 1 new, 0 already had; sink: 0 written", report.sinceLast(),
                "only what moved since the previous line");

        // many peers: the five that sent the most, most first
        for (int i = 1; i <= 7; i++) {
            PeerStats p = stats.peer("peer-" + i + ".test");
            for (int k = 0; k < i; k++) {
                p.countReceived();
                p.duplicate();
            }
        }
        clock.addAndGet(60_000);
        assertEquals("last 60 s: 28 event(s) received (peer-7.test 7, peer-6.test 6, peer-5.test 5, peer-4.test 4, peer-3.test 3 and 2 more peer(s)): "
                + "0 new, 28 already had; sink: 0 written", report.sinceLast());
    }
}
