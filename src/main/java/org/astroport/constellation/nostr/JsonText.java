package org.astroport.constellation.nostr;

import java.util.List;

/**
 * JSON text exactly as JavaScript's JSON.stringify writes it, which is what NIP-01 ids hash:
 * the two-character escapes for quote, backslash, \b \f \n \r \t; other control characters as
 * backslash-u00xx with lowercase hex; everything else (DEL, U+2028/9, '/', non-ASCII) verbatim.
 * Jackson's writer differs (uppercase hex), hence this.
 */
public final class JsonText {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonText() {
    }

    public static void appendString(StringBuilder sb, String s) {
        sb.append('"');
        int start = 0;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            sb.append(s, start, i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
            start = i + 1;
        }
        sb.append(s, start, n);
        sb.append('"');
    }

    public static void appendTags(StringBuilder sb, List<List<String>> tags) {
        sb.append('[');
        for (int i = 0; i < tags.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            List<String> tag = tags.get(i);
            sb.append('[');
            for (int j = 0; j < tag.size(); j++) {
                if (j > 0) {
                    sb.append(',');
                }
                appendString(sb, tag.get(j));
            }
            sb.append(']');
        }
        sb.append(']');
    }

    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        appendString(sb, s);
        return sb.toString();
    }
}
