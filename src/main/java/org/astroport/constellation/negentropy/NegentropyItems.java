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
            byte[][] sortedIds = new byte[n][];
            int kept = 0;
            for (int i = 0; i < n; i++) {
                if (kept > 0 && order[i].ts == sortedTs[kept - 1] && Arrays.equals(order[i].id, sortedIds[kept - 1])) {
                    continue;
                }
                sortedTs[kept] = order[i].ts;
                sortedIds[kept] = order[i].id;
                kept++;
            }
            return new NegentropyItems(kept == n ? sortedTs : Arrays.copyOf(sortedTs, kept), kept == n ? sortedIds : Arrays.copyOf(sortedIds, kept));
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
