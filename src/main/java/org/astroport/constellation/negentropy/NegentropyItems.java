package org.astroport.constellation.negentropy;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Comparator;

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

    /** Eight bytes of an id as a little-endian number. */
    private static long limb(byte[] b, int at) {
        long v = 0;
        for (int k = 7; k >= 0; k--) {
            v = (v << 8) | (b[at + k] & 0xffL);
        }
        return v;
    }

    /** Collects items, then {@link #seal()}s them into a sorted, immutable set. */
    public static final class Builder {
        private long[] ts = new long[64];
        private byte[][] idv = new byte[64][];
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
                idv = Arrays.copyOf(idv, n * 2);
            }
            ts[n] = createdAt;
            idv[n] = id;
            n++;
            return this;
        }

        /** The items in protocol order; an item added twice is one item (a set). */
        public NegentropyItems seal() {
            Item[] order = new Item[n];
            for (int i = 0; i < n; i++) {
                order[i] = new Item(ts[i], idv[i]);
            }
            // a plain comparator: a local store lists 100,000 items, and the one-shot CLI runs on C1 only
            Arrays.sort(order, ITEM_ORDER);
            long[] sortedTs = new long[n];
            byte[] sortedIds = new byte[n * ID_SIZE];
            int kept = 0;
            for (int i = 0; i < n; i++) {
                if (kept > 0 && order[i].ts == order[i - 1].ts && Arrays.equals(order[i].id, order[i - 1].id)) {
                    continue;
                }
                sortedTs[kept] = order[i].ts;
                System.arraycopy(order[i].id, 0, sortedIds, kept * ID_SIZE, ID_SIZE);
                kept++;
            }
            return new NegentropyItems(kept == n ? sortedTs : Arrays.copyOf(sortedTs, kept), kept == n ? sortedIds : Arrays.copyOf(sortedIds, kept * ID_SIZE));
        }
    }

    private record Item(long ts, byte[] id) {
    }

    private static final Comparator<Item> ITEM_ORDER = new Comparator<>() {
        @Override
        public int compare(Item a, Item b) {
            return a.ts != b.ts ? Long.compare(a.ts, b.ts) : Arrays.compareUnsigned(a.id, b.id);
        }
    };

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
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(sum);
            sha.update(Varint.encode(end - begin));
            return Arrays.copyOf(sha.digest(), FINGERPRINT_SIZE);
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
