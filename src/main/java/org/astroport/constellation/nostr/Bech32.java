package org.astroport.constellation.nostr;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

/** BIP-173 bech32 (what NIP-19 uses), with checksum verification. */
public final class Bech32 {

    private static final String CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private static final int[] GENERATOR = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};

    public record Decoded(String hrp, byte[] data) {
    }

    private Bech32() {
    }

    private static int polymod(byte[] values) {
        int chk = 1;
        for (byte v : values) {
            int top = chk >>> 25;
            chk = ((chk & 0x1ffffff) << 5) ^ (v & 0xff);
            for (int i = 0; i < 5; i++) {
                if (((top >>> i) & 1) != 0) {
                    chk ^= GENERATOR[i];
                }
            }
        }
        return chk;
    }

    private static byte[] hrpExpand(String hrp) {
        int n = hrp.length();
        byte[] out = new byte[n * 2 + 1];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) (hrp.charAt(i) >> 5);
            out[i + n + 1] = (byte) (hrp.charAt(i) & 31);
        }
        return out;
    }

    /** Decodes and checks the checksum; the data part comes back as 8-bit bytes. */
    public static Decoded decode(String s) {
        if (s == null || s.length() < 8 || s.length() > 5000) {
            throw new IllegalArgumentException("bech32 string has a bad length");
        }
        boolean lower = !s.equals(s.toUpperCase(Locale.ROOT));
        boolean upper = !s.equals(s.toLowerCase(Locale.ROOT));
        if (lower && upper) {
            throw new IllegalArgumentException("bech32 string mixes upper and lower case");
        }
        String str = s.toLowerCase(Locale.ROOT);
        int sep = str.lastIndexOf('1');
        if (sep < 1 || sep + 7 > str.length()) {
            throw new IllegalArgumentException("bech32 separator '1' missing or misplaced");
        }
        String hrp = str.substring(0, sep);
        byte[] values = new byte[str.length() - sep - 1];
        for (int i = 0; i < values.length; i++) {
            int v = CHARSET.indexOf(str.charAt(sep + 1 + i));
            if (v < 0) {
                throw new IllegalArgumentException("bech32: character '" + str.charAt(sep + 1 + i) + "' is not in the alphabet");
            }
            values[i] = (byte) v;
        }
        byte[] hrpExp = hrpExpand(hrp);
        byte[] all = new byte[hrpExp.length + values.length];
        System.arraycopy(hrpExp, 0, all, 0, hrpExp.length);
        System.arraycopy(values, 0, all, hrpExp.length, values.length);
        if (polymod(all) != 1) {
            throw new IllegalArgumentException("bech32 checksum does not match");
        }
        byte[] data5 = new byte[values.length - 6];
        System.arraycopy(values, 0, data5, 0, data5.length);
        return new Decoded(hrp, convertBits(data5, 5, 8, false));
    }

    public static String encode(String hrp, byte[] data8) {
        byte[] data5 = convertBits(data8, 8, 5, true);
        byte[] hrpExp = hrpExpand(hrp);
        byte[] all = new byte[hrpExp.length + data5.length + 6];
        System.arraycopy(hrpExp, 0, all, 0, hrpExp.length);
        System.arraycopy(data5, 0, all, hrpExp.length, data5.length);
        int mod = polymod(all) ^ 1;
        StringBuilder sb = new StringBuilder(hrp.length() + 1 + data5.length + 6);
        sb.append(hrp).append('1');
        for (byte b : data5) {
            sb.append(CHARSET.charAt(b));
        }
        for (int i = 0; i < 6; i++) {
            sb.append(CHARSET.charAt((mod >>> (5 * (5 - i))) & 31));
        }
        return sb.toString();
    }

    static byte[] convertBits(byte[] in, int from, int to, boolean pad) {
        int acc = 0;
        int bits = 0;
        int maxv = (1 << to) - 1;
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length * from / to + 1);
        for (byte b : in) {
            int value = b & 0xff;
            if ((value >>> from) != 0) {
                throw new IllegalArgumentException("bech32: value out of range");
            }
            acc = (acc << from) | value;
            bits += from;
            while (bits >= to) {
                bits -= to;
                out.write((acc >>> bits) & maxv);
            }
        }
        if (pad) {
            if (bits > 0) {
                out.write((acc << (to - bits)) & maxv);
            }
        } else if (bits >= from || ((acc << (to - bits)) & maxv) != 0) {
            throw new IllegalArgumentException("bech32: bad padding");
        }
        return out.toByteArray();
    }
}
