package org.astroport.constellation.sync;

import static org.astroport.constellation.testsupport.RunningApp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.astroport.constellation.ingest.PeerStats;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.relay.NostrRelayComponent;
import org.astroport.constellation.sink.SinkBatchClosing;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.RunningApp;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peers that repeat each other's events (a constellation's fan-in) each fill their own queue with the
 * same events: the queues share one byte budget, so the heap holds a bounded amount whatever the
 * number of peers, and nothing is lost.
 */
class SharedQueueBudgetTest {

    static final String PEER_B = "station-b.example.test";
    static final long TOTAL = 200_000;

    @Test
    void peersRepeatingTheSameBurstShareOneQueueBudget(@TempDir Path tmp) throws Exception {
        List<String> events = SlowClientPeerTest.burst(3_000, NoLossTest.T - 500, NoLossTest.T - 1, "fan-in");
        Set<String> ids = new HashSet<>();
        events.forEach(e -> ids.add(e.substring(7, 71)));
        try (TestRelay a = new TestRelay().host("127.0.0.2").start();
             TestRelay b = new TestRelay().host("127.0.0.3").start();
             TestRelay local = new TestRelay().okDelayMillis(100).start()) {
            Map<String, String> s = SlowClientPeerTest.slowSink(tmp, local);
            // each peer's own marks are far away: only the budget they share can hold them back
            s.put("constellation.live.queue-high-watermark", "100000");
            s.put("constellation.live.queue-high-watermark-bytes", String.valueOf(64 << 20));
            s.put("constellation.live.queue-total-bytes", String.valueOf(TOTAL));
            // the relay sink does not wait for a queued burst unless told to: told here, the peers' queues must reach it
            s.put("constellation.sink.burst-millis", "100");
            try (RunningApp app = RunningApp.start(ZenHome.withPeers(tmp, a.url(), b.url()), s)) {
                DurablePositions positions = app.bean("syncPositions", DurablePositions.class);
                await("both peers live", 15_000, () -> positions.secondsBehind(NoLossTest.PEER_A) == 0 && positions.secondsBehind(PEER_B) == 0);
                NostrRelayComponent relays = app.context().getComponent("nostr-relay", NostrRelayComponent.class);
                SinkBatchClosing closing = app.bean("sinkBatchClosing", SinkBatchClosing.class);
                long quietMillis = closing.timeoutMillis();
                AtomicLong most = new AtomicLong();
                AtomicLong longestWait = new AtomicLong();
                AtomicBoolean sampling = new AtomicBoolean(true);
                Thread sampler = new Thread(() -> {
                    while (sampling.get()) {
                        most.accumulateAndGet(relays.queuedBytes(), Math::max);
                        // the sink's open batch waits longer while the peers' workers have frames queued
                        longestWait.accumulateAndGet(closing.timeoutMillis(), Math::max);
                        Thread.onSpinWait();
                    }
                });
                sampler.start();
                // the same events from both peers, 4,000/s each: eight times what the sink takes
                Thread pusher = new Thread(() -> {
                    long start = System.nanoTime();
                    for (int i = 0; i < events.size(); i++) {
                        while (System.nanoTime() < start + i * 250_000L) {
                            Thread.onSpinWait();
                        }
                        a.publish(events.get(i));
                        b.publish(events.get(i));
                    }
                });
                pusher.start();
                NoLossTest.awaitExactly(local, ids, 120_000);
                pusher.join();
                sampling.set(false);
                sampler.join();
                SyncStats stats = app.bean("syncStats", SyncStats.class);
                PeerStats sa = stats.peer(NoLossTest.PEER_A);
                PeerStats sb = stats.peer(PEER_B);
                System.out.println("shared budget: most queued " + most.get() + " bytes; drain closes " + sa.drainCloses() + " + " + sb.drainCloses()
                        + ", pauses " + sa.pauses() + " + " + sb.pauses() + "; slow-client cuts " + a.slowClientCuts() + " + " + b.slowClientCuts());
                assertTrue(sa.drainCloses() + sb.drainCloses() > 0, "the budget never held a peer back: the test proves nothing");
                assertTrue(longestWait.get() > quietMillis, "the peers' queued frames never reached the sink's batches: " + longestWait.get() + " ms");
                // the second peer's copies may still be queued, on their way to being dropped as duplicates
                await("the peers' queues drained", 15_000, () -> !relays.framesWaiting());
                assertEquals(quietMillis, closing.timeoutMillis());
                // the socket pauses at twice the budget; frames already read when it does still land
                assertTrue(most.get() <= 2 * TOTAL + 64 * 1024, "queued " + most.get() + " bytes from both peers, the budget is " + TOTAL);
            }
        }
    }
}
