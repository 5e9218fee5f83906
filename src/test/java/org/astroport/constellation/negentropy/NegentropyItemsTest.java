package org.astroport.constellation.negentropy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import org.astroport.constellation.nostr.Hex;

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

    /** Sealed items are in protocol order (timestamp, then id bytes unsigned), each once, however the timestamps fall. */
    @Test
    void sealSortsByTimestampThenIdAndKeepsEachItemOnce() {
        Random rnd = new Random(12);
        // {first, span}; span -1: only 0 and the largest timestamp, too far apart to pack, each many times
        long[][] spans = {{1_763_800_000L, 30}, {1_763_800_000L, 1}, {0, Long.MAX_VALUE - 1}, {1_763_800_000L, 5_000_000}, {0, -1}};
        for (long[] span : spans) {
            for (int n : new int[] {0, 1, 2, 17, 40, 3000}) {
                NegentropyItems.Builder b = NegentropyItems.builder();
                TreeSet<String> expected = new TreeSet<>();
                for (int i = 0; i < n; i++) {
                    long ts = span[1] < 0 ? (rnd.nextBoolean() ? 0 : Long.MAX_VALUE - 1) : span[0] + (long) (rnd.nextDouble() * span[1]);
                    byte[] id = new byte[32];
                    rnd.nextBytes(id);
                    if (i % 5 == 0) {
                        id[0] = (byte) 0x80; // high bit set: unsigned order differs from signed
                    } else if (i % 3 == 1) {
                        Arrays.fill(id, 0, 6, (byte) 0x7f); // ids that differ only after their first six bytes
                    }
                    b.add(ts, id);
                    if (i % 7 == 3) {
                        b.add(ts, id.clone()); // added twice: one item
                    }
                    // zero-padded: strings order as the (timestamp, id) pairs do
                    expected.add(String.format("%019d", ts) + Hex.encode(id));
                }
                NegentropyItems items = b.seal();
                List<String> got = new ArrayList<>();
                for (int i = 0; i < items.size(); i++) {
                    got.add(String.format("%019d", items.timestamp(i)) + Hex.encode(items.id(i)));
                }
                assertEquals(new ArrayList<>(expected), got, "span " + span[1] + ", " + n + " items");
            }
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
