package org.astroport.constellation.negentropy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Fingerprints from the running sums equal the spec's sum of each range, carries and wrap-around included. */
class NegentropyItemsTest {

    @Test
    void everyRangesFingerprintIsTheSumOfItsIds() throws Exception {
        Random rnd = new Random(11);
        NegentropyItems.Builder b = NegentropyItems.builder();
        int n = 300;
        for (int i = 0; i < n; i++) {
            byte[] id = new byte[32];
            switch (i % 4) {
                case 0 -> Arrays.fill(id, (byte) 0xff); // every limb carries into the next, and the sum wraps past 2^256
                case 1 -> {
                    rnd.nextBytes(id);
                    Arrays.fill(id, 0, 8, (byte) 0xff); // a carry out of the lowest limb only
                }
                default -> rnd.nextBytes(id);
            }
            id[31] = (byte) (i % 4 == 0 ? 0xff : id[31]);
            id[29] = (byte) (i >> 8); // distinct ids
            id[30] = (byte) i;
            b.add(1_763_800_000L + rnd.nextInt(20), id);
        }
        NegentropyItems items = b.seal();
        assertEquals(n, items.size());
        for (int begin = 0; begin <= n; begin += 7) {
            for (int end = begin; end <= n; end += 13) {
                assertArrayEquals(byteByByte(items, begin, end), items.fingerprint(begin, end), "range " + begin + ".." + end);
            }
        }
        assertArrayEquals(byteByByte(items, 0, n), items.fingerprint(0, n));
        // one item: an all-ones limb makes the subtraction borrow through limbs that are equal
        for (int i = 0; i < n; i++) {
            assertArrayEquals(byteByByte(items, i, i + 1), items.fingerprint(i, i + 1), "item " + i);
        }
    }

    /** The definition, one byte at a time (the way the code did it before the running sums). */
    private static byte[] byteByByte(NegentropyItems items, int begin, int end) throws Exception {
        byte[] sum = new byte[32];
        for (int i = begin; i < end; i++) {
            byte[] id = items.id(i);
            int carry = 0;
            for (int k = 0; k < 32; k++) {
                int v = (sum[k] & 0xff) + (id[k] & 0xff) + carry;
                sum[k] = (byte) v;
                carry = v >>> 8;
            }
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(sum);
        sha.update(Varint.encode(end - begin));
        return Arrays.copyOf(sha.digest(), 16);
    }
}
