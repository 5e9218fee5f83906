package org.astroport.constellation.nostr;

/** UTF-8 sizes of Java strings, counted without encoding them (frames reach 128 KB, one per event). */
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
}
