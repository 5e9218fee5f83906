package org.astroport.constellation.sync;

import static org.astroport.constellation.testsupport.Fixtures.ids;
import static org.astroport.constellation.testsupport.RunningApp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.astroport.constellation.ingest.PeerStats;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.RunningApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** constellation.live.max-events-per-second holds a flooding peer to its rate, counted in events however they are batched, and loses nothing. */
class PeerRateLimitTest {

    @Test
    void aPeerFasterThanItsRateIsHeldToItAndNothingIsLost(@TempDir Path tmp) throws Exception {
        List<String> events = SlowClientPeerTest.burst(3_000, SlowClientPeerTest.T - 500, SlowClientPeerTest.T - 1, "rate");
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").start();
             TestRelay local = new TestRelay().start()) {
            Map<String, String> settings = NoLossTest.settings(tmp, local, SlowClientPeerTest.T);
            settings.put("constellation.live.max-events-per-second", "500");
            try (RunningApp app = RunningApp.start(NoLossTest.home(tmp, peerA), settings)) {
                PeerStats stats = app.bean("syncStats", SyncStats.class).peer(NoLossTest.PEER_A);
                DurablePositions positions = app.bean("syncPositions", DurablePositions.class);
                await("live, its position saved", 10_000, () -> positions.secondsBehind(NoLossTest.PEER_A) == 0);
                long start = System.nanoTime();
                for (String e : events) {
                    peerA.publish(e);
                }
                NoLossTest.awaitExactly(local, ids(events), 60_000);
                long millis = (System.nanoTime() - start) / 1_000_000;
                System.out.println("rate limit: 3,000 events at 500/s (a burst of one second's worth first) in " + millis + " ms");
                // one second's worth at once, then 500 a second: the last 2,500 take 5 s at least (without the
                // limit, the whole path takes about 2.6 s here)
                assertTrue(millis >= 4_900, "3,000 events went through in " + millis + " ms: the rate limit did not hold");
                assertEquals(3_000, stats.acceptedCount());
            }
        }
    }
}
