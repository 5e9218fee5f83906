package org.astroport.constellation.nostr;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * JSON written straight to UTF-8 bytes, escaped as {@link JsonText} escapes it: the text an id hashes and
 * strfry's fried lines, which are needed as bytes, without a String and its copy to bytes in between
 * (two copies of every event on the hot path). Reused with {@link #reset()}; one per thread.
 */
public final class JsonBytes {

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private byte[] buf;
    private int len;

    public JsonBytes(int capacity) {
        buf = new byte[capacity];
    }

    public JsonBytes reset() {
        len = 0;
        return this;
    }

    public int length() {
        return len;
    }

    /** The buffer itself: its first {@link #length()} bytes are the text. */
    public byte[] array() {
        return buf;
    }

    /** Grown past 256 KiB by a big event: a thread that keeps it for reuse should let it go instead. */
    public boolean oversized() {
        return buf.length > 256 * 1024;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(2 * buf.length, len + more));
        }
    }

    public JsonBytes ascii(char c) {
        ensure(1);
        buf[len++] = (byte) c;
        return this;
    }

    /** Text as it is (no quotes, no escapes), in UTF-8. */
    public JsonBytes verbatim(String s) {
        int n = s.length();
        int start = 0;
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                asciiRun(s, start, i);
                i = utf8(s, i);
                start = i + 1;
            }
        }
        asciiRun(s, start, n);
        return this;
    }

    public JsonBytes number(long v) {
        if (v == Long.MIN_VALUE) {
            return verbatim(Long.toString(v));
        }
        ensure(20);
        if (v < 0) {
            buf[len++] = '-';
            v = -v;
        }
        int start = len;
        do {
            buf[len++] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
        for (int i = start, j = len - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
        return this;
    }

    /** The bytes as lowercase hex digits. */
    public JsonBytes hex(byte[] bytes) {
        ensure(2 * bytes.length);
        for (byte b : bytes) {
            buf[len++] = HEX[(b >> 4) & 0xf];
            buf[len++] = HEX[b & 0xf];
        }
        return this;
    }

    /**
     * A JSON string, as {@link JsonText#appendString(StringBuilder, String)} writes it, in UTF-8 as String.getBytes encodes it.
     * With escapeDelete, DEL is written backslash-u007f as well: strfry's serialiser (tao::json) does so.
     */
    public JsonBytes string(String s, boolean escapeDelete) {
        int n = s.length();
        ensure(n + 2);
        buf[len++] = '"';
        int start = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' || c == 0x7f && !escapeDelete) {
                continue; // ASCII as is: copied in runs
            }
            asciiRun(s, start, i);
            if (c >= 0x80) {
                i = utf8(s, i);
            } else {
                escape(c);
            }
            start = i + 1;
        }
        asciiRun(s, start, n);
        ensure(1);
        buf[len++] = '"';
        return this;
    }

    /** ASCII chars from..to: the old getBytes copies each char's low byte, an array copy when the String is Latin-1. */
    @SuppressWarnings("deprecation")
    private void asciiRun(String s, int from, int to) {
        if (to > from) {
            ensure(to - from);
            s.getBytes(from, to, buf, len);
            len += to - from;
        }
    }

    private void escape(char c) {
        ensure(6);
        buf[len++] = '\\';
        switch (c) {
            case '"' -> buf[len++] = '"';
            case '\\' -> buf[len++] = '\\';
            case '\b' -> buf[len++] = 'b';
            case '\f' -> buf[len++] = 'f';
            case '\n' -> buf[len++] = 'n';
            case '\r' -> buf[len++] = 'r';
            case '\t' -> buf[len++] = 't';
            default -> {
                buf[len++] = 'u';
                buf[len++] = '0';
                buf[len++] = '0';
                buf[len++] = HEX[c >> 4];
                buf[len++] = HEX[c & 0xf];
            }
        }
    }

    /** The non-ASCII char at i (with its low surrogate, when paired) in UTF-8; returns the index of the last char taken. */
    private int utf8(String s, int i) {
        char c = s.charAt(i);
        ensure(4);
        if (c < 0x800) {
            buf[len++] = (byte) (0xc0 | c >> 6);
            buf[len++] = (byte) (0x80 | c & 0x3f);
        } else if (!Character.isSurrogate(c)) {
            buf[len++] = (byte) (0xe0 | c >> 12);
            buf[len++] = (byte) (0x80 | c >> 6 & 0x3f);
            buf[len++] = (byte) (0x80 | c & 0x3f);
        } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            int cp = Character.toCodePoint(c, s.charAt(i + 1));
            buf[len++] = (byte) (0xf0 | cp >> 18);
            buf[len++] = (byte) (0x80 | cp >> 12 & 0x3f);
            buf[len++] = (byte) (0x80 | cp >> 6 & 0x3f);
            buf[len++] = (byte) (0x80 | cp & 0x3f);
            return i + 1;
        } else {
            buf[len++] = '?'; // an unpaired surrogate, replaced as String.getBytes(UTF_8) replaces it
        }
        return i;
    }

    /** Tags as {@link JsonText#appendTags(StringBuilder, List)} writes them (escapeDelete: as in {@link #string}). */
    public JsonBytes tags(List<List<String>> tags, boolean escapeDelete) {
        ascii('[');
        for (int i = 0; i < tags.size(); i++) {
            if (i > 0) {
                ascii(',');
            }
            List<String> tag = tags.get(i);
            ascii('[');
            for (int j = 0; j < tag.size(); j++) {
                if (j > 0) {
                    ascii(',');
                }
                string(tag.get(j), escapeDelete);
            }
            ascii(']');
        }
        return ascii(']');
    }
}
