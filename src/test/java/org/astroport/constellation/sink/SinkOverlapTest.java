package org.astroport.constellation.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.astroport.constellation.ingest.DeletionTracker;
import org.astroport.constellation.ingest.SinkEvent;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.testsupport.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SinkRouter with a batch left in flight while the next one is handed over: batches are counted out
 * (which is what moves a peer's position) only once acknowledged, and in the order they came; a batch
 * that fails is spooled before the one behind it.
 */
class SinkOverlapTest {

    /** Acknowledges (or fails, as planned) each batch handed over; write() is the spool's replay. */
    static final class PlannedSink implements EventSink {
        final Deque<Boolean> plan = new ArrayDeque<>(); // per submit: true = acknowledged, false = the child died
        final List<List<SinkEvent>> awaited = new ArrayList<>();
        final List<String> replayed = new ArrayList<>();

        @Override
        public Pending submit(List<SinkEvent> batch) {
            boolean ok = plan.isEmpty() || plan.poll();
            return () -> {
                awaited.add(batch);
                if (!ok) {
                    throw new SinkUnavailableException("strfry import ended during a batch");
                }
                return new Result(batch.size(), Map.of());
            };
        }

        @Override
        public Result write(List<SinkEvent> batch) {
            batch.forEach(e -> replayed.add(e.id()));
            return new Result(batch.size(), Map.of());
        }

        @Override
        public boolean forwardsEphemeral() {
            return false;
        }

        @Override
        public String describe() {
            return "planned";
        }
    }

    static List<SinkEvent> batch(String tag, int n, int kind) {
        List<SinkEvent> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(SinkEvent.of(EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 100 + i, kind, List.of(), tag + " " + i),
                    "peer-a", System.nanoTime()));
        }
        return out;
    }

    static List<String> ids(List<SinkEvent> events) {
        return events.stream().map(SinkEvent::id).toList();
    }

    @Test
    void aBatchInFlightIsCountedOutWhenAcknowledgedAndBeforeAnyLaterOne(@TempDir Path tmp) throws Exception {
        PlannedSink sink = new PlannedSink();
        SinkRouter router = new SinkRouter(sink, new Spool(tmp.resolve("spool"), 1 << 20), new DeletionTracker(100), new SyncStats(), 500);
        boolean[] more = {true};
        router.overlapWhile(() -> more[0]);
        List<SinkEvent> a = batch("a", 3, 1);
        List<SinkEvent> b = batch("b", 4, 1);

        router.write(a);
        assertEquals(0, router.settled(), "in flight: not counted out before its acknowledgement");
        assertTrue(sink.awaited.isEmpty());
        router.write(b);
        assertEquals(3, router.settled(), "a is acknowledged once b is on its way, b is in flight");
        assertEquals(List.of(a), sink.awaited);

        // a batch with nothing to store (ephemeral only) settles the one in flight before it is counted
        router.write(batch("ephemeral", 2, 20001));
        assertEquals(9, router.settled());
        assertEquals(List.of(a, b), sink.awaited);

        more[0] = false; // nothing waits behind it: acknowledged at once
        List<SinkEvent> c = batch("c", 5, 1);
        router.write(c);
        assertEquals(14, router.settled());
        assertEquals(12, router.written());
    }

    @Test
    void aFailedBatchInFlightIsSpooledBeforeTheOneBehindIt(@TempDir Path tmp) throws Exception {
        PlannedSink sink = new PlannedSink();
        sink.plan.addAll(List.of(false, false)); // the child dies with a in flight and b fed behind it
        SinkRouter router = new SinkRouter(sink, new Spool(tmp.resolve("spool"), 1 << 20), new DeletionTracker(100), new SyncStats(), 500);
        router.overlapWhile(() -> true);
        List<SinkEvent> a = batch("a", 3, 1);
        List<SinkEvent> b = batch("b", 4, 1);

        router.write(a);
        router.write(b);
        assertEquals(7, router.settled(), "with the sink down, b is not left in flight: both are spooled and counted out");
        assertEquals(7, router.spooled());
        assertTrue(router.downSinceMillis() > 0);

        assertEquals(7, router.replaySpoolNow());
        assertEquals(Stream.concat(ids(a).stream(), ids(b).stream()).toList(), sink.replayed, "spooled in the order they came");
        assertEquals(0, router.lostEvents());
    }
}
