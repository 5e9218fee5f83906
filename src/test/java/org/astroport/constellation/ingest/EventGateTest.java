package org.astroport.constellation.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.astroport.constellation.nostr.EventParser;
import org.astroport.constellation.nostr.EventPolicy;
import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.nostr.NostrEvent;
import org.astroport.constellation.relay.NostrRelayConstants;
import org.astroport.constellation.testsupport.Fixtures;
import org.junit.jupiter.api.Test;

/** The cheap rules run before the signature check; a deletion counts only once verified. */
class EventGateTest {

    final DeletionTracker deletions = new DeletionTracker(100);
    final SyncStats stats = new SyncStats();
    final String monitored = Fixtures.pubkeyOf("member-1");
    final EventGate gate = new EventGate(new EventParser(EventParser.DEFAULT_MAX_BYTES),
            new EventPolicy(Clock.fixed(Instant.ofEpochSecond(Fixtures.REFERENCE_TIME), ZoneOffset.UTC), 900, 65_536),
            () -> Set.of(1, 5), monitored::equals, Set::of, List.of("Hello NOSTR visitor."), deletions, stats, new SeenEvents(100));

    /** The event's JSON with its signature replaced: well-formed, but the check would fail. */
    static String forged(NostrEvent e) {
        String json = e.toJson();
        String sig = e.sig();
        return json.replace(sig, (sig.charAt(0) == 'a' ? "b" : "a") + sig.substring(1));
    }

    /** What became of the event, through the screen and admit steps on a batch of one: "ok", else "filtered <reason>" or "invalid <reason>" as counted. */
    String run(String json) {
        PeerStats ps = stats.peer("peer");
        Map<String, Long> filtered = Map.copyOf(ps.filteredByReason());
        Map<String, Long> invalid = Map.copyOf(ps.invalidByReason());
        Exchange ex = new DefaultExchange(new DefaultCamelContext());
        ex.getMessage().setBody(List.of(ReceivedEvent.of(json)));
        ex.getMessage().setHeader(NostrRelayConstants.PEER, "peer");
        gate.screen(ex);
        gate.admit(ex);
        if (!ex.getMessage().getBody(List.class).isEmpty()) {
            return "ok";
        }
        for (Map.Entry<String, Long> e : ps.filteredByReason().entrySet()) {
            if (!e.getValue().equals(filtered.get(e.getKey()))) {
                return "filtered " + e.getKey();
            }
        }
        for (Map.Entry<String, Long> e : ps.invalidByReason().entrySet()) {
            if (!e.getValue().equals(invalid.get(e.getKey()))) {
                return "invalid " + e.getKey();
            }
        }
        return "dropped, not counted";
    }

    @Test
    void aForgedEventNobodyWantsIsFilteredWithoutItsSignatureBeingChecked() {
        NostrEvent stranger = EventSigner.sign(Fixtures.secretOf("stranger-1"), Fixtures.REFERENCE_TIME - 10, 1, List.of(), "hello");
        // checked first, the signature would make this "invalid"
        assertEquals("filtered author", run(forged(stranger)));
        NostrEvent wrongKind = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 10, 30023, List.of(), "article");
        assertEquals("filtered kind", run(forged(wrongKind)));
    }

    /** The policy's size limit counts UTF-8 bytes: only events that could be over it are counted, and those exactly. */
    @Test
    void theSizeLimitCountsBytesNotChars() {
        int overhead = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 10, 1, List.of(), "").toJson().length();
        // 3-byte chars: under the limit in chars, over it in bytes by one
        String over = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 10, 1, List.of(),
                "\u20ac".repeat((65_536 - overhead) / 3) + "x".repeat((65_536 - overhead) % 3 + 1)).toJson();
        assertEquals(65_537, over.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        assertEquals("filtered too-large", run(over));
        String at = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 10, 1, List.of(),
                "\u20ac".repeat((65_536 - overhead) / 3) + "x".repeat((65_536 - overhead) % 3)).toJson();
        assertEquals(65_536, at.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        assertEquals("ok", run(at));
    }

    @Test
    void aForgedEventOfAMonitoredAuthorIsStillRefused() {
        NostrEvent note = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 10, 1, List.of(), "hello");
        assertEquals("invalid bad-signature", run(forged(note)));
        assertEquals("ok", run(note.toJson()));
    }

    @Test
    void aForgedDeletionDeletesNothing() {
        NostrEvent note = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 10, 1, List.of(), "keep me");
        NostrEvent deletion = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 5, 5, List.of(List.of("e", note.id())), "");
        assertEquals("invalid bad-signature", run(forged(deletion)));
        assertFalse(deletions.isDeleted(note), "an unverified deletion was recorded");
        assertEquals("ok", run(note.toJson()));
    }

    /**
     * A large batch verified on several threads comes out as on one: the same events accepted, in order,
     * forged ones refused wherever they sit, and a deletion applies to the events after it in the batch.
     */
    @Test
    void aLargeBatchVerifiedInPartsOnSeveralThreadsGivesWhatOneThreadGives() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<String> batch = new ArrayList<>();
            NostrEvent doomed = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 3000, 1, List.of(), "deleted later in the batch");
            for (int i = 0; i < 300; i++) {
                NostrEvent e = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 2000 + i, 1, List.of(), "note " + i);
                batch.add(i % 37 == 5 ? forged(e) : e.toJson());
                if (i == 150) {
                    batch.add(EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 1000, 5, List.of(List.of("e", doomed.id())), "").toJson());
                }
            }
            batch.add(doomed.toJson()); // after its deletion: filtered as deleted, not accepted
            List<String> alone = accepted(gate, batch);
            DeletionTracker otherDeletions = new DeletionTracker(100);
            SyncStats parallelStats = new SyncStats();
            EventGate parallel = new EventGate(new EventParser(EventParser.DEFAULT_MAX_BYTES),
                    new EventPolicy(Clock.fixed(Instant.ofEpochSecond(Fixtures.REFERENCE_TIME), ZoneOffset.UTC), 900, 65_536),
                    () -> Set.of(1, 5), monitored::equals, Set::of, List.of("Hello NOSTR visitor."), otherDeletions, parallelStats, new SeenEvents(1000), pool, 3);
            List<String> inParts = accepted(parallel, batch);
            assertEquals(300 - 8 + 1, alone.size(), "292 notes and the deletion");
            assertEquals(alone, inParts);
            assertEquals(Map.of("bad-signature", 8L), parallelStats.peer("peer").invalidByReason());
            assertEquals(Map.of("deleted", 1L), parallelStats.peer("peer").filteredByReason());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A helper thread that gets no core (here: busy with something else until the batch is done) costs the
     * caller nothing: it verifies the whole batch itself instead of waiting for the helper's share.
     */
    @Test
    void aBatchDoesNotWaitForAHelperThatNeverStarts() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(1);
        CountDownLatch release = new CountDownLatch(1);
        try {
            pool.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            List<String> batch = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                NostrEvent e = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 2000 + i, 1, List.of(), "note " + i);
                batch.add(i == 190 ? forged(e) : e.toJson());
            }
            SyncStats helperStats = new SyncStats();
            EventGate withBusyHelper = new EventGate(new EventParser(EventParser.DEFAULT_MAX_BYTES),
                    new EventPolicy(Clock.fixed(Instant.ofEpochSecond(Fixtures.REFERENCE_TIME), ZoneOffset.UTC), 900, 65_536),
                    () -> Set.of(1, 5), monitored::equals, Set::of, List.of(), new DeletionTracker(100), helperStats, new SeenEvents(1000), pool, 1);
            List<String> out = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> accepted(withBusyHelper, batch), "the batch waited for a helper thread that had no time for it");
            assertEquals(199, out.size());
            assertEquals(Map.of("bad-signature", 1L), helperStats.peer("peer").invalidByReason());
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    /** The ids the gate accepts from one batch, in order. */
    private static List<String> accepted(EventGate g, List<String> batch) {
        Exchange ex = new DefaultExchange(new DefaultCamelContext());
        ex.getMessage().setBody(batch.stream().map(ReceivedEvent::of).toList());
        ex.getMessage().setHeader(NostrRelayConstants.PEER, "peer");
        g.screen(ex);
        g.admit(ex);
        return ((List<?>) ex.getMessage().getBody(List.class)).stream().map(e -> ((SinkEvent) e).id()).toList();
    }
}
