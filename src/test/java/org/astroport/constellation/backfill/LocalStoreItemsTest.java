package org.astroport.constellation.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

import org.astroport.constellation.negentropy.NegentropyItems;
import org.astroport.constellation.nostr.Filter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        assertEquals(EXPECTED, read(storeListing(listed).items(Filter.builder().build())));
    }

    static final Set<String> EXPECTED = new TreeSet<>(List.of("1763899999 " + A, "1700000000 " + B, "42 " + C, "1700000000 " + D));

    /**
     * strfry scan's output read as bytes: the same items, with lines that straddle the reads, a stored
     * event longer than the first buffer, and line ends written as CRLF.
     */
    @Test
    void strfryScanOutputReadAsBytesGivesTheSameItems(@TempDir Path tmp) throws Exception {
        String big = "{\"content\":\"" + "é".repeat(50_000) + "\",\"created_at\":1763899990,\"id\":\"" + FAKE + "\",\"kind\":1}";
        List<String> listed = new java.util.ArrayList<>(List.of(
                "{\"content\":\"hello\",\"created_at\":1763899999,\"id\":\"" + A + "\",\"kind\":1,\"pubkey\":\"" + D + "\",\"sig\":\"00\",\"tags\":[]}",
                "{\"content\":\"\\\"id\\\":\\\"" + FAKE + "\\\",\\\"created_at\\\":5,\",\"created_at\":1700000000,\"id\":\"" + B + "\",\"kind\":1}",
                big,
                "{ \"id\" : \"" + C + "\" , \"created_at\" : 42 , \"kind\" : 1 }",
                "",
                "not json at all",
                "{\"created_at\":1.7e9,\"id\":\"" + D + "\",\"kind\":1}"));
        for (int i = 0; i < 2_000; i++) { // ~100 KB of ordinary events, so that lines cross the 64 KB reads
            listed.add("{\"content\":\"n" + i + "\",\"created_at\":" + (1000 + i) + ",\"id\":\"" + String.format("%064x", i) + "\",\"kind\":1}");
        }
        Path output = tmp.resolve("scan-output");
        Files.writeString(output, String.join("\r\n", listed) + "\r\n", StandardCharsets.UTF_8);
        Path strfry = tmp.resolve("strfry");
        Files.writeString(strfry, "#!/bin/sh\ncat '" + output + "'\n");
        strfry.toFile().setExecutable(true);
        Set<String> got = read(new StrfryLocalStore(strfry.toString(), null, tmp, null).items(Filter.builder().build()));
        Set<String> expected = new TreeSet<>(EXPECTED);
        expected.add("1763899990 " + FAKE);
        for (int i = 0; i < 2_000; i++) {
            expected.add((1000 + i) + " " + String.format("%064x", i));
        }
        assertEquals(expected, got);
    }

    private static Set<String> read(NegentropyItems items) {
        Set<String> got = new TreeSet<>();
        for (int i = 0; i < items.size(); i++) {
            got.add(items.timestamp(i) + " " + HexFormat.of().formatHex(items.id(i)));
        }
        return got;
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
