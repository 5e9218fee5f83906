package org.astroport.constellation.negentropy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import org.astroport.constellation.nostr.Hex;

/**
 * A 32-byte id as four longs, to compare the ids of an id list with ours: hex strings for both sides
 * made a megabyte-sized answer cost tens of milliseconds of encoding and hashing.
 */
record IdKey(long a, long b, long c, long d) {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

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
}
