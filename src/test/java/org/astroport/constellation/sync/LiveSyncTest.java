package org.astroport.constellation.sync;

import static org.astroport.constellation.testsupport.RunningApp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import org.astroport.constellation.ingest.PeerStats;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.RunningApp;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole application against two peer relays and a local relay, all real WebSockets on loopback:
 * what the station ends up with is exactly what expected.json says.
 */
public class LiveSyncTest {

    public static Map<String, String> appSettings(Path tmp, TestRelay local, boolean noDms) {
        Map<String, String> m = new HashMap<>();
        m.put("constellation.reference-time", String.valueOf(Fixtures.REFERENCE_TIME));
        m.put("constellation.ipfs.bin", tmp.resolve("no-ipfs").toString());
        m.put("constellation.sink.mode", "relay");
        m.put("constellation.local-relay-url", local.url());
        m.put("constellation.spool.dir", tmp.resolve("spool").toString());
        m.put("constellation.live.initial-lookback-seconds", String.valueOf(5 * 86_400));
        m.put("constellation.live.initial-backoff-millis", "50");
        m.put("constellation.live.max-backoff-millis", "300");
        m.put("constellation.spool.replay-period-millis", "200");
        m.put("constellation.no-dms", String.valueOf(noDms));
        // the test relays listen on 127.0.0.x, which peers' descriptors may not name by default
        m.put("constellation.peers.allow-private", "true");
        return m;
    }

    public static Set<String> expectedImport(boolean noDms) throws Exception {
        JsonNode expected = Fixtures.expected();
        Map<String, Integer> kinds = new HashMap<>();
        for (String line : Fixtures.validLines()) {
            JsonNode e = Fixtures.JSON.readTree(line);
            kinds.put(e.get("id").asText(), e.get("kind").asInt());
        }
        Set<String> ids = new TreeSet<>();
        expected.get("events").get("import").get("ids").forEach(n -> ids.add(n.asText()));
        if (noDms) {
            ids.removeIf(id -> kinds.get(id) == 4);
            assertEquals(expected.get("events").get("importNoDms").get("count").asInt(), ids.size());
        }
        return ids;
    }

    /** Greeting events the peer relay would send us: monitored author, synced and stored kind. */
    static long greetingsThePeerServes(boolean noDms) throws Exception {
        JsonNode expected = Fixtures.expected();
        Set<String> authors = new HashSet<>();
        expected.get("authors").forEach(n -> authors.add(n.get("pubkey").asText()));
        Set<String> greeting = new HashSet<>();
        expected.get("events").get("greeting").forEach(n -> greeting.add(n.asText()));
        List<Integer> kinds = noDms ? org.astroport.constellation.nostr.Kinds.withoutDms(org.astroport.constellation.nostr.Kinds.DEFAULT)
                : org.astroport.constellation.nostr.Kinds.DEFAULT;
        Set<String> counted = new HashSet<>();
        for (String line : Fixtures.validLines()) {
            JsonNode e = Fixtures.JSON.readTree(line);
            int k = e.get("kind").asInt();
            if (greeting.contains(e.get("id").asText()) && authors.contains(e.get("pubkey").asText()) && kinds.contains(k) && !(k >= 20000 && k < 30000)) {
                counted.add(e.get("id").asText());
            }
        }
        return counted.size();
    }

    /** ids of the events the local relay received through EVENT, with how many times each. */
    public static Map<String, Integer> deliveries(TestRelay local) throws Exception {
        Map<String, Integer> n = new HashMap<>();
        for (String f : local.framesReceived()) {
            JsonNode a = Fixtures.JSON.readTree(f);
            if (a.get(0).asText().equals("EVENT")) {
                n.merge(a.get(1).get("id").asText(), 1, Integer::sum);
            }
        }
        return n;
    }

    void streamsTheFixtureExactly(Path tmp, boolean noDms) throws Exception {
        // peer A keeps deleted events (no NIP-09 of its own): dropping them is then our job
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").applyDeletions(false).start();
             TestRelay peerB = new TestRelay().host("127.0.0.3").start();
             TestRelay local = new TestRelay().start()) {
            Fixtures.validLines().forEach(peerA::storeOnly);
            Path home = ZenHome.withPeers(tmp, peerA.url(), peerB.url());
            Set<String> want = expectedImport(noDms);
            try (RunningApp app = RunningApp.start(home, appSettings(tmp, local, noDms))) {
                try {
                    await("the local relay holds the expected events", 20_000, () -> local.storedCount() >= want.size());
                } catch (AssertionError e) {
                    Set<String> missing = new TreeSet<>(want);
                    missing.removeAll(local.storedIds());
                    throw new AssertionError(e.getMessage() + "; stored " + local.storedCount() + ", missing " + missing.size() + " e.g. " + missing.stream().limit(3).toList()
                            + "; peer stats " + app.bean("syncStats", SyncStats.class).peer("astroport.example-a.test").filteredByReason()
                            + " invalid " + app.bean("syncStats", SyncStats.class).peer("astroport.example-a.test").invalidByReason()
                            + " received " + app.bean("syncStats", SyncStats.class).peer("astroport.example-a.test").receivedCount());
                }
                Thread.sleep(500); // anything extra would show up now
                assertEquals(want, new TreeSet<>(local.storedIds()));
                Map<String, Integer> sent = deliveries(local);
                assertEquals(want, new TreeSet<>(sent.keySet()), "exactly the expected events were sent");
                assertTrue(sent.values().stream().allMatch(c -> c == 1), "each once: " + sent);
                assertEquals(1, peerB.connectionsAccepted(), "the other peer is subscribed too");
                PeerStats a = app.bean("syncStats", SyncStats.class).peer("astroport.example-a.test");
                assertEquals(want.size(), a.forwardedCount());
                // the REQ asked for monitored authors and synced kinds only; what is left to filter here is content
                assertEquals(greetingsThePeerServes(noDms), a.filteredByReason().get("content"), a.filteredByReason().toString());
                assertEquals(Fixtures.expected().get("deletedByAuthor").size(), a.filteredByReason().get("deleted"), "every author-deleted event dropped");
            }
        }
    }

    @Test
    void deliversExactlyTheExpectedEventsEachOnce(@TempDir Path tmp) throws Exception {
        streamsTheFixtureExactly(tmp, false);
    }

    @Test
    void withNoDmsDirectMessagesStayOut(@TempDir Path tmp) throws Exception {
        streamsTheFixtureExactly(tmp, true);
    }
}
