package org.astroport.constellation.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.vertx.core.Vertx;
import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.nostr.Filter;
import org.astroport.constellation.relay.EventPeek;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What one backfill page may hold: a flooding peer is refused, events published while a page is answered are
 * taken and skip nothing, big events are fetched in smaller pages.
 */
class PeerFetchLimitsTest {

    final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close();
    }

    @Test
    void aPeerThatNeverSendsEoseIsRefusedWithoutHoldingItsFlood() throws Exception {
        try (TestRelay peer = new TestRelay().start()) {
            peer.storeOnly(EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME, 1, List.of(), "again and again").toJson());
            peer.floodReqs(60_000);
            try (PeerFetch fetch = new PeerFetch(vertx, peer.url(), peer.url(), null, Clock.systemUTC(), 20_000)) {
                fetch.open();
                List<String> handed = new ArrayList<>();
                PeerFetch.FetchFailed failed = assertThrows(PeerFetch.FetchFailed.class,
                        () -> fetch.fetchAll(Filter.builder().kinds(List.of(1)).build(), 500, handed::add, null));
                assertTrue(failed.getMessage().contains("more than 1000 events for the 500 asked for"), failed.getMessage());
                assertTrue(handed.isEmpty(), "nothing of a refused page is ingested");
            }
        }
    }

    /**
     * 1,200 stored events, a second apart, and 300 published while the first page is answered, sent amid it before
     * the EOSE and dated 5,000 s back (an old note re-broadcast). The first page brings 800 events: taken, not
     * refused, and the next page goes on from its 500th newest, not from the re-broadcast ones (which would skip
     * the 700 stored events between).
     */
    @Test
    void eventsPublishedWhileAPageIsAnsweredAreTakenAndSkipNothing() throws Exception {
        Set<String> want = new TreeSet<>();
        List<String> meanwhile = new ArrayList<>();
        try (TestRelay peer = new TestRelay().start()) {
            for (int i = 0; i < 1200; i++) {
                var e = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 1 - i, 1, List.of(), "stored " + i);
                want.add(e.id());
                peer.storeOnly(e.toJson());
            }
            for (int i = 0; i < 300; i++) {
                var e = EventSigner.sign(Fixtures.secretOf("member-2"), Fixtures.REFERENCE_TIME - 5000 - i, 1, List.of(), "re-broadcast " + i);
                want.add(e.id());
                meanwhile.add(e.toJson());
            }
            peer.publishDuringNextAnswer(200, meanwhile);
            try (PeerFetch fetch = new PeerFetch(vertx, peer.url(), peer.url(), null, Clock.systemUTC(), 20_000)) {
                fetch.open();
                Set<String> got = new TreeSet<>();
                fetch.fetchAll(Filter.builder().kinds(List.of(1)).build(), 500, e -> got.add(EventPeek.of(e).id()), null);
                Set<String> missing = new TreeSet<>(want);
                missing.removeAll(got);
                assertEquals(0, missing.size(), "events never fetched (of " + want.size() + ")");
                assertEquals(want, got);
                assertTrue(peer.reqs().get(1).contains("\"until\":" + (Fixtures.REFERENCE_TIME - 500)),
                        "the second page goes on from the first page's 500th newest event: " + peer.reqs().get(1));
            }
        }
    }

    /** 200 events of 60 KB (12 MB) in one page of 500: read in pages cut at 8 MB, none missed. */
    @Test
    void bigEventsComeInPagesCutBySizeAndNoneIsMissed() throws Exception {
        String filler = "y".repeat(60_000);
        Set<String> want = new TreeSet<>();
        try (TestRelay peer = new TestRelay().start()) {
            for (int i = 0; i < 200; i++) {
                var e = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - i, 1, List.of(), i + filler);
                want.add(e.id());
                peer.storeOnly(e.toJson());
            }
            try (PeerFetch fetch = new PeerFetch(vertx, peer.url(), peer.url(), null, Clock.systemUTC(), 20_000)) {
                fetch.open();
                Set<String> got = new TreeSet<>();
                fetch.fetchAll(Filter.builder().kinds(List.of(1)).build(), 500, e -> got.add(EventPeek.of(e).id()), null);
                assertEquals(want, got);
                assertTrue(peer.reqs().size() >= 2, "more than one page: " + peer.reqs().size());
                Set<String> byId = new TreeSet<>();
                fetch.fetchIds(new ArrayList<>(want), 500, e -> byId.add(EventPeek.of(e).id()));
                assertEquals(want, byId, "by id too, the ones cut off are asked for again");
            }
        }
    }
    /**
     * 1,200 events by four authors in one second, more than the relay's page of 500, with older events below it:
     * {@code until} cannot page inside a second, so that second is asked for by halves of the authors, and paging
     * then goes on below it. Before, the 700 that did not fit were skipped without a word.
     */
    @Test
    void aSecondHoldingMoreThanAPageIsFetchedWhole() throws Exception {
        Set<String> want = new TreeSet<>();
        List<String> authors = new ArrayList<>();
        try (TestRelay peer = new TestRelay().start()) {
            for (int a = 1; a <= 4; a++) {
                authors.add(Fixtures.pubkeyOf("member-" + a));
                for (int i = 0; i < 300; i++) {
                    var e = EventSigner.sign(Fixtures.secretOf("member-" + a), Fixtures.REFERENCE_TIME - 100, 1, List.of(), "same second " + a + "/" + i);
                    want.add(e.id());
                    peer.storeOnly(e.toJson());
                }
            }
            for (int i = 0; i < 50; i++) {
                var e = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 101 - i, 1, List.of(), "older " + i);
                want.add(e.id());
                peer.storeOnly(e.toJson());
            }
            try (PeerFetch fetch = new PeerFetch(vertx, peer.url(), peer.url(), null, Clock.systemUTC(), 20_000)) {
                fetch.open();
                Set<String> got = new TreeSet<>();
                fetch.fetchAll(Filter.builder().authors(authors).kinds(List.of(1)).build(), 500, e -> got.add(EventPeek.of(e).id()), null);
                Set<String> missing = new TreeSet<>(want);
                missing.removeAll(got);
                assertEquals(0, missing.size(), "events never fetched (of " + want.size() + ")");
                assertEquals(0, fetch.beyondReach());
            }
        }
    }

    /**
     * 700 events by one author of one kind in one second: no narrower REQ exists, so 200 of them stay out of
     * reach. That is counted (and logged), and the paging still goes on to the older events.
     */
    @Test
    void aSecondNoFilterCanCutIsCountedAndPagingGoesOn() throws Exception {
        Set<String> older = new TreeSet<>();
        try (TestRelay peer = new TestRelay().start()) {
            for (int i = 0; i < 700; i++) {
                peer.storeOnly(EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 100, 1, List.of(), "same second " + i).toJson());
            }
            for (int i = 0; i < 50; i++) {
                var e = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 101 - i, 1, List.of(), "older " + i);
                older.add(e.id());
                peer.storeOnly(e.toJson());
            }
            try (PeerFetch fetch = new PeerFetch(vertx, peer.url(), peer.url(), null, Clock.systemUTC(), 20_000)) {
                fetch.open();
                Set<String> got = new TreeSet<>();
                fetch.fetchAll(Filter.builder().authors(List.of(Fixtures.pubkeyOf("member-1"))).kinds(List.of(1)).build(), 500,
                        e -> got.add(EventPeek.of(e).id()), null);
                assertEquals(1, fetch.beyondReach(), "the second no REQ can reach whole is counted");
                assertTrue(got.containsAll(older), "the events below that second are fetched");
                assertEquals(550, got.size(), "a page of the second, and the 50 older");
            }
        }
    }
}
