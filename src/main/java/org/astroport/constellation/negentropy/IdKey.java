package org.astroport.constellation.negentropy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import org.astroport.constellation.nostr.Hex;

/**
 * A 32-byte id as four longs, to compare the ids of an id list with ours: hex strings for both sides
 * made a megabyte-sized answer cost tens of milliseconds of encoding and hashing. A class, not a record:
 * a record's equals and hashCode are bootstrapped on first use, tens of milliseconds of a cold CLI.
 */
final class IdKey implements Comparable<IdKey> {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final long a;
    private final long b;
    private final long c;
    private final long d;

    private IdKey(long a, long b, long c, long d) {
        this.a = a;
        this.b = b;
        this.c = c;
        this.d = d;
    }

    static IdKey of(byte[] bytes, int at) {
        return new IdKey((long) LONGS.get(bytes, at), (long) LONGS.get(bytes, at + 8), (long) LONGS.get(bytes, at + 16),
                (long) LONGS.get(bytes, at + 24));
    }

    String hex() {
        byte[] out = new byte[NegentropyItems.ID_SIZE];
        LONGS.set(out, 0, a);
        LONGS.set(out, 8, b);
        LONGS.set(out, 16, c);
        LONGS.set(out, 24, d);
        return Hex.encode(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdKey k && k.a == a && k.b == b && k.c == c && k.d == d;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(a ^ b ^ c ^ d);
    }

    /**
     * The ids' order (bytes unsigned). An id list is the peer's to choose: with keys that compare, a flood
     * of ids whose hashes collide costs a hash set's bins O(log n) each, not a linear walk.
     */
    @Override
    public int compareTo(IdKey o) {
        int r = Long.compareUnsigned(a, o.a);
        if (r == 0) {
            r = Long.compareUnsigned(b, o.b);
        }
        if (r == 0) {
            r = Long.compareUnsigned(c, o.c);
        }
        return r != 0 ? r : Long.compareUnsigned(d, o.d);
    }
}
