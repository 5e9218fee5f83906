package org.astroport.constellation.nostr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** {@link Utf8#isWellFormed} says what the JDK's strict decoder says, byte for byte. */
class Utf8Test {

    private final CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    private boolean jdkSaysWellFormed(byte[] b) {
        try {
            strict.reset().decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @Test
    void everySequenceOfUpToThreeBytesAfterAsciiIsJudgedAsTheJdkDoes() {
        // behind 5 ASCII bytes (the four-at-a-time loop, then the byte loop), every lead byte with every second
        // byte and a sample of third and fourth bytes: overlongs, surrogates, cut sequences, over U+10FFFF
        int[] tails = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xE0, 0xF0, 0xFF};
        int checked = 0;
        for (int lead = 0; lead < 256; lead++) {
            for (int second = 0; second < 256; second++) {
                for (int third : tails) {
                    for (int fourth : lead >= 0xF0 ? new int[] {0x80, 0xBF, 0x41} : new int[] {0x80}) {
                        byte[] b = {'a', 'b', 'c', 'd', 'e', (byte) lead, (byte) second, (byte) third, (byte) fourth};
                        assertEquals(jdkSaysWellFormed(b), Utf8.isWellFormed(b), () -> HexFormat.of().formatHex(b));
                        byte[] cut = {'a', (byte) lead, (byte) second};
                        assertEquals(jdkSaysWellFormed(cut), Utf8.isWellFormed(cut), () -> HexFormat.of().formatHex(cut));
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked > 900_000);
    }

    @Test
    void randomTextsAndTheirCorruptionsAreJudgedAsTheJdkDoes() {
        Random r = new Random(7);
        int malformed = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder s = new StringBuilder();
            for (int k = r.nextInt(40); k > 0; k--) {
                int pick = r.nextInt(4);
                s.appendCodePoint(pick == 0 ? 0x20 + r.nextInt(0x5F) : pick == 1 ? 0x80 + r.nextInt(0x780) : pick == 2 ? 0xE000 + r.nextInt(0x1000) : 0x10000 + r.nextInt(0x100000));
            }
            byte[] b = s.toString().getBytes(StandardCharsets.UTF_8);
            assertTrue(Utf8.isWellFormed(b), s::toString);
            if (b.length > 0) {
                b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                boolean jdk = jdkSaysWellFormed(b);
                malformed += jdk ? 0 : 1;
                assertEquals(jdk, Utf8.isWellFormed(b), () -> HexFormat.of().formatHex(b));
            }
        }
        assertTrue(malformed > 1000, "the corruptions made few malformed texts: " + malformed);
        assertFalse(Utf8.isWellFormed(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}), "an encoded surrogate");
        assertFalse(Utf8.isWellFormed(new byte[] {(byte) 0xC0, (byte) 0xAF}), "an overlong '/'");
    }
}
