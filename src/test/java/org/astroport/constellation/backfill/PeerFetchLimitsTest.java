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

/** What one backfill page may hold: a flooding peer is refused, big events are fetched in smaller pages. */
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
                assertTrue(failed.getMessage().contains("more than the 500 events asked for"), failed.getMessage());
                assertTrue(handed.isEmpty(), "nothing of a refused page is ingested");
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
}
