package org.astroport.constellation.sync;

import static org.astroport.constellation.sync.NoLossTest.T;
import static org.astroport.constellation.testsupport.Fixtures.ids;
import static org.astroport.constellation.sync.NoLossTest.notes;
import static org.astroport.constellation.testsupport.RunningApp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.testsupport.AppProcess;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.RunningApp;
import org.astroport.constellation.testsupport.StrfryProcess;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The no-loss scenarios against real strfry relays (newest first, 500 per filter, NIP-77): the peer's
 * relay killed and restarted during the catch-up, the daemon killed with SIGKILL. Needs STRFRY_BIN.
 */
@EnabledIfEnvironmentVariable(named = StrfryProcess.ENV, matches = ".+")
class StrfryNoLossTest {

    static Map<String, String> settings(Path tmp, StrfryProcess local, long now) {
        Map<String, String> s = new HashMap<>();
        s.put("constellation.reference-time", String.valueOf(now));
        s.put("constellation.ipfs.bin", tmp.resolve("no-ipfs").toString());
        s.put("constellation.sink.mode", "import");
        s.put("constellation.strfry.bin", local.bin());
        s.put("constellation.strfry.config", local.config().toString());
        s.put("constellation.local-relay-url", local.url());
        s.put("constellation.spool.dir", tmp.resolve("spool").toString());
        s.put("constellation.positions.dir", tmp.resolve("positions").toString());
        s.put("constellation.live.initial-backoff-millis", "200");
        s.put("constellation.live.max-backoff-millis", "1000");
        s.put("constellation.backfill.cron", "0 0 0 1 1 ? 2099");
        s.put("constellation.peers.allow-private", "true"); // the peers listen on 127.0.0.x
        return s;
    }

    static void awaitExactly(StrfryProcess local, Set<String> want, long timeoutMillis) throws Exception {
        await("the local strfry holds all " + want.size() + " events", timeoutMillis, () -> {
            try {
                Thread.sleep(500); // each count is a strfry process
                return local.count() >= want.size();
            } catch (Exception e) {
                return false;
            }
        });
        Thread.sleep(1000);
        assertEquals(want, local.storedIds());
    }

    /** 20,000 events of the last 50 minutes; the peer's relay dies 2 s into the catch-up and is back 3 s later. */
    @Test
    void thePeersRelayKilledAndRestartedDuringTheCatchUp(@TempDir Path tmp) throws Exception {
        List<String> events = notes(20_000, T - 3000, T - 10, "strfry-drop");
        try (StrfryProcess peerA = StrfryProcess.create(tmp.resolve("peer-a"), "127.0.0.2");
             StrfryProcess local = StrfryProcess.create(tmp.resolve("local"))) {
            Path home = running(tmp, peerA, events, local);
            try (RunningApp app = RunningApp.start(home, settings(tmp, local, T))) {
                var stats = app.bean("syncStats", SyncStats.class).peer(NoLossTest.PEER_A);
                await("the catch-up under way", 60_000, () -> stats.receivedCount() > 0);
                Thread.sleep(2000);
                peerA.killRelay();
                long received = stats.receivedCount();
                Thread.sleep(3000);
                peerA.startRelay();
                System.out.println("peer relay killed after " + received + " events received");
                awaitExactly(local, ids(events), 180_000);
                assertTrue(stats.reconnects() >= 1, "reconnected");
            }
        }
    }

    @Test
    void theDaemonKilledMidCatchUpThenStartedThreeHoursLater(@TempDir Path tmp) throws Exception {
        List<String> before = notes(100, T - 3000, T - 10, "strfry-k9-before");
        List<String> during = notes(10_000, T + 1, T + 2400, "strfry-k9-during");
        try (StrfryProcess peerA = StrfryProcess.create(tmp.resolve("peer-a"), "127.0.0.2");
             StrfryProcess local = StrfryProcess.create(tmp.resolve("local"))) {
            Path home = running(tmp, peerA, before, local);
            try (AppProcess app = start(tmp, home, local, T)) {
                awaitExactly(local, ids(before), 60_000);
                await("position saved at now", 20_000, () -> position(tmp) == T);
            }
            peerA.importLines(during);
            Map<String, String> slow = new HashMap<>();
            slow.put("constellation.sink.batch-size", "500"); // small batches: the kill lands mid catch-up
            try (AppProcess app = start(tmp, home, local, T + 2460, slow)) {
                await("the catch-up under way", 120_000, () -> {
                    try {
                        Thread.sleep(300);
                        return local.count() >= before.size() + 1000;
                    } catch (Exception e) {
                        return false;
                    }
                });
                app.kill();
            }
            long afterKill = local.count();
            System.out.println("daemon killed with " + afterKill + " events in the local strfry");
            assertTrue(afterKill < before.size() + during.size(), "killed before the end");
            assertEquals(T, position(tmp), "an unfinished catch-up does not move the position");
            List<String> all = new ArrayList<>(before);
            all.addAll(during);
            try (AppProcess app = start(tmp, home, local, T + 3 * 3600)) {
                awaitExactly(local, ids(all), 180_000);
            }
        }
    }

    /** Peer A holding these events and the local strfry, both running; the station home that points at peer A. */
    static Path running(Path tmp, StrfryProcess peerA, List<String> events, StrfryProcess local) throws Exception {
        peerA.importLines(events);
        peerA.startRelay();
        local.startRelay();
        return ZenHome.withPeers(tmp, peerA.url(), "ws://127.0.0.3:1");
    }

    static AppProcess start(Path tmp, Path home, StrfryProcess local, long now) throws Exception {
        return start(tmp, home, local, now, Map.of());
    }

    static AppProcess start(Path tmp, Path home, StrfryProcess local, long now, Map<String, String> extra) throws Exception {
        Map<String, String> s = settings(tmp, local, now);
        s.put("constellation.node-id", Fixtures.LOCAL_NODE_ID);
        s.put("camel.management.enabled", "false");
        s.putAll(extra);
        return AppProcess.start(tmp, List.of("-Xmx256m"), s, "--home", home.toString(), "run");
    }

    static long position(Path tmp) {
        try {
            return KillNineTest.savedPosition(tmp);
        } catch (Exception e) {
            return -1;
        }
    }
}
