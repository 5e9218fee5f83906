package org.astroport.constellation.negentropy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

import org.astroport.constellation.nostr.Hex;

/** One side's (created_at, id) items, sorted as the protocol orders them: by timestamp, then id bytes. */
public final class NegentropyItems {

    public static final int ID_SIZE = 32;
    public static final int FINGERPRINT_SIZE = 16;

    private final long[] timestamps;
    // the ids back to back, ID_SIZE bytes each: 32 bytes an item, where an array per id costs 52
    private final byte[] ids;
    // sums[4i..4i+3]: the ids before item i added up as 256-bit little-endian numbers (4 limbs, low first).
    // A range's sum is then one subtraction: a reconciliation asks for the fingerprints of every range of
    // every round, and summing each range afresh made a gap close over 200,000 items cost seconds (JFR).
    private final long[] sums;

    private NegentropyItems(long[] timestamps, byte[] ids) {
        this.timestamps = timestamps;
        this.ids = ids;
        int n = timestamps.length;
        this.sums = new long[4 * (n + 1)];
        long s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int i = 0; i < n; i++) {
            int at = i * ID_SIZE;
            long x0 = limb(ids, at), x1 = limb(ids, at + 8), x2 = limb(ids, at + 16), x3 = limb(ids, at + 24);
            long r0 = s0 + x0;
            long c = Long.compareUnsigned(r0, s0) < 0 ? 1 : 0;
            long r1 = s1 + x1 + c;
            c = Long.compareUnsigned(r1, s1) < 0 || (c == 1 && r1 == s1) ? 1 : 0;
            long r2 = s2 + x2 + c;
            c = Long.compareUnsigned(r2, s2) < 0 || (c == 1 && r2 == s2) ? 1 : 0;
            s3 = s3 + x3 + c;
            s0 = r0;
            s1 = r1;
            s2 = r2;
            int o = 4 * (i + 1);
            sums[o] = s0;
            sums[o + 1] = s1;
            sums[o + 2] = s2;
            sums[o + 3] = s3;
        }
    }

    private static final VarHandle LITTLE_ENDIAN_LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Eight bytes of an id as a little-endian number. */
    private static long limb(byte[] b, int at) {
        return (long) LITTLE_ENDIAN_LONGS.get(b, at);
    }

    /** Collects items, then {@link #seal()}s them into a sorted, immutable set. */
    public static final class Builder {
        private long[] ts = new long[64];
        // back to back, as sealed: an array per id made 99,000 small objects that young collections copied
        // until the seal (a cold CLI's listing)
        private byte[] ids = new byte[64 * ID_SIZE];
        private int n;

        public Builder add(long createdAt, String idHex) {
            return add(createdAt, Hex.decode(idHex));
        }

        public Builder add(long createdAt, byte[] id) {
            if (id.length != ID_SIZE) {
                throw new IllegalArgumentException("an id is 32 bytes, not " + id.length);
            }
            if (createdAt < 0 || createdAt == Long.MAX_VALUE) {
                throw new IllegalArgumentException("timestamp out of range: " + createdAt);
            }
            if (n == ts.length) {
                ts = Arrays.copyOf(ts, n * 2);
                ids = Arrays.copyOf(ids, n * 2 * ID_SIZE);
            }
            ts[n] = createdAt;
            System.arraycopy(id, 0, ids, n * ID_SIZE, ID_SIZE);
            n++;
            return this;
        }

        /** The items in protocol order; an item added twice is one item (a set). */
        public NegentropyItems seal() {
            int[] order = protocolOrder();
            long[] sortedTs = new long[n];
            byte[] sortedIds = new byte[n * ID_SIZE];
            int kept = 0;
            for (int k = 0; k < n; k++) {
                int i = order[k];
                if (kept > 0 && ts[i] == sortedTs[kept - 1]
                        && Arrays.equals(ids, i * ID_SIZE, (i + 1) * ID_SIZE, sortedIds, (kept - 1) * ID_SIZE, kept * ID_SIZE)) {
                    continue;
                }
                sortedTs[kept] = ts[i];
                System.arraycopy(ids, i * ID_SIZE, sortedIds, kept * ID_SIZE, ID_SIZE);
                kept++;
            }
            return new NegentropyItems(kept == n ? sortedTs : Arrays.copyOf(sortedTs, kept), kept == n ? sortedIds : Arrays.copyOf(sortedIds, kept * ID_SIZE));
        }

        /**
         * The items' indexes by timestamp, then id. The timestamps and indexes are sorted packed in longs
         * (then each run of equal timestamps by id): through a comparator on objects, sealing a local
         * listing of 99,000 items took 200-230 ms of a cold C1 JVM, the one-shot CLI's.
         */
        private int[] protocolOrder() {
            int[] order = new int[n];
            if (n == 0) {
                return order;
            }
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (int i = 0; i < n; i++) {
                min = Math.min(min, ts[i]);
                max = Math.max(max, ts[i]);
            }
            int indexBits = 64 - Long.numberOfLeadingZeros(n);
            if (max - min >= 1L << (63 - indexBits)) {
                // timestamps too far apart to pack beside an index (not real ones): compared as objects
                Integer[] boxed = new Integer[n];
                for (int i = 0; i < n; i++) {
                    boxed[i] = i;
                }
                Arrays.sort(boxed, (a, b) -> ts[a] != ts[b] ? Long.compare(ts[a], ts[b]) : compareIds(a, b));
                for (int i = 0; i < n; i++) {
                    order[i] = boxed[i];
                }
                return order;
            }
            long[] keys = new long[n];
            for (int i = 0; i < n; i++) {
                keys[i] = (ts[i] - min) << indexBits | i;
            }
            Arrays.sort(keys);
            long mask = (1L << indexBits) - 1;
            for (int i = 0; i < n; i++) {
                order[i] = (int) (keys[i] & mask);
            }
            int run = 0;
            for (int i = 1; i <= n; i++) {
                if (i == n || ts[order[i]] != ts[order[run]]) {
                    if (i - run > 1) {
                        byId(order, run, i);
                    }
                    run = i;
                }
            }
            return order;
        }

        /** Items a and b by id, bytes unsigned. */
        private int compareIds(int a, int b) {
            return Arrays.compareUnsigned(ids, a * ID_SIZE, (a + 1) * ID_SIZE, ids, b * ID_SIZE, (b + 1) * ID_SIZE);
        }

        /** Bits of a run's place in {@link #byId}'s packed keys. */
        private static final int RUN_INDEX_BITS = 23;

        /**
         * order[from, to), items of one timestamp, by id. A run of more than a few is sorted packed in longs
         * (the ids' first five bytes and the item's place in the run), then by insertion on the full ids,
         * which only moves items whose five bytes tie.
         */
        private void byId(int[] order, int from, int to) {
            int m = to - from;
            if (m > 16 && m < 1 << RUN_INDEX_BITS) {
                long[] keys = new long[m];
                for (int k = 0; k < m; k++) {
                    int at = order[from + k] * ID_SIZE;
                    long prefix = (ids[at] & 0xffL) << 32 | (ids[at + 1] & 0xffL) << 24 | (ids[at + 2] & 0xffL) << 16 | (ids[at + 3] & 0xffL) << 8
                            | ids[at + 4] & 0xffL;
                    keys[k] = prefix << RUN_INDEX_BITS | k;
                }
                Arrays.sort(keys);
                int[] run = Arrays.copyOfRange(order, from, to);
                for (int k = 0; k < m; k++) {
                    order[from + k] = run[(int) (keys[k] & ((1 << RUN_INDEX_BITS) - 1))];
                }
            }
            for (int i = from + 1; i < to; i++) {
                int item = order[i];
                int j = i - 1;
                while (j >= from && compareIds(order[j], item) > 0) {
                    order[j + 1] = order[j];
                    j--;
                }
                order[j + 1] = item;
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public int size() {
        return timestamps.length;
    }

    public long timestamp(int i) {
        return timestamps[i];
    }

    /** A copy of item i's id. */
    public byte[] id(int i) {
        return Arrays.copyOfRange(ids, i * ID_SIZE, (i + 1) * ID_SIZE);
    }

    /** Item i's id as a key, read without a copy. */
    IdKey idKey(int i) {
        return IdKey.of(ids, i * ID_SIZE);
    }

    /** Item i's id, written without a copy. */
    public void writeId(int i, java.io.ByteArrayOutputStream out) {
        out.write(ids, i * ID_SIZE, ID_SIZE);
    }

    /** How many leading bytes the ids of items i and j share. */
    public int sharedPrefix(int i, int j) {
        int n = Arrays.mismatch(ids, i * ID_SIZE, (i + 1) * ID_SIZE, ids, j * ID_SIZE, (j + 1) * ID_SIZE);
        return n < 0 ? ID_SIZE : n;
    }

    /** First index in [begin, end) whose item is not below the bound (a short id prefix is padded with zeros). */
    public int lowerBound(int begin, int end, long boundTimestamp, byte[] boundIdPrefix) {
        int lo = begin;
        int hi = end;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (below(mid, boundTimestamp, boundIdPrefix)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private boolean below(int i, long boundTimestamp, byte[] prefix) {
        if (timestamps[i] != boundTimestamp) {
            return Long.compareUnsigned(timestamps[i], boundTimestamp) < 0;
        }
        int at = i * ID_SIZE;
        for (int k = 0; k < ID_SIZE; k++) {
            int b = k < prefix.length ? prefix[k] & 0xff : 0;
            int a = ids[at + k] & 0xff;
            if (a != b) {
                return a < b;
            }
        }
        return false;
    }

    /** SHA-256 over (the ids summed as little-endian 256-bit numbers, mod 2^256) and the count as a varint; first 16 bytes. */
    public byte[] fingerprint(int begin, int end) {
        // sum(begin, end) = sums[end] - sums[begin], mod 2^256
        int e = 4 * end;
        int b = 4 * begin;
        byte[] sum = new byte[ID_SIZE];
        long borrow = 0;
        for (int limb = 0; limb < 4; limb++) {
            long x = sums[e + limb];
            long y = sums[b + limb];
            long d = x - y - borrow;
            borrow = Long.compareUnsigned(x, y) < 0 || (borrow == 1 && x == y) ? 1 : 0;
            for (int k = 0; k < 8; k++) {
                sum[limb * 8 + k] = (byte) (d >>> (8 * k));
            }
        }
        MessageDigest sha = SHA256.get();
        sha.update(sum);
        sha.update(Varint.encode(end - begin));
        return Arrays.copyOf(sha.digest(), FINGERPRINT_SIZE); // digest() resets it for the next
    }

    // one per thread, not one per fingerprint: a bridge computes one for each of a side's id lists (a thousand a
    // round), and each getInstance is a provider lookup, slow while the CLI's code is still cold
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    });

    /** The fingerprint of ids given back to back (no timestamps: a fingerprint does not depend on them). */
    static byte[] fingerprintOf(byte[] ids) {
        int count = ids.length / ID_SIZE;
        return new NegentropyItems(new long[count], ids).fingerprint(0, count);
    }
}
