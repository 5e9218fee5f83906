package org.astroport.constellation.nostr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** JsonBytes writes, byte for byte, what JsonText's text becomes through String.getBytes(UTF_8). */
class JsonBytesTest {

    /** Chars that take each path: ASCII runs, escapes, DEL, 2- and 3-byte UTF-8, surrogate pairs, lone surrogates. */
    private static final char[] ALPHABET = {'a', 'Z', '0', ' ', '/', '"', '\\', '\b', '\f', '\n', '\r', '\t', 0, 0x1f, 0x7f,
            'é', 'ÿ', 0x100, 0x7ff, 0x800, '€', 0x2028, 0xfffd, 0xffff, 0xd83d, 0xde00, 0xdbff, 0xdfff};

    private static String randomText(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(40);
        for (int i = 0; i < n; i++) {
            sb.append(ALPHABET[r.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void stringsAndTagsAreJsonTextInUtf8() {
        Random r = new Random(42);
        JsonBytes b = new JsonBytes(4); // small: every path grows it
        for (int round = 0; round < 5_000; round++) {
            String s = randomText(r);
            assertArrayEquals(utf8(JsonText.quote(s)), b.reset().string(s, false).toByteArray(), () -> "for " + s.chars().boxed().toList());
            // strfry's serialiser also escapes DEL, which JSON.stringify (ids) leaves as it is
            assertArrayEquals(utf8(JsonText.quote(s).replace("\u007f", "\\u007f")), b.reset().string(s, true).toByteArray());
            assertArrayEquals(utf8(s), b.reset().verbatim(s).toByteArray());

            List<List<String>> tags = new ArrayList<>();
            for (int t = r.nextInt(4); t > 0; t--) {
                List<String> tag = new ArrayList<>();
                for (int v = r.nextInt(4); v > 0; v--) {
                    tag.add(randomText(r));
                }
                tags.add(tag);
            }
            StringBuilder expected = new StringBuilder();
            JsonText.appendTags(expected, tags);
            assertArrayEquals(utf8(expected.toString()), b.reset().tags(tags, false).toByteArray());
        }
    }

    @Test
    void numbersAndHex() {
        JsonBytes b = new JsonBytes(1);
        for (long v : new long[] {0, 7, -7, 10, 1_700_000_000L, Integer.MAX_VALUE, -1_000_000_007L, Long.MAX_VALUE, Long.MIN_VALUE}) {
            assertEquals(Long.toString(v), new String(b.reset().number(v).toByteArray(), StandardCharsets.US_ASCII));
        }
        byte[] bytes = {0, 1, 0x7f, (byte) 0x80, (byte) 0xab, (byte) 0xff};
        assertEquals(Hex.encode(bytes), new String(b.reset().hex(bytes).toByteArray(), StandardCharsets.US_ASCII));
        assertEquals("[1,-2,\"x\"]", new String(b.reset().ascii('[').number(1).ascii(',').number(-2).ascii(',').string("x", false).ascii(']')
                .toByteArray(), StandardCharsets.US_ASCII), "appends after what is there");
    }

    @Test
    void aBufferGrownByABigEventSaysSo() {
        JsonBytes b = new JsonBytes(1024);
        b.string("x".repeat(200_000), false);
        assertFalse(b.oversized(), "200 KB: kept for reuse");
        b.reset().string("x".repeat(300_000), false);
        assertEquals(300_002, b.length());
        assertTrue(b.oversized(), "300 KB: let go");
    }

    @Test
    void decodeIntoWritesAtTheOffsetAndRefusesNonHex() {
        byte[] out = new byte[5];
        Hex.decodeInto("ABcd09", out, 1);
        assertArrayEquals(new byte[] {0, (byte) 0xab, (byte) 0xcd, 0x09, 0}, out);
        assertThrows(IllegalArgumentException.class, () -> Hex.decodeInto("0g", new byte[1], 0));
        assertThrows(IllegalArgumentException.class, () -> Hex.decodeInto("abc", new byte[2], 0));
    }
}
