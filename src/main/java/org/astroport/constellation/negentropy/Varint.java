package org.astroport.constellation.negentropy;

import java.io.ByteArrayOutputStream;

/** Base-128 unsigned integers, most significant digit first, high bit set on every byte but the last. */
final class Varint {

    private Varint() {
    }

    static byte[] encode(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative varint " + n);
        }
        byte[] tmp = new byte[10];
        int i = tmp.length;
        tmp[--i] = (byte) (n & 0x7f);
        n >>>= 7;
        while (n != 0) {
            tmp[--i] = (byte) (0x80 | (n & 0x7f));
            n >>>= 7;
        }
        byte[] out = new byte[tmp.length - i];
        System.arraycopy(tmp, i, out, 0, out.length);
        return out;
    }

    static void write(ByteArrayOutputStream out, long n) {
        out.writeBytes(encode(n));
    }
}
