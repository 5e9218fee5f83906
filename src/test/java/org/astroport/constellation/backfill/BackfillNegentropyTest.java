package org.astroport.constellation.backfill;

import static org.astroport.constellation.backfill.BackfillCommandTest.cli;
import static org.astroport.constellation.backfill.BackfillCommandTest.config;
import static org.astroport.constellation.testsupport.Fixtures.ids;
import static org.astroport.constellation.backfill.BackfillCommandTest.notes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.astroport.constellation.backfill.BackfillCommandTest.Run;
import org.astroport.constellation.sync.LiveSyncTest;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.LogCapture;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Backfill with NIP-77 over real sockets: only what is missing travels; relays that cannot reconcile
 * (NOTICE, silence, NEG-ERR blocked) are paged with REQ and nothing is lost.
 */
class BackfillNegentropyTest {

    /** 1,300 + 20 events in the window, on peer A (which caps REQ results at 500). */
    static List<String> window() {
        List<String> events = notes("member-1", 1300, Fixtures.REFERENCE_TIME - 10);
        events.addAll(notes("member-2", 20, Fixtures.REFERENCE_TIME - 20));
        return events;
    }

    Run backfill(Path tmp, TestRelay peerA, TestRelay local, Map<String, String> extra) throws Exception {
        Path home = ZenHome.withPeers(tmp, peerA.url(), "ws://127.0.0.3:1"); // down
        Map<String, String> settings = new HashMap<>(extra);
        settings.put("constellation.backfill.negentropy-frame-hex-chars", "8192"); // 4,096-byte messages: several rounds
        Run r = cli(home, config(tmp, local, settings), "backfill", "--no-profiles");
        assertEquals(0, r.status(), r.out() + r.err());
        return r;
    }

    void overlap(Path tmp, int localShare, boolean throughLocalRelay) throws Exception {
        List<String> events = window();
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").maxLimit(500).start();
             TestRelay local = new TestRelay().start()) {
            events.forEach(peerA::storeOnly);
            List<String> already = events.subList(0, events.size() * localShare / 100);
            already.forEach(local::storeOnly);
            Set<String> missing = ids(events);
            missing.removeAll(ids(already));
            Run r = backfill(tmp, peerA, local, Map.of("constellation.backfill.negentropy-through-local-relay", String.valueOf(throughLocalRelay)));
            assertEquals(ids(events), new TreeSet<>(local.storedIds()), localShare + " % local: the local relay ends with everything");
            Map<String, Integer> sent = LiveSyncTest.deliveries(local);
            assertEquals(missing, sent.keySet(), localShare + " % local: exactly the missing events were written");
            assertTrue(r.out().lines().anyMatch(l -> l.equals("SYNC_NEGENTROPY: reconciled=1 fallback=0 need=" + missing.size())), r.out());
            assertTrue(peerA.negentropyOpens() == 1, "one reconciliation");
            // only REQs by id, and none at all when nothing is missing
            List<String> reqs = new ArrayList<>(peerA.reqs());
            assertTrue(reqs.stream().allMatch(q -> q.contains("\"ids\"")), "REQs by id only: " + reqs.size());
            if (missing.isEmpty()) {
                assertTrue(reqs.isEmpty(), "nothing to fetch, nothing asked");
            }
            if (throughLocalRelay) {
                // our side was the local relay's answer: it was never listed
                assertEquals(1, local.negentropyOpens(), "the local relay reconciled");
                assertTrue(local.reqs().isEmpty(), "no listing of the local relay: " + local.reqs());
            } else {
                assertEquals(0, local.negentropyOpens());
                assertTrue(!local.reqs().isEmpty(), "our side listed by REQ pages");
            }
        }
    }

    /** No overlap fetches everything, a partial one only the difference, a full one no event; our side answered by our relay, or listed. */
    @ParameterizedTest(name = "{0} % already local")
    @ValueSource(ints = {0, 90, 100})
    void onlyWhatIsMissingTravels(int localShare, @TempDir Path tmp) throws Exception {
        overlap(tmp.resolve("through"), localShare, true);
        overlap(tmp.resolve("listed"), localShare, false);
    }

    /** Our relay cannot reconcile (no NIP-77, or too many events for its limit): our side is listed, nothing else changes. */
    @Test
    void aLocalRelayThatCannotReconcileIsListedInstead(@TempDir Path tmp) throws Exception {
        List<String> events = window();
        for (String why : List.of("notice", "blocked")) {
            try (TestRelay peerA = new TestRelay().host("127.0.0.2").maxLimit(500).start();
                 TestRelay local = why.equals("notice") ? new TestRelay().negentropy(TestRelay.Negentropy.NOTICE).start()
                         : new TestRelay().negentropyMaxEvents(100).start();
                 LogCapture logs = new LogCapture()) {
                events.forEach(peerA::storeOnly);
                events.subList(0, 600).forEach(local::storeOnly);
                Run r = backfill(tmp.resolve(why), peerA, local, Map.of());
                assertEquals(ids(events), new TreeSet<>(local.storedIds()), why + ": the local relay ends with everything");
                assertTrue(r.out().lines().anyMatch(l -> l.equals("SYNC_NEGENTROPY: reconciled=1 fallback=0 need=" + (events.size() - 600))), r.out());
                assertEquals(1, logs.count("the local relay cannot reconcile"), why + ": said so, once");
                assertTrue(!local.reqs().isEmpty(), why + ": our side listed by REQ pages");
            }
        }
    }

    /**
     * The profile pass (authors without a kind 0 get their full history) lists the local side again: what
     * the first pass brought is not fetched twice. With --days 0 the first pass already asked for the whole
     * history, so there is no second pass at all.
     */
    @Test
    void theProfilePassDoesNotFetchWhatTheFirstPassBrought(@TempDir Path tmp) throws Exception {
        List<String> events = window();
        for (String days : List.of("0", "3650")) {
            try (TestRelay peerA = new TestRelay().host("127.0.0.2").start();
                 TestRelay local = new TestRelay().start()) {
                events.forEach(peerA::storeOnly);
                Path home = ZenHome.withPeers(tmp.resolve("days-" + days), peerA.url(), "ws://127.0.0.3:1");
                Run r = cli(home, config(tmp.resolve("days-" + days), local, Map.of()), "backfill", "--days", days);
                assertEquals(0, r.status(), r.out() + r.err());
                assertTrue(r.out().lines().anyMatch(l -> l.endsWith("fallback=0 need=" + events.size())), r.out());
                assertTrue(LiveSyncTest.deliveries(local).values().stream().allMatch(n -> n == 1), "each event written once");
                assertEquals(ids(events), new TreeSet<>(local.storedIds()), "--days " + days + ": everything arrived");
                // with a window, authors without a profile get their whole history in a second pass; with
                // --days 0 the first pass asked for it already, and every reconciliation the peer saw is one of its own
                assertEquals(!days.equals("0"), r.out().contains("fetching their full history"), r.out());
                if (days.equals("0")) {
                    long reconciled = r.out().lines().filter(l -> l.startsWith("SYNC_NEGENTROPY")).findFirst()
                            .map(l -> Long.parseLong(l.replaceAll(".*reconciled=(\\d+).*", "$1"))).orElseThrow();
                    assertEquals(reconciled, peerA.negentropyOpens(), r.out());
                }
            }
        }
    }

    /**
     * A constellation's peers carry the same events. The local side is listed once per pass, so the second
     * peer's reconciliation finds lacking what the first one brought meanwhile: those ids went to the sink
     * already and are not asked for again. What only the second peer has is still fetched.
     */
    @Test
    void whatAnEarlierPeerBroughtIsNotFetchedAgain(@TempDir Path tmp) throws Exception {
        List<String> shared = window();
        List<String> onlyOnB = notes("member-2", 5, Fixtures.REFERENCE_TIME - 30);
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").maxLimit(500).start();
             TestRelay peerB = new TestRelay().host("127.0.0.3").maxLimit(500).start();
             TestRelay local = new TestRelay().start()) {
            shared.forEach(peerA::storeOnly);
            shared.forEach(peerB::storeOnly);
            onlyOnB.forEach(peerB::storeOnly);
            Path home = ZenHome.withPeers(tmp, peerA.url(), peerB.url());
            // one peer after the other (in parallel, both reconcile before either has brought anything)
            Run r = cli(home, config(tmp, local, Map.of("constellation.backfill.concurrency", "1")), "backfill", "--no-profiles");
            assertEquals(0, r.status(), r.out() + r.err());
            List<String> all = new ArrayList<>(shared);
            all.addAll(onlyOnB);
            assertEquals(ids(all), new TreeSet<>(local.storedIds()), "the local relay ends with everything");
            assertTrue(LiveSyncTest.deliveries(local).values().stream().allMatch(n -> n == 1), "each event written once");
            Set<String> askedA = askedIds(peerA);
            Set<String> askedB = askedIds(peerB);
            // whichever peer went first brought the shared events; the other was asked for its own only
            Set<String> second = askedA.size() < askedB.size() ? askedA : askedB;
            Set<String> expected = askedA.size() < askedB.size() ? Set.of() : ids(onlyOnB);
            assertTrue(second.equals(expected), "the second peer is asked only for what the first did not bring: "
                    + second.size() + " id(s) asked, " + expected.size() + " expected (A " + askedA.size() + ", B " + askedB.size() + ")");
            assertEquals(2, peerA.negentropyOpens() + peerB.negentropyOpens(), "each peer reconciled");
        }
    }

    /** The ids a relay was asked for in REQs by id. */
    static Set<String> askedIds(TestRelay relay) {
        Set<String> out = new TreeSet<>();
        for (String req : relay.reqs()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"ids\":\\[([^\\]]*)\\]").matcher(req);
            while (m.find()) {
                for (String id : m.group(1).split(",")) {
                    out.add(id.trim().replace("\"", ""));
                }
            }
        }
        out.remove("");
        return out;
    }

    void fallsBackToPaging(Path tmp, TestRelay peerA, Map<String, String> extra, String why) throws Exception {
        List<String> events = window();
        try (TestRelay local = new TestRelay().start()) {
            events.forEach(peerA::storeOnly);
            events.subList(0, 600).forEach(local::storeOnly);
            Run r = backfill(tmp, peerA, local, extra);
            assertEquals(ids(events), new TreeSet<>(local.storedIds()), why + ": nothing lost");
            assertTrue(r.out().contains("fallback=1"), r.out());
            assertTrue(peerA.reqs().stream().anyMatch(q -> q.contains("\"until\"")), why + ": paged with until");
        } finally {
            peerA.close();
        }
    }

    @Test
    void aRelayWithoutNip77AnswersNoticeAndIsPaged(@TempDir Path tmp) throws Exception {
        fallsBackToPaging(tmp, new TestRelay().host("127.0.0.2").maxLimit(500).negentropy(TestRelay.Negentropy.NOTICE).start(), Map.of(), "NOTICE");
    }

    @Test
    void aRelayThatIgnoresNegOpenIsPagedAfterTheTimeout(@TempDir Path tmp) throws Exception {
        fallsBackToPaging(tmp, new TestRelay().host("127.0.0.2").maxLimit(500).negentropy(TestRelay.Negentropy.SILENT).start(),
                Map.of("constellation.backfill.negentropy-timeout-millis", "700"), "silence");
    }

    @Test
    void negErrBlockedIsPaged(@TempDir Path tmp) throws Exception {
        fallsBackToPaging(tmp, new TestRelay().host("127.0.0.2").maxLimit(500).negentropyMaxEvents(1000).start(), Map.of(), "NEG-ERR blocked");
    }

    @Test
    void directionBothSendsWhatThePeerLacks(@TempDir Path tmp) throws Exception {
        List<String> events = window();
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").maxLimit(500).start();
             TestRelay local = new TestRelay().start()) {
            events.subList(0, 1000).forEach(peerA::storeOnly);
            events.subList(900, events.size()).forEach(local::storeOnly);
            Run r = backfill(tmp, peerA, local, Map.of("constellation.direction", "both"));
            assertEquals(ids(events), new TreeSet<>(local.storedIds()), "we got what we lacked");
            assertTrue(r.out().contains("need=900 have=320 uploaded=320"), r.out());
            Set<String> uploaded = new TreeSet<>();
            for (String e : peerA.publishedByClients()) {
                uploaded.add(Fixtures.JSON.readTree(e).get("id").asText());
            }
            assertEquals(ids(events.subList(1000, events.size())), uploaded, "the peer got exactly what it lacked");
        }
    }

    @Test
    void anUploadThePeerRefusesIsCountedNotHidden(@TempDir Path tmp) throws Exception {
        List<String> events = window();
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").maxLimit(500).start();
             TestRelay local = new TestRelay().verifyEvents(false).start()) {
            events.forEach(peerA::storeOnly);
            // one event only we have, whose content no longer matches its id: the peer answers OK false
            var damaged = (com.fasterxml.jackson.databind.node.ObjectNode) Fixtures.JSON.readTree(notes("member-3", 1, Fixtures.REFERENCE_TIME - 30).get(0));
            damaged.put("content", "edited after signing");
            local.storeOnly(damaged.toString());
            Run r = backfill(tmp, peerA, local, Map.of("constellation.direction", "both"));
            assertTrue(r.out().contains("have=1 uploaded=0 upload_refused=1"), r.out());
            assertTrue(peerA.publishedByClients().isEmpty(), "the peer stored nothing");
        }
    }
}
