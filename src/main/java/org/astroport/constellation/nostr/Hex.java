package org.astroport.constellation.nostr;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Lowercase hex, the only spelling NIP-01 allows for ids, keys and signatures. */
public final class Hex {

    private static final byte[] DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** A digit's value by its char (or Latin-1 byte), -1 for anything else: NIP-77 messages are megabytes of hex, Character.digit cost a call per char. */
    private static final byte[] VALUES = new byte[256];

    static {
        Arrays.fill(VALUES, (byte) -1);
        for (int i = 0; i < 16; i++) {
            VALUES["0123456789abcdef".charAt(i)] = (byte) i;
            VALUES["0123456789ABCDEF".charAt(i)] = (byte) i;
        }
    }

    private Hex() {
    }

    public static String encode(byte[] bytes) {
        // bytes, not chars: a String made of chars is compressed back to one byte each (a NIP-77 message is megabytes of hex)
        byte[] out = new byte[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = DIGITS[(bytes[i] >> 4) & 0xf];
            out[2 * i + 1] = DIGITS[bytes[i] & 0xf];
        }
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    /** Decodes lowercase or uppercase hex; throws IllegalArgumentException on anything else. */
    public static byte[] decode(String hex) {
        if ((hex.length() & 1) != 0) {
            throw new IllegalArgumentException("odd number of hex digits: " + hex.length());
        }
        // the chars copied as bytes first (a char past U+00FF becomes '?', not a digit), so that the loop calls nothing:
        // where it runs interpreted, as for a backfill's first half-megabyte NIP-77 message, 500,000 chars take 12 ms
        // instead of 156 (and a signature half the time once compiled by C1)
        byte[] in = hex.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[in.length / 2];
        int bad = 0;
        for (int i = 0, j = 0; i < out.length; i++, j += 2) {
            int hi = VALUES[in[j] & 0xff];
            int lo = VALUES[in[j + 1] & 0xff];
            bad |= hi | lo;
            out[i] = (byte) ((hi << 4) | lo);
        }
        if (bad < 0) {
            int at = 0;
            while (value(hex.charAt(at)) >= 0) {
                at++;
            }
            throw new IllegalArgumentException("not a hex digit at " + at);
        }
        return out;
    }

    /** Decodes hex (either case) into out from at, without an array of its own; throws IllegalArgumentException on anything else. */
    public static void decodeInto(String hex, byte[] out, int at) {
        int bad = -(hex.length() & 1);
        for (int i = 0, j = 0; j + 1 < hex.length(); i++, j += 2) {
            int hi = value(hex.charAt(j));
            int lo = value(hex.charAt(j + 1));
            bad |= hi | lo;
            out[at + i] = (byte) ((hi << 4) | lo);
        }
        if (bad < 0) {
            throw new IllegalArgumentException("not an even number of hex digits (" + hex.length() + " chars)");
        }
    }

    /** A hex digit's value (either case), -1 for any other char. */
    public static int value(char c) {
        return c < 256 ? VALUES[c] : -1;
    }

    public static boolean isLowerHex(String s, int length) {
        if (s == null || s.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /** The len chars of a from off are lowercase hex. */
    public static boolean isLowerHex(char[] a, int off, int len) {
        int bad = 0;
        for (int i = off; i < off + len; i++) {
            char c = a[i];
            // no branch per char: a char outside both ranges makes both differences negative
            bad |= ((c - '0') | ('9' - c)) & ((c - 'a') | ('f' - c));
        }
        return bad >= 0;
    }

    /** hex (lowercase) spells exactly these bytes; no string is made to compare. */
    public static boolean spells(String hex, byte[] bytes) {
        if (hex.length() != bytes.length * 2) {
            return false;
        }
        for (int i = 0; i < bytes.length; i++) {
            if (hex.charAt(2 * i) != DIGITS[(bytes[i] >> 4) & 0xf] || hex.charAt(2 * i + 1) != DIGITS[bytes[i] & 0xf]) {
                return false;
            }
        }
        return true;
    }

    public static boolean isLowerHex64(String s) {
        return isLowerHex(s, 64);
    }

    /**
     * A key line as station files write it (spaces, tabs, CR, any case) to its canonical form, or
     * null when it is not a 64-digit hex key.
     */
    public static String normalizeKey(String line) {
        if (line == null) {
            return null;
        }
        String t = line.strip();
        if (t.length() != 64) {
            return null;
        }
        char[] out = new char[64];
        for (int i = 0; i < 64; i++) {
            char c = t.charAt(i);
            if (c >= 'A' && c <= 'F') {
                c = (char) (c + 32);
            }
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return null;
            }
            out[i] = c;
        }
        return new String(out);
    }
}
