package org.astroport.constellation.sync;

import static org.astroport.constellation.testsupport.Fixtures.ids;
import static org.astroport.constellation.testsupport.RunningApp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.sink.RelayPublishSink;
import org.astroport.constellation.sink.SinkRouter;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.RunningApp;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Nothing lost when a peer drops mid catch-up (relays answer newest first), when the daemon restarts
 * after a long outage, or when the local relay pushes back: each ends with exactly the expected events
 * in the local relay, counted.
 */
class NoLossTest {

    static final String PEER_A = "astroport.example-a.test";
    static final long T = Fixtures.REFERENCE_TIME;

    /** n notes by a monitored author, created_at spread evenly over [from, to]. */
    static List<String> notes(int n, long from, long to, String tag) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long t = n == 1 ? to : from + (to - from) * i / (n - 1);
            out.add(EventSigner.sign(Fixtures.secretOf("member-1"), t, 1, List.of(), tag + " note " + i).toJson());
        }
        return out;
    }


    /** The daemon's settings with the defaults that matter here (one hour of lookback) and a reference time. */
    static Map<String, String> settings(Path tmp, TestRelay local, long now) {
        Map<String, String> m = new HashMap<>(LiveSyncTest.appSettings(tmp, local, false));
        m.put("constellation.reference-time", String.valueOf(now));
        m.put("constellation.live.initial-lookback-seconds", "3600");
        m.put("constellation.positions.dir", tmp.resolve("positions").toString());
        m.put("constellation.live.checkpoint-millis", "200");
        m.put("constellation.positions.commit-millis", "100");
        // the daily backfill must not be what brings the events
        m.put("constellation.backfill.cron", "0 0 0 1 1 ? 2099");
        return m;
    }

    static void awaitExactly(TestRelay local, Set<String> want, long timeoutMillis) throws Exception {
        try {
            await("the local relay holds all " + want.size() + " events", timeoutMillis, () -> local.storedCount() >= want.size());
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + " (it holds " + local.storedCount() + ")");
        }
        Thread.sleep(300);
        assertEquals(want, new TreeSet<>(local.storedIds()));
    }

    static String metrics(RunningApp app) {
        try {
            var c = (java.net.HttpURLConnection) new java.net.URL("http://127.0.0.1:" + app.managementPort + "/observe/metrics").openConnection();
            return new String(c.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (Exception e) {
            return "";
        }
    }

    static Path home(Path tmp, TestRelay peerA) {
        return ZenHome.withPeers(tmp, peerA.url(), "ws://127.0.0.3:1"); // peer B is down
    }

    @ParameterizedTest(name = "dropped after {0} events")
    @ValueSource(ints = {1, 50, 250, 500, 777, 1999})
    void aPeerDroppingMidCatchUpLosesNothing(int k, @TempDir Path tmp) throws Exception {
        List<String> events = notes(2000, T - 3000, T - 10, "drop" + k);
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").dropAfter(k).start();
             TestRelay local = new TestRelay().start()) {
            events.forEach(peerA::storeOnly);
            try (RunningApp app = RunningApp.start(home(tmp, peerA), settings(tmp, local, T))) {
                awaitExactly(local, ids(events), 60_000);
                assertEquals(1, peerA.drops(), "the peer dropped us once");
                await("the position is saved", 10_000, () -> Files.exists(tmp.resolve("positions/" + PEER_A + ".json")));
                JsonNode saved = Fixtures.JSON.readTree(tmp.resolve("positions/" + PEER_A + ".json").toFile());
                saved.get("subscriptions").forEach(t -> assertTrue(t.asLong() <= T, "a position is never later than now: " + saved));
            }
        }
    }

    @Test
    void aFutureDatedEventDoesNotMoveThePositionPastWhatArrived(@TempDir Path tmp) throws Exception {
        List<String> events = new ArrayList<>(notes(1200, T - 3000, T - 10, "future"));
        events.add(EventSigner.sign(Fixtures.secretOf("member-1"), T + 800, 1, List.of(), "from 13 minutes ahead").toJson());
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").dropAfter(100).start();
             TestRelay local = new TestRelay().start()) {
            events.forEach(peerA::storeOnly);
            try (RunningApp app = RunningApp.start(home(tmp, peerA), settings(tmp, local, T))) {
                awaitExactly(local, ids(events), 60_000);
            }
        }
    }

    /** Stopped (or dead) for three hours: the restart closes the whole gap itself, by NIP-77, without waiting for the backfill. */
    @Test
    void aRestartAfterAThreeHourOutageCatchesUpTheWholeOutage(@TempDir Path tmp) throws Exception {
        List<String> before = notes(300, T - 3000, T - 10, "before");
        long later = T + 3 * 3600 + 60;
        List<String> during = notes(3000, T + 1, later - 30, "outage");
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").start();
             TestRelay local = new TestRelay().start()) {
            before.forEach(peerA::storeOnly);
            Path home = home(tmp, peerA);
            try (RunningApp app = RunningApp.start(home, settings(tmp, local, T))) {
                awaitExactly(local, ids(before), 30_000);
                DurablePositions positions = app.bean("syncPositions", DurablePositions.class);
                await("the position reaches now", 10_000, () -> positions.secondsBehind(PEER_A) == 0);
            }
            during.forEach(peerA::storeOnly);
            List<String> all = new ArrayList<>(before);
            all.addAll(during);
            long opensBefore = peerA.negentropyOpens();
            try (RunningApp app = RunningApp.start(home, settings(tmp, local, later))) {
                awaitExactly(local, ids(all), 60_000);
                assertTrue(peerA.negentropyOpens() > opensBefore, "the gap was closed by reconciliation");
                DurablePositions positions = app.bean("syncPositions", DurablePositions.class);
                await("the position reaches now again", 10_000, () -> positions.secondsBehind(PEER_A) == 0);
                // visible to an operator: JMX (Peers.Positions) and the metrics endpoint
                String[] lines = (String[]) java.lang.management.ManagementFactory.getPlatformMBeanServer()
                        .getAttribute(new javax.management.ObjectName("org.astroport.constellation:type=Peers"), "Positions");
                assertTrue(java.util.Arrays.stream(lines).anyMatch(l -> l.startsWith(PEER_A + " " + java.time.Instant.ofEpochSecond(later) + " (0 s behind)")),
                        String.join("\n", lines));
                await("the behind-seconds metric", 10_000, () -> metrics(app).contains("constellation_peer_behind_seconds{peer=\"" + PEER_A + "\"} 0.0"));
            }
        }
    }

    /** rate-limited: and error: are "not now": sent again, then spooled and replayed; blocked: is final. */
    @Test
    void rateLimitedAnswersFromTheLocalRelayAreRetried(@TempDir Path tmp) throws Exception {
        List<String> events = notes(200, T - 3000, T - 10, "limits");
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").start();
             TestRelay local = new TestRelay().refuseNext("rate-limited: slow down", "error: database busy", "rate-limited: still", "blocked: not you")
                     .start()) {
            events.forEach(peerA::storeOnly);
            try (RunningApp app = RunningApp.start(home(tmp, peerA), settings(tmp, local, T))) {
                await("all but one stored", 30_000, () -> local.storedCount() >= events.size() - 1);
                Thread.sleep(500);
                Set<String> missing = ids(events);
                missing.removeAll(local.storedIds());
                assertEquals(1, missing.size(), "exactly the blocked event is missing: " + missing);
                SinkRouter sink = app.bean("sinkRouter", SinkRouter.class);
                assertEquals(Map.of("blocked", 1L), sink.refusedByReason());
                assertTrue(((RelayPublishSink) sink.sink()).retried() >= 3, "retried " + ((RelayPublishSink) sink.sink()).retried());
            }
        }
    }

    @Test
    void pushedBackBeyondTheRetriesTheEventsAreSpooledAndReplayed(@TempDir Path tmp) throws Exception {
        List<String> events = notes(50, T - 3000, T - 10, "spooled");
        // every event refused on its first try and its retry: all spooled, and refused once more on the first replay
        String[] refusals = new String[150];
        java.util.Arrays.fill(refusals, "rate-limited: come back later");
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").start();
             TestRelay local = new TestRelay().refuseNext(refusals).start()) {
            events.forEach(peerA::storeOnly);
            Map<String, String> s = settings(tmp, local, T);
            s.put("constellation.sink.retries", "1");
            s.put("constellation.sink.retry-backoff-millis", "20");
            try (RunningApp app = RunningApp.start(home(tmp, peerA), s)) {
                awaitExactly(local, ids(events), 30_000);
                SinkRouter sink = app.bean("sinkRouter", SinkRouter.class);
                assertTrue(sink.spooled() > 0, "some were spooled: " + sink.spooled());
                assertEquals(Map.of(), sink.refusedByReason());
            }
        }
    }
}
