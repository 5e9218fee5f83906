package org.astroport.constellation.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import org.astroport.constellation.nostr.NostrEvent;
import org.junit.jupiter.api.Test;

/**
 * Our fried lines against strfry's own: src/test/resources/strfry/fried-corpus.jsonl is what
 * {@code strfry export --fried} (strfry 1.1.1-144-gf8a56a8) wrote for the check's events after a plain
 * {@code strfry import}. StrfryImportSinkTest compares with a live strfry when STRFRY_BIN is set.
 */
class StrfryFriedLineTest {

    @Test
    void theChecksEventsAreWrittenExactlyAsStrfryWroteThem() throws Exception {
        Set<String> strfrys;
        try (var in = getClass().getResourceAsStream("/strfry/fried-corpus.jsonl")) {
            strfrys = Set.copyOf(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
        }
        List<NostrEvent> corpus = StrfryFriedCheck.corpus();
        assertEquals(corpus.size(), strfrys.size());
        for (NostrEvent e : corpus) {
            byte[] fried = StrfryFriedLine.of(e, StrfryFriedLine.Limits.DEFAULTS);
            assertNotNull(fried, "kind " + e.kind());
            String ours = new String(fried, StandardCharsets.UTF_8);
            assertTrue(strfrys.contains(ours), "kind " + e.kind() + ": " + ours);
        }
    }

    @Test
    void eventsWhoseRecordStrfrysParserMustDecideAreNotFried() {
        String id = "ab".repeat(32);
        String pub = "cd".repeat(32);
        String sig = "ef".repeat(64);
        StrfryFriedLine.Limits limits = new StrfryFriedLine.Limits(3, 20);
        assertNull(StrfryFriedLine.of(new NostrEvent(id, pub, 1, 1, List.of(List.of("expiration", "1800000000")), "", sig), limits));
        assertNull(StrfryFriedLine.of(new NostrEvent(id, pub, 1, 5, List.of(List.of("a", "30023:" + pub + ":x")), "", sig), limits));
        // e/p values that strfry's parser refuses (under strfry's default limits, so that only the value decides)
        StrfryFriedLine.Limits defaults = StrfryFriedLine.Limits.DEFAULTS;
        assertNull(StrfryFriedLine.of(new NostrEvent(id, pub, 1, 1, List.of(List.of("e", "not-an-id")), "", sig), defaults));
        assertNull(StrfryFriedLine.of(new NostrEvent(id, pub, 1, 1, List.of(List.of("e", "zz".repeat(32))), "", sig), defaults), "64 chars, not hex");
        assertNull(StrfryFriedLine.of(new NostrEvent(id, pub, 1, 1, List.of(List.of("p", "\u0661".repeat(64))), "", sig), defaults), "Arabic digits are not hex");
        assertNotNull(StrfryFriedLine.of(new NostrEvent(id, pub, 1, 1, List.of(List.of("p", "AB".repeat(32))), "", sig), defaults), "upper-case hex is");
        assertNull(StrfryFriedLine.of(new NostrEvent(id, pub, 1, 1, List.of(List.of("t", "x".repeat(21))), "", sig), limits), "over maxTagValSize");
        assertNull(StrfryFriedLine.of(new NostrEvent(id, pub, 1, 1, List.of(List.of("t", "1"), List.of("t", "2"), List.of("t", "3"), List.of("t", "4")), "", sig), limits),
                "over maxNumTags");
        // within the limits, and a long value under a multi-letter name (strfry neither checks nor indexes it)
        assertNotNull(StrfryFriedLine.of(new NostrEvent(id, pub, 1, 1, List.of(List.of("t", "x".repeat(20)), List.of("alt", "y".repeat(500))), "", sig), limits));
        // an a tag on anything but a deletion is an ordinary indexed tag
        assertNotNull(StrfryFriedLine.of(new NostrEvent(id, pub, 1, 1, List.of(List.of("a", "30023:" + pub + ":x")), "", sig), StrfryFriedLine.Limits.DEFAULTS));
    }
}
