package org.astroport.constellation.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** strfry scan's lines are split eight bytes at a time: the same answers as a byte loop. */
class NextNewlineTest {

    private static int byteByByte(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    @Test
    void findsTheFirstNewlineAtEveryOffsetAndAmongAnyBytes() {
        Random random = new Random(42);
        // bytes that trip a careless zero-byte test: '\n' itself, its neighbours, '\n' ^ 0x80, 0x0b after a '\n' (a borrow), UTF-8
        byte[] alphabet = {'\n', 0x0b, 0x09, (byte) 0x8a, 0x00, (byte) 0xff, 'a', '"', (byte) 0xc3, (byte) 0xa9, 0x01, (byte) 0x80};
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[1 + random.nextInt(40)];
            for (int i = 0; i < b.length; i++) {
                b[i] = random.nextInt(4) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) ('a' + random.nextInt(26));
            }
            int from = random.nextInt(b.length);
            int to = from + random.nextInt(b.length - from + 1);
            assertEquals(byteByByte(b, from, to), StrfryLocalStore.nextNewline(b, from, to), () -> java.util.Arrays.toString(b) + " from " + from + " to " + to);
        }
    }

    @Test
    void aNewlineJustPastTheRangeIsNotFound() {
        byte[] b = "0123456789abcdef\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertEquals(-1, StrfryLocalStore.nextNewline(b, 0, 16));
        assertEquals(16, StrfryLocalStore.nextNewline(b, 0, 17));
        assertEquals(16, StrfryLocalStore.nextNewline(b, 9, 17));
    }
}
