package org.astroport.constellation.nostr;

/**
 * UTF-8 sizes of Java strings, counted without encoding them (frames reach 128 KB, one per event), and the
 * check that bytes are well-formed UTF-8 before a reader that would take a malformed sequence is given them.
 */
public final class Utf8 {

    private Utf8() {
    }

    /** Bytes of s in UTF-8. */
    public static int length(String s) {
        return length(s, Integer.MAX_VALUE - 4);
    }

    /**
     * For a size check against limit: the exact count when s could be over it, else s.length() (a lower
     * bound; a char is at most 3 bytes). Nearly every event is far under the limit and is not counted.
     */
    public static int lengthToCheck(String s, int limit) {
        if ((long) s.length() * 3 <= limit) {
            return s.length();
        }
        return length(s, limit);
    }

    /** Bytes of s in UTF-8, counting no further than limit + 1: a string over the limit stops there. */
    public static int length(String s, int limit) {
        int n = s.length();
        int bytes = 0;
        for (int i = 0; i < n && bytes <= limit; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /**
     * Whether the bytes are well-formed UTF-8 (RFC 3629): no stray or missing continuation byte, no overlong
     * form, no encoded surrogate, nothing over U+10FFFF. Jackson's byte reader decodes an overlong '/' or an
     * encoded surrogate pair without a word, where a text decoder gives replacement characters: the two would
     * read another event out of the same frame.
     */
    public static boolean isWellFormed(byte[] b) {
        int n = b.length;
        int i = 0;
        // ASCII, four bytes a step: nearly every frame is ASCII all through
        while (i + 4 <= n && (b[i] | b[i + 1] | b[i + 2] | b[i + 3]) >= 0) {
            i += 4;
        }
        while (i < n) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                i++;
                continue;
            }
            int more;
            int lo = 0x80;
            int hi = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                more = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                more = 2;
                if (c == 0xE0) {
                    lo = 0xA0; // overlong below U+0800
                } else if (c == 0xED) {
                    hi = 0x9F; // U+D800..U+DFFF: surrogates
                }
            } else if (c >= 0xF0 && c <= 0xF4) {
                more = 3;
                if (c == 0xF0) {
                    lo = 0x90; // overlong below U+10000
                } else if (c == 0xF4) {
                    hi = 0x8F; // over U+10FFFF
                }
            } else {
                return false; // a continuation byte first, C0/C1 (overlong), F5..FF
            }
            if (i + more >= n) {
                return false; // cut short
            }
            int second = b[i + 1] & 0xff;
            if (second < lo || second > hi) {
                return false;
            }
            for (int k = 2; k <= more; k++) {
                if ((b[i + k] & 0xC0) != 0x80) {
                    return false;
                }
            }
            i += more + 1;
        }
        return true;
    }
}
