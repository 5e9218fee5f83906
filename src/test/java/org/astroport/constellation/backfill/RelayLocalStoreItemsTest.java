package org.astroport.constellation.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.vertx.core.Vertx;
import org.astroport.constellation.negentropy.NegentropyItems;
import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.nostr.Filter;
import org.astroport.constellation.nostr.NostrEvent;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A relay-sink station's own side of a reconciliation, listed from its relay off the frames (no event
 * parsed or kept): every stored event of the filter once, across pages of 500 that end inside a second.
 */
class RelayLocalStoreItemsTest {

    final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close();
    }

    @Test
    void everyStoredEventOfTheFilterIsListedOnceAcrossPages() throws Exception {
        Set<String> want = new TreeSet<>();
        try (TestRelay local = new TestRelay().start()) {
            // 1,234 notes, 7 per second: each page of 500 ends inside a second, which the next page asks again
            for (int i = 0; i < 1_234; i++) {
                NostrEvent e = EventSigner.sign(Fixtures.secretOf("member-" + (1 + i % 3)), Fixtures.REFERENCE_TIME - 5_000 + i / 7, 1, List.of(),
                        "note \"id\":\"" + "0".repeat(64) + "\" " + i);
                want.add(e.createdAt() + " " + e.id());
                local.storeOnly(e.toJson());
            }
            // not in the filter: another kind, and a note older than since
            local.storeOnly(EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 100, 7, List.of(), "+").toJson());
            local.storeOnly(EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 9_000, 1, List.of(), "old").toJson());
            Filter notes = Filter.builder().kinds(List.of(1)).since(Fixtures.REFERENCE_TIME - 6_000).build();

            Set<String> listed = read(new RelayLocalStore(vertx, local.url(), 20_000).items(notes));

            assertEquals(want, listed);
            // the generic listing (every event handed over as text) agrees
            assertEquals(want, read(new RelayLocalStore(vertx, local.url(), 20_000) {
                @Override
                public NegentropyItems items(Filter filter) throws Exception {
                    StoredItems items = new StoredItems();
                    scan(filter, items::add);
                    return items.seal();
                }
            }.items(notes)));
        }
    }

    @Test
    void aRelayThatSendsMoreThanAPageIsRefused() throws Exception {
        try (TestRelay local = new TestRelay().start()) {
            local.storeOnly(EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME, 1, List.of(), "again and again").toJson());
            local.floodReqs(2_000);
            Exception e = assertThrows(Exception.class, () -> new RelayLocalStore(vertx, local.url(), 20_000).items(Filter.builder().kinds(List.of(1)).build()));
            assertTrue(e.getMessage().contains("more than the 500 events asked for"), e.getMessage());
        }
    }

    private static Set<String> read(NegentropyItems items) {
        Set<String> got = new TreeSet<>();
        for (int i = 0; i < items.size(); i++) {
            got.add(items.timestamp(i) + " " + HexFormat.of().formatHex(items.id(i)));
        }
        return got;
    }
}
