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
    private final byte[][] ids;

    private NegentropyItems(long[] timestamps, byte[][] ids) {
        this.timestamps = timestamps;
        this.ids = ids;
    }

    /** Collects items, then {@link #seal()}s them into a sorted, immutable set. */
    public static final class Builder {
        private long[] ts = new long[64];
        private byte[][] idv = new byte[64][];
        private int n;

        public Builder add(long createdAt, String idHex) {
            byte[] id = Hex.decode(idHex);
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

        public NegentropyItems seal() {
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, Comparator.<Integer>comparingLong(i -> ts[i]).thenComparing(i -> idv[i], Arrays::compareUnsigned));
            long[] sortedTs = new long[n];
            byte[][] sortedIds = new byte[n][];
            for (int i = 0; i < n; i++) {
                sortedTs[i] = ts[order[i]];
                sortedIds[i] = idv[order[i]];
                if (i > 0 && sortedTs[i] == sortedTs[i - 1] && Arrays.equals(sortedIds[i], sortedIds[i - 1])) {
                    throw new IllegalArgumentException("duplicate item " + Hex.encode(sortedIds[i]));
                }
            }
            return new NegentropyItems(sortedTs, sortedIds);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public int size() {
        return ids.length;
    }

    public long timestamp(int i) {
        return timestamps[i];
    }

    public byte[] id(int i) {
        return ids[i];
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
        byte[] id = ids[i];
        for (int k = 0; k < ID_SIZE; k++) {
            int b = k < prefix.length ? prefix[k] & 0xff : 0;
            int a = id[k] & 0xff;
            if (a != b) {
                return a < b;
            }
        }
        return false;
    }

    /** SHA-256 over (the ids summed as little-endian 256-bit numbers, mod 2^256) and the count as a varint; first 16 bytes. */
    public byte[] fingerprint(int begin, int end) {
        byte[] sum = new byte[ID_SIZE];
        for (int i = begin; i < end; i++) {
            int carry = 0;
            byte[] id = ids[i];
            for (int k = 0; k < ID_SIZE; k++) {
                int v = (sum[k] & 0xff) + (id[k] & 0xff) + carry;
                sum[k] = (byte) v;
                carry = v >>> 8;
            }
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(sum);
            sha.update(Varint.encode(end - begin));
            return Arrays.copyOf(sha.digest(), FINGERPRINT_SIZE);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
