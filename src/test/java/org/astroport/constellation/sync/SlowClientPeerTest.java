package org.astroport.constellation.sync;

import static org.astroport.constellation.testsupport.Fixtures.ids;
import static org.astroport.constellation.testsupport.RunningApp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.astroport.constellation.ingest.PeerStats;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.RunningApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A burst the sink cannot keep up with, from a peer that cuts slow clients the way strfry does
 * (relay.maxPendingOutboundBytes): we pause the socket, measure what the peer holds for us, close the
 * live subscription once that nears its budget and catch up once drained, so the peer never cuts us,
 * and every event arrives. Pausing the socket without measuring gets us cut.
 */
class SlowClientPeerTest {

    static final long T = Fixtures.REFERENCE_TIME;

    /** n notes of ~1 KB by a monitored author, created within the resume margin before now. */
    static List<String> burst(int n, long from, long to, String tag) {
        String padding = "x".repeat(1000);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long t = from + (to - from) * i / (n - 1);
            out.add(EventSigner.sign(Fixtures.secretOf("member-1"), t, 1, List.of(), tag + " " + i + " " + padding).toJson());
        }
        return out;
    }

    static Map<String, String> slowSink(Path tmp, TestRelay local) {
        Map<String, String> s = NoLossTest.settings(tmp, local, T);
        // each batch waits 100 ms for its OKs: the sink takes ~1,000 events/s, the burst comes far faster
        s.put("constellation.sink.batch-size", "100");
        s.put("constellation.sink.queued-batches", "1");
        // the socket is paused at 8 times this (3,200 frames, 3 MB): above what the peer may still have buffered
        // for us when it reads our CLOSE (the 2 MB it allows, and the loopback socket buffers), so that a pause cannot get us cut either
        s.put("constellation.live.queue-high-watermark", "400");
        // the peer's budget here is 1-2 MB, not strfry's 32 MiB: closing once it holds 512 KiB for us (measured)
        // leaves at least the margin half of strfry's budget leaves in production
        s.put("constellation.live.drain-backlog-bytes", "524288");
        return s;
    }

    @Test
    void aBurstIntoASlowSinkDoesNotGetUsCutAsASlowClient(@TempDir Path tmp) throws Exception {
        // bigger than one answer of 500 events (written at once) and than what a reader that keeps up may
        // have in flight on a loaded machine, far smaller than the burst (8 MB)
        int budget = 2 << 20;
        runBurst(tmp, burst(8_000, T - 500, T - 1, "burst"), budget);
    }

    /** Events published now but created long ago: the catch-up after the drain reaches back to them. */
    @Test
    void aBurstOfOldEventsIsAskedForAgainFromTheirCreatedAt(@TempDir Path tmp) throws Exception {
        runBurst(tmp, burst(3_000, T - 3_000, T - 2_000, "late"), 1 << 20);
    }

    /** drain-backlog-bytes=0: the live subscriptions are closed at the mark, without measuring the peer's backlog first. */
    @Test
    void unmeasuredTheSubscriptionsAreClosedAtTheMark(@TempDir Path tmp) throws Exception {
        PeerStats stats = publishPaced(tmp, burst(3_000, T - 500, T - 1, "unmeasured"), 1 << 20, Map.of("constellation.live.drain-backlog-bytes", "0"));
        assertTrue(stats.duplicates() > 0, "closing asks again for what the peer sent meanwhile");
    }

    /**
     * The default: a peer whose backlog for us stays under the limit (the whole burst is 3 MB, the limit 16 MiB)
     * is held back by the paused socket alone, and nothing is asked for twice.
     */
    @Test
    void aPeerHoldingLittleForUsIsHeldBackByThePausedSocketAlone(@TempDir Path tmp) throws Exception {
        PeerStats stats = publishPaced(tmp, burst(3_000, T - 500, T - 1, "held"), 0, Map.of("constellation.live.drain-backlog-bytes", "16777216"));
        assertEquals(0, stats.drainCloses(), "closed although the peer held less than the limit for us");
        assertTrue(lastConnections.matches("(?s).* backlog=[0-9]+B .*"), "JMX shows the last measure: " + lastConnections);
        assertEquals(0, stats.duplicates(), "an event was asked for twice");
        assertTrue(stats.pauses() > 0, "the sink never fell behind: the test proves nothing");
    }

    /** constellation.live.close-to-drain=false: the socket is paused at the mark, as before, and nothing is lost either. */
    @Test
    void withCloseToDrainOffTheSocketIsPausedInstead(@TempDir Path tmp) throws Exception {
        PeerStats stats = publishPaced(tmp, burst(3_000, T - 500, T - 1, "paused"), 0, Map.of("constellation.live.close-to-drain", "false"));
        assertEquals(0, stats.drainCloses(), "closed although closing is switched off");
        assertTrue(stats.pauses() > 0, "the sink never fell behind: the test proves nothing");
    }

    private static void runBurst(Path tmp, List<String> events, int budget) throws Exception {
        publishPaced(tmp, events, budget, Map.of());
    }

    /** JMX Peers.Connections as publishPaced left it. */
    private static String lastConnections = "";

    /** Publishes the events at 4,000/s into a peer relay that cuts at this budget (0: never); returns the peer's stats once all arrived. */
    private static PeerStats publishPaced(Path tmp, List<String> events, int budget, Map<String, String> settings) throws Exception {
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").cutSlowClientsAt(budget).start();
             TestRelay local = new TestRelay().okDelayMillis(100).start();
             RunningApp app = RunningApp.start(NoLossTest.home(tmp, peerA), with(slowSink(tmp, local), settings))) {
            PeerStats stats = app.bean("syncStats", SyncStats.class).peer(NoLossTest.PEER_A);
            DurablePositions positions = app.bean("syncPositions", DurablePositions.class);
            await("live, its position saved", 10_000, () -> positions.secondsBehind(NoLossTest.PEER_A) == 0);
            // 4,000 events/s: four times what the sink takes, well within what our socket reader keeps up
            // with (a publisher with no pace outruns any reader on 2 shared cores, which is not what this is about)
            Thread pusher = new Thread(() -> {
                long start = System.nanoTime();
                for (int i = 0; i < events.size(); i++) {
                    long due = start + i * 250_000L;
                    while (System.nanoTime() < due) {
                        Thread.onSpinWait();
                    }
                    peerA.publish(events.get(i));
                }
            });
            pusher.start();
            NoLossTest.awaitExactly(local, ids(events), 120_000);
            pusher.join();
            lastConnections = String.join("\n", (String[]) java.lang.management.ManagementFactory.getPlatformMBeanServer()
                    .getAttribute(new javax.management.ObjectName("org.astroport.constellation:type=Peers"), "Connections"));
            System.out.println("slow client: " + peerA.slowClientCuts() + " cut(s), " + peerA.connectionsAccepted() + " connection(s), "
                    + stats.drainCloses() + " drain close(s), " + stats.pauses() + " pause(s), " + stats.duplicates() + " duplicate(s)");
            if (budget > 0) {
                assertEquals(0, peerA.slowClientCuts(), "the peer cut us as a slow client");
                // the live session was never cut (the one gap close after the burst dials a connection of its own)
                assertEquals(0, stats.reconnects(), "the live session reconnected");
                assertTrue(stats.drainCloses() > 0, "the sink never fell behind: the test proves nothing");
            }
            return stats;
        }
    }

    private static Map<String, String> with(Map<String, String> settings, Map<String, String> more) {
        settings.putAll(more);
        return settings;
    }
}
