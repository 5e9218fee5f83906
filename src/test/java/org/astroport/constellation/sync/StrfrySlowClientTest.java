package org.astroport.constellation.sync;

import static org.astroport.constellation.testsupport.Fixtures.ids;
import static org.astroport.constellation.testsupport.RunningApp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.astroport.constellation.ingest.PeerStats;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.RunningApp;
import org.astroport.constellation.testsupport.StrfryProcess;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SlowClientPeerTest} against a real strfry peer with a small send budget
 * (relay.maxPendingOutboundBytes = 1 MiB): the probe REQ's EOSE comes behind what strfry buffered for
 * us, so the measured backlog closes the live subscription before strfry cuts us. Needs STRFRY_BIN.
 */
@EnabledIfEnvironmentVariable(named = StrfryProcess.ENV, matches = ".+")
class StrfrySlowClientTest {

    static final long T = Fixtures.REFERENCE_TIME;

    @Test
    void aBurstIntoASlowSinkDoesNotGetUsCutByStrfry(@TempDir Path tmp) throws Exception {
        List<String> events = SlowClientPeerTest.burst(8_000, T - 500, T - 1, "strfry burst");
        try (StrfryProcess peer = StrfryProcess.create(tmp.resolve("peer"), "127.0.0.2", port -> "restrictedReadKinds = \"\"",
                "maxPendingOutboundBytes = 1048576").startRelay();
             TestRelay local = new TestRelay().okDelayMillis(100).start()) {
            Map<String, String> s = SlowClientPeerTest.slowSink(tmp, local);
            try (RunningApp app = RunningApp.start(ZenHome.withPeers(tmp, peer.url(), "ws://127.0.0.3:1"), s)) {
                PeerStats stats = app.bean("syncStats", SyncStats.class).peer(NoLossTest.PEER_A);
                DurablePositions positions = app.bean("syncPositions", DurablePositions.class);
                await("live, its position saved", 10_000, () -> positions.secondsBehind(NoLossTest.PEER_A) == 0);
                // 4,000 events/s in imports of 400 (a strfry import takes ~0.1 s): four times what the sink takes
                long start = System.nanoTime();
                for (int i = 0; i < events.size(); i += 400) {
                    peer.importLines(events.subList(i, i + 400));
                    long due = start + (i + 400) * 250_000L;
                    while (System.nanoTime() < due) {
                        Thread.sleep(1);
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                NoLossTest.awaitExactly(local, ids(events), 180_000);
                long cuts = Files.readAllLines(peer.config().resolveSibling("relay.log")).stream().filter(l -> l.contains("Slow client")).count();
                System.out.println("strfry slow client: published in " + seconds + " s, " + cuts + " cut(s), " + stats.drainCloses() + " drain close(s), " + stats.pauses()
                        + " pause(s), " + stats.duplicates() + " duplicate(s), " + stats.reconnects() + " reconnect(s)");
                assertEquals(0, cuts, "strfry cut us as a slow client");
                assertEquals(0, stats.reconnects(), "the live session reconnected");
                assertTrue(stats.pauses() > 0, "the sink never fell behind: the test proves nothing");
            }
        }
    }
}
