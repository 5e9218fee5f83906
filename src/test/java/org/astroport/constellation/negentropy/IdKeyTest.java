package org.astroport.constellation.negentropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Arrays;
import java.util.Random;

import org.astroport.constellation.nostr.Hex;
import org.junit.jupiter.api.Test;

class IdKeyTest {

    /** Two ids are one key only when all 32 bytes are equal; a key spells its id back. */
    @Test
    void everyByteOfAnIdCounts() {
        Random rnd = new Random(3);
        byte[] buffer = new byte[40];
        rnd.nextBytes(buffer);
        IdKey key = IdKey.of(buffer, 5);
        assertEquals(Hex.encode(Arrays.copyOfRange(buffer, 5, 37)), key.hex());
        byte[] copy = Arrays.copyOfRange(buffer, 5, 37);
        assertEquals(key, IdKey.of(copy, 0));
        assertEquals(key.hashCode(), IdKey.of(copy, 0).hashCode());
        for (int i = 0; i < 32; i++) {
            byte[] other = copy.clone();
            other[i] ^= 1;
            assertNotEquals(key, IdKey.of(other, 0), "byte " + i);
            // ordered as the bytes are, unsigned
            assertEquals(Integer.signum(Arrays.compareUnsigned(copy, other)), Integer.signum(key.compareTo(IdKey.of(other, 0))), "byte " + i);
            other[i] ^= (byte) 0x81;
            assertEquals(Integer.signum(Arrays.compareUnsigned(copy, other)), Integer.signum(key.compareTo(IdKey.of(other, 0))), "byte " + i);
        }
        assertEquals(0, key.compareTo(IdKey.of(copy, 0)));
    }
}
