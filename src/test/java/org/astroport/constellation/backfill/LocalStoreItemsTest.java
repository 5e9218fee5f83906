package org.astroport.constellation.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

import org.astroport.constellation.negentropy.NegentropyItems;
import org.astroport.constellation.nostr.Filter;
import org.junit.jupiter.api.Test;

/** Our side of a reconciliation, read from what the local store lists: fast path and full parse agree. */
class LocalStoreItemsTest {

    static final String A = "a".repeat(64);
    static final String B = "b".repeat(63) + "0";
    static final String C = "c".repeat(64);
    static final String D = "d".repeat(64);
    static final String FAKE = "f".repeat(64);

    @Test
    void idsAndTimesComeFromTheKeysNeverFromTextInsideAValue() throws Exception {
        List<String> listed = List.of(
                // strfry's own layout: keys sorted, content first
                "{\"content\":\"hello\",\"created_at\":1763899999,\"id\":\"" + A + "\",\"kind\":1,\"pubkey\":\"" + D + "\",\"sig\":\"00\",\"tags\":[]}",
                // a content and a tag that spell the keys, escaped as JSON writes them
                "{\"content\":\"\\\"id\\\":\\\"" + FAKE + "\\\",\\\"created_at\\\":5,\",\"created_at\":1700000000,\"id\":\"" + B
                        + "\",\"kind\":1,\"pubkey\":\"" + D + "\",\"sig\":\"00\",\"tags\":[[\"t\",\"\\\"id\\\":\\\"" + FAKE + "\\\"\"]]}",
                // spaces between tokens: not strfry's layout, read by the full parse
                "{ \"id\" : \"" + C + "\" , \"created_at\" : 42 , \"kind\" : 1 }",
                // the same event twice counts once
                "{\"content\":\"hello\",\"created_at\":1763899999,\"id\":\"" + A + "\",\"kind\":1}",
                // a time the fast path does not read: the full parse does
                "{\"created_at\":1.7e9,\"id\":\"" + D + "\",\"kind\":1}",
                // unreadable lines are not counted as ours
                "not json at all",
                "{\"content\":\"cut short\",\"created_at\":17");
        NegentropyItems items = storeListing(listed).items(Filter.builder().build());
        Set<String> got = new TreeSet<>();
        for (int i = 0; i < items.size(); i++) {
            got.add(items.timestamp(i) + " " + HexFormat.of().formatHex(items.id(i)));
        }
        assertEquals(new TreeSet<>(List.of("1763899999 " + A, "1700000000 " + B, "42 " + C, "1700000000 " + D)), got);
    }

    private static LocalStore storeListing(List<String> lines) {
        return new LocalStore() {
            @Override
            public Set<String> authorsWithProfile(Collection<String> authors) {
                return Set.of();
            }

            @Override
            public long eventCount() {
                return lines.size();
            }

            @Override
            public String databaseSize() {
                return null;
            }

            @Override
            public String describe() {
                return "a listing";
            }

            @Override
            public void scan(Filter filter, Consumer<String> events) {
                lines.forEach(events);
            }
        };
    }
}
