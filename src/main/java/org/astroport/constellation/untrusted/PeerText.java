package org.astroport.constellation.untrusted;

/**
 * Text a peer chose (NOTICE and CLOSED messages, hostnames, relay URLs) made fit for a log line, JMX
 * or a route id: control characters escaped, length capped. The log layout escapes CR/LF as well;
 * this also keeps the text short and keeps terminal escape sequences out of consoles.
 */
public final class PeerText {

    /** Longest peer text kept; the rest is replaced by a count. */
    public static final int MAX_CHARS = 200;
    /** Longest peer name kept in route ids, metrics labels and JMX. */
    public static final int MAX_NAME_CHARS = 64;

    private PeerText() {
    }

    /** At most {@link #MAX_CHARS} characters, control characters as \n, \r, \t or \\uXXXX; null stays null. */
    public static String clip(String text) {
        return clip(text, MAX_CHARS);
    }

    public static String clip(String text, int maxChars) {
        if (text == null) {
            return null;
        }
        int keep = Math.min(text.length(), maxChars);
        // never cut a surrogate pair in half
        if (keep > 0 && keep < text.length() && Character.isHighSurrogate(text.charAt(keep - 1))) {
            keep--;
        }
        StringBuilder sb = new StringBuilder(keep + 16);
        for (int i = 0; i < keep; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    // C0, DEL, C1 controls and the Unicode line/paragraph separators
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        if (keep < text.length()) {
            sb.append("...(").append(text.length() - keep).append(" more chars)");
        }
        return sb.toString();
    }

    /**
     * A peer's self-declared name made safe for route ids, endpoint URIs and metrics labels: letters,
     * digits, '.', '_' and '-' only (anything else becomes '_'), at most {@link #MAX_NAME_CHARS}
     * characters; null when nothing usable is left.
     */
    public static String name(String raw) {
        if (raw == null) {
            return null;
        }
        String s = raw.strip();
        if (s.length() > MAX_NAME_CHARS) {
            s = s.substring(0, MAX_NAME_CHARS);
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            sb.append(ok ? c : '_');
        }
        String out = sb.toString();
        return out.chars().allMatch(c -> c == '_' || c == '.') ? null : out;
    }
}
