package org.astroport.constellation.sync;

import static org.astroport.constellation.sync.NoLossTest.T;
import static org.astroport.constellation.sync.NoLossTest.awaitExactly;
import static org.astroport.constellation.testsupport.Fixtures.ids;
import static org.astroport.constellation.sync.NoLossTest.notes;
import static org.astroport.constellation.testsupport.RunningApp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.AppProcess;
import org.astroport.constellation.testsupport.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon as its own process, killed with SIGKILL mid catch-up and mid live burst, then started again later. */
class KillNineTest {

    static AppProcess start(Path tmp, Path home, TestRelay local, long now) throws Exception {
        Map<String, String> s = NoLossTest.settings(tmp, local, now);
        s.put("constellation.node-id", Fixtures.LOCAL_NODE_ID);
        s.put("camel.management.enabled", "false");
        return AppProcess.start(tmp, List.of("-Xmx256m"), s, "--home", home.toString(), "run");
    }

    /** Started at T on a peer holding `before`, once all of it is in the local relay and the position is saved at T. */
    static AppProcess startSynced(Path tmp, Path home, TestRelay peerA, TestRelay local, List<String> before) throws Exception {
        before.forEach(peerA::storeOnly);
        AppProcess app = start(tmp, home, local, T);
        awaitExactly(local, ids(before), 60_000);
        await("position saved at now", 20_000, () -> safePosition(tmp) == T);
        return app;
    }

    static long savedPosition(Path tmp) throws Exception {
        Path f = tmp.resolve("positions/" + NoLossTest.PEER_A + ".json");
        if (!Files.exists(f)) {
            return -1;
        }
        long min = Long.MAX_VALUE;
        for (var t : Fixtures.JSON.readTree(f.toFile()).get("subscriptions")) {
            min = Math.min(min, t.asLong());
        }
        return min;
    }

    @Test
    void killedMidCatchUpThenStartedThreeHoursLater(@TempDir Path tmp) throws Exception {
        List<String> before = notes(100, T - 3000, T - 10, "k9-before");
        List<String> during = notes(3000, T + 1, T + 2400, "k9-catchup");
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").start();
             TestRelay local = new TestRelay().start()) {
            Path home = NoLossTest.home(tmp, peerA);
            try (AppProcess app = startSynced(tmp, home, peerA, local, before)) {
                assertTrue(app.isAlive());
            } // SIGTERM: a clean stop
            during.forEach(peerA::storeOnly);
            local.okDelayMillis(100); // a slow local relay: the catch-up takes long enough to be killed
            // 41 minutes later: a catch-up by REQ pages (within the hour of lookback), killed half way
            try (AppProcess app = start(tmp, home, local, T + 2460)) {
                await("the catch-up under way", 60_000, () -> local.storedCount() >= before.size() + 600);
                app.kill();
                assertTrue(local.storedCount() < before.size() + during.size(), "killed before the end: " + local.storedCount());
            }
            assertEquals(T, savedPosition(tmp), "an unfinished catch-up does not move the position");
            local.okDelayMillis(0);
            List<String> all = new ArrayList<>(before);
            all.addAll(during);
            try (AppProcess app = start(tmp, home, local, T + 3 * 3600)) {
                awaitExactly(local, ids(all), 90_000);
            }
        }
    }

    @Test
    void killedMidLiveBurstThenStartedThreeHoursLater(@TempDir Path tmp) throws Exception {
        List<String> before = notes(100, T - 3000, T - 10, "k9-live-before");
        List<String> burst = notes(3000, T - 200, T - 1, "k9-burst");
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").start();
             TestRelay local = new TestRelay().start()) {
            Path home = NoLossTest.home(tmp, peerA);
            try (AppProcess app = startSynced(tmp, home, peerA, local, before)) {
                local.okDelayMillis(100);
                Thread publisher = new Thread(() -> burst.forEach(peerA::publish));
                publisher.start();
                await("the burst under way", 60_000, () -> local.storedCount() >= before.size() + 600);
                app.kill();
                publisher.join();
                assertTrue(local.storedCount() < before.size() + burst.size(), "killed before the end: " + local.storedCount());
            }
            local.okDelayMillis(0);
            List<String> all = new ArrayList<>(before);
            all.addAll(burst);
            try (AppProcess app = start(tmp, home, local, T + 3 * 3600)) {
                awaitExactly(local, ids(all), 90_000);
            }
        }
    }

    private static long safePosition(Path tmp) {
        try {
            return savedPosition(tmp);
        } catch (Exception e) {
            return -1;
        }
    }
}
