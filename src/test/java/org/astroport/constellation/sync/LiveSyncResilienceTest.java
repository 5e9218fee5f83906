package org.astroport.constellation.sync;

import static org.astroport.constellation.testsupport.Fixtures.ids;
import static org.astroport.constellation.testsupport.RunningApp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import org.astroport.constellation.ingest.PeerStats;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.nostr.NostrEvent;
import org.astroport.constellation.sink.SinkRouter;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.Fixtures.InvalidCase;
import org.astroport.constellation.testsupport.RunningApp;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile input, dropped peers, a sink outage, a relay that wants AUTH: nothing good is lost. */
class LiveSyncResilienceTest {

    static final String PEER_A_NAME = "astroport.example-a.test";

    private static List<String> notes(int n, long base) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            NostrEvent e = EventSigner.sign(Fixtures.secretOf("member-1"), base + i, 1, List.of(), "resilience note " + base + "/" + i);
            out.add(e.toJson());
        }
        return out;
    }


    private static Path home(Path tmp, TestRelay peerA, TestRelay peerB) {
        Path home = ZenHome.withPeers(tmp, peerA.url(), peerB.url());
        return home;
    }

    @Test
    void aSlowSinkSlowsThePeerDownInsteadOfQueueingOnTheHeap(@TempDir Path tmp) throws Exception {
        int batch = 100;
        List<String> events = notes(8_000, Fixtures.REFERENCE_TIME - 20_000);
        // each batch waits ~100 ms for its OKs: the sink takes ~1,000 events/s, the peer offers far more
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").start();
             TestRelay peerB = new TestRelay().host("127.0.0.3").start();
             TestRelay local = new TestRelay().okDelayMillis(100).start()) {
            Map<String, String> settings = LiveSyncTest.appSettings(tmp, local, false);
            settings.put("constellation.sink.batch-size", String.valueOf(batch));
            settings.put("constellation.sink.queued-batches", "1");
            settings.put("constellation.live.queue-high-watermark", "200");
            try (RunningApp app = RunningApp.start(home(tmp, peerA, peerB), settings)) {
                await("subscribed", 10_000, () -> peerA.reqs().size() >= 1);
                PeerStats stats = app.bean("syncStats", SyncStats.class).peer(PEER_A_NAME);
                SinkRouter sink = app.bean("sinkRouter", SinkRouter.class);
                Thread pusher = new Thread(() -> events.forEach(peerA::publish));
                pusher.start();
                long maxBacklog = 0;
                long deadline = System.currentTimeMillis() + 60_000;
                while (local.storedIds().size() < events.size() && System.currentTimeMillis() < deadline) {
                    maxBacklog = Math.max(maxBacklog, stats.acceptedCount() - sink.handled());
                    Thread.sleep(2);
                }
                pusher.join();
                assertEquals(ids(events), new TreeSet<>(local.storedIds()), "every event arrives, late but whole");
                // accepted but not yet written: the batch being filled, one queued and one being written, each at
                // most the batch size plus the largest list ingest takes (200 events), and one list in the hands
                // of each of the two threads that ingest (the peer's worker, and the gap close after the drain
                // closes). Without the bounded writer it grows with the burst, to thousands here.
                System.out.println("slow sink: largest backlog of accepted, unwritten events " + maxBacklog);
                long bound = 3 * (batch + 200) + 2 * 200;
                assertTrue(maxBacklog <= bound, "backlog of accepted events reached " + maxBacklog + " (bound " + bound + ")");
                assertTrue(maxBacklog >= batch, "the sink never fell behind (" + maxBacklog + "): the test proves nothing");
            }
        }
    }

    @Test
    void everyInvalidCaseOverTheWireIsHandledAndCountedWithoutDisturbingTheStream(@TempDir Path tmp) throws Exception {
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").start();
             TestRelay peerB = new TestRelay().host("127.0.0.3").start();
             TestRelay local = new TestRelay().start();
             RunningApp app = RunningApp.start(home(tmp, peerA, peerB), LiveSyncTest.appSettings(tmp, local, false))) {
            await("subscribed", 10_000, () -> peerA.reqs().size() >= 1);
            PeerStats stats = app.bean("syncStats", SyncStats.class).peer(PEER_A_NAME);
            Set<String> acceptedIds = new HashSet<>();
            for (InvalidCase c : Fixtures.invalidCases()) {
                long before = stats.decided();
                long refusedFramesBefore = stats.invalidByReason().getOrDefault("malformed-frame", 0L);
                peerA.sendToSubscribers(c.wire());
                await("case #" + c.number() + " decided", 10_000, () -> stats.decided() > before
                        || stats.invalidByReason().getOrDefault("malformed-frame", 0L) > refusedFramesBefore);
                if (c.expect().equals("accept")) {
                    String id = Fixtures.JSON.readTree(c.wire()).get("id").asText();
                    acceptedIds.add(id);
                    await("accepted case #" + c.number() + " reaches the local relay", 5_000, () -> local.storedIds().contains(id));
                }
            }
            // nothing refused slipped through: the local relay holds exactly the accepted cases
            Thread.sleep(300);
            assertEquals(acceptedIds, new HashSet<>(local.storedIds()));
            assertFalse(acceptedIds.isEmpty()); // the three accept cases are one event written three ways: stored once
            assertTrue(stats.invalidTotal() > 40, stats.invalidByReason().toString());
            assertEquals(1L, stats.filteredByReason().get("future"), stats.filteredByReason().toString());
            assertEquals(1L, stats.filteredByReason().get("too-large"));
            assertTrue(stats.invalidByReason().containsKey("too-large"), "600 kB refused before parsing");
            assertTrue(stats.invalidByReason().containsKey("id-mismatch") && stats.invalidByReason().containsKey("bad-signature"));
            // and the stream goes on
            List<String> after = notes(5, Fixtures.REFERENCE_TIME - 50);
            after.forEach(peerA::publish);
            Set<String> want = ids(after);
            await("live events still flow", 5_000, () -> local.storedIds().containsAll(want));
        }
    }

    @Test
    void peerDroppedAndRestartedLosesNothing(@TempDir Path tmp) throws Exception {
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").start();
             TestRelay peerB = new TestRelay().host("127.0.0.3").start();
             TestRelay local = new TestRelay().start();
             RunningApp app = RunningApp.start(home(tmp, peerA, peerB), LiveSyncTest.appSettings(tmp, local, false))) {
            await("subscribed", 10_000, () -> peerA.reqs().size() >= 1);
            List<String> all = notes(200, Fixtures.REFERENCE_TIME - 1000);
            for (int i = 0; i < 60; i++) {
                peerA.publish(all.get(i));
            }
            peerA.dropAllConnections(); // mid-stream
            for (int i = 60; i < 100; i++) {
                peerA.publish(all.get(i)); // nobody subscribed right now: only the catch-up can bring these
            }
            int port = peerA.port();
            peerA.stop();
            for (int i = 100; i < 200; i++) {
                peerA.storeOnly(all.get(i)); // published while the relay was down for us
            }
            peerA.start(port);
            Set<String> want = ids(all);
            await("everything arrives after the peer comes back", 15_000, () -> local.storedIds().containsAll(want));
            assertTrue(app.bean("syncStats", SyncStats.class).peer(PEER_A_NAME).reconnects() >= 1);
        }
    }

    @Test
    void catchUpPagesPastTheRelaysPerFilterCap(@TempDir Path tmp) throws Exception {
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").maxLimit(500).start();
             TestRelay peerB = new TestRelay().host("127.0.0.3").start();
             TestRelay local = new TestRelay().start()) {
            // 1,200 notes of one member in one filter, and older notes of another member in another filter
            List<String> many = notes(1200, Fixtures.REFERENCE_TIME - 5000);
            List<String> older = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                older.add(EventSigner.sign(Fixtures.secretOf("member-2"), Fixtures.REFERENCE_TIME - 80_000 + i, 1, List.of(), "older " + i).toJson());
            }
            many.forEach(peerA::storeOnly);
            older.forEach(peerA::storeOnly);
            Map<String, String> settings = new java.util.HashMap<>(LiveSyncTest.appSettings(tmp, local, false));
            settings.put("constellation.req.authors-per-filter", "2"); // many filters in one REQ
            try (RunningApp app = RunningApp.start(home(tmp, peerA, peerB), settings)) {
                Set<String> want = ids(many);
                want.addAll(ids(older));
                await("all 1,210 events despite the 500 cap", 20_000, () -> local.storedIds().containsAll(want));
                assertTrue(peerA.reqs().size() >= 3, "paged: " + peerA.reqs().size() + " REQs");
            }
        }
    }

    @Test
    void sinkOutageSpoolsThenReplaysInOrder(@TempDir Path tmp) throws Exception {
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").start();
             TestRelay peerB = new TestRelay().host("127.0.0.3").start();
             TestRelay local = new TestRelay().start();
             RunningApp app = RunningApp.start(home(tmp, peerA, peerB), LiveSyncTest.appSettings(tmp, local, false))) {
            await("subscribed", 10_000, () -> peerA.reqs().size() >= 1);
            SinkRouter sink = app.bean("sinkRouter", SinkRouter.class);
            int port = local.port();
            local.stop();
            List<String> during = notes(50, Fixtures.REFERENCE_TIME - 500);
            during.forEach(peerA::publish);
            await("spooled while the local relay is down", 10_000, () -> sink.spooled() == 50);
            assertTrue(sink.downSinceMillis() > 0);
            assertTrue(Files.list(tmp.resolve("spool")).findAny().isPresent(), "on disk");
            local.start(port);
            Set<String> want = ids(during);
            await("replayed once the relay is back", 15_000, () -> local.storedIds().containsAll(want));
            await("spool drained", 5_000, () -> sink.spool().isEmpty() && sink.downSinceMillis() == 0);
            // replay kept the original order
            List<String> order = new ArrayList<>();
            for (String f : local.framesReceived()) {
                JsonNode a = Fixtures.JSON.readTree(f);
                if (a.get(0).asText().equals("EVENT") && want.contains(a.get(1).get("id").asText()) && !order.contains(a.get(1).get("id").asText())) {
                    order.add(a.get(1).get("id").asText());
                }
            }
            List<String> sentOrder = new ArrayList<>();
            for (String e : during) {
                sentOrder.add(Fixtures.JSON.readTree(e).get("id").asText());
            }
            assertEquals(sentOrder, order);
        }
    }

    @Test
    void relayDemandingAuthGetsIt(@TempDir Path tmp) throws Exception {
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").requireAuth(true).start();
             TestRelay peerB = new TestRelay().host("127.0.0.3").start();
             TestRelay local = new TestRelay().start()) {
            List<String> stored = notes(20, Fixtures.REFERENCE_TIME - 300);
            stored.forEach(peerA::storeOnly);
            try (RunningApp app = RunningApp.start(home(tmp, peerA, peerB), LiveSyncTest.appSettings(tmp, local, false))) {
                Set<String> want = ids(stored);
                await("events flow once authenticated", 10_000, () -> local.storedIds().containsAll(want));
                assertEquals(Set.of(Fixtures.pubkeyOf("station")), peerA.authenticatedPubkeys());
                // after a reconnect the new challenge is answered again
                peerA.dropAllConnections();
                List<String> later = notes(5, Fixtures.REFERENCE_TIME - 100);
                await("reconnected and re-authenticated", 10_000, () -> peerA.connectionsAccepted() >= 2 && peerA.liveConnections() == 1);
                Thread.sleep(300);
                later.forEach(peerA::publish);
                Set<String> want2 = ids(later);
                await("live events after re-auth", 10_000, () -> local.storedIds().containsAll(want2));
            }
        }
    }

    @Test
    void strfryImportSinkGetsNdjsonBatches(@TempDir Path tmp) throws Exception {
        Path imported = tmp.resolve("imported.ndjson");
        Path fake = tmp.resolve("strfry");
        // a stand-in with strfry's command line: `strfry [--config=X] import --no-verify ...` reading NDJSON on stdin
        org.astroport.constellation.testsupport.FakeStrfry.importer(fake, imported,
                "for a in \"$@\"; do echo \"$a\" >> '" + tmp.resolve("args.log") + "'; done\n"
                + "[ \"$1\" = import ] || [ \"$2\" = import ] || exit 2", "");
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").applyDeletions(false).start();
             TestRelay peerB = new TestRelay().host("127.0.0.3").start();
             TestRelay unused = new TestRelay().start()) {
            Fixtures.validLines().forEach(peerA::storeOnly);
            Map<String, String> settings = new java.util.HashMap<>(LiveSyncTest.appSettings(tmp, unused, false));
            settings.put("constellation.sink.mode", "import");
            settings.put("constellation.strfry.bin", fake.toString());
            // what the sink's probe checks: without them the sink is down (and spools) from the first probe on
            Path db = Files.createDirectories(tmp.resolve("strfry-db"));
            settings.put("constellation.strfry.config", Files.writeString(tmp.resolve("strfry.conf"), "db = \"" + db + "/\"\n").toString());
            try (RunningApp app = RunningApp.start(home(tmp, peerA, peerB), settings)) {
                Set<String> want = LiveSyncTest.expectedImport(false);
                await("imported", 20_000, () -> Files.exists(imported) && lines(imported).size() >= want.size());
                Thread.sleep(300);
                List<String> lines = lines(imported);
                assertEquals(want, ids(lines));
                assertEquals(want.size(), lines.size(), "each once");
                assertTrue(Files.readString(tmp.resolve("args.log")).contains("--no-verify"));
                assertTrue(Files.readString(tmp.resolve("args.log")).contains("--debounce-millis=5"), "strfry commits as it reads");
                assertEquals(1, org.astroport.constellation.testsupport.FakeStrfry.starts(fake).size(), "one child for every batch");
                assertFalse(lines.isEmpty());
                assertEquals(0, unused.framesReceived().size(), "import mode does not publish");
            }
            // stopping the daemon closes the child's input: it says Done. and exits on its own
            assertTrue(org.astroport.constellation.testsupport.FakeStrfry.awaitAllEnded(fake, 10_000), "no strfry import outlives the daemon");
            assertEquals(1, org.astroport.constellation.testsupport.FakeStrfry.endedOnTheirOwn(imported), "it ended on its own, not killed");
        }
    }

    private static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p).stream().filter(l -> !l.isBlank()).toList();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }
}
