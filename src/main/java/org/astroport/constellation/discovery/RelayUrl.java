package org.astroport.constellation.discovery;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

import org.astroport.constellation.untrusted.Destinations;
import org.astroport.constellation.untrusted.PeerText;

/**
 * A descriptor's {@code myRELAY}, checked: ws or wss, a host, an optional port and a plain path, at
 * most {@value #MAX_CHARS} characters. No user info, query or fragment: a relay needs none, and each
 * is a way to carry options, credentials or a local service's arguments in another station's file.
 */
public record RelayUrl(String text, String scheme, String host, int port) {

    static final int MAX_CHARS = 256;
    // unreserved characters and percent-escapes only: nothing that means something in an endpoint URI
    private static final Pattern PLAIN_PATH = Pattern.compile("^(/([A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})*)*$");

    /** Why a myRELAY value was refused; the message quotes it clipped and escaped. */
    public static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    public static RelayUrl parse(String raw) throws Invalid {
        String shown = "myRELAY '" + PeerText.clip(raw) + "'";
        if (raw.length() > MAX_CHARS) {
            throw new Invalid(shown + " is longer than " + MAX_CHARS + " characters");
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new Invalid(shown + " has a space, control or non-ASCII character");
            }
        }
        URI uri;
        try {
            uri = new URI(raw);
        } catch (URISyntaxException e) {
            throw new Invalid(shown + " is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("ws") || scheme.equals("wss")) || uri.getHost() == null || uri.getHost().isBlank()) {
            throw new Invalid(shown + " is not a ws:// or wss:// URL with a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new Invalid(shown + " has user info");
        }
        if (uri.getRawQuery() != null) {
            throw new Invalid(shown + " has a query");
        }
        if (uri.getRawFragment() != null) {
            throw new Invalid(shown + " has a fragment");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            throw new Invalid(shown + " has no valid port");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (!PLAIN_PATH.matcher(path).matches()) {
            throw new Invalid(shown + " has characters other than letters, digits, '.', '_', '~', '-' and '/' in its path");
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (!host.startsWith("[") && Destinations.isAmbiguousNumeric(host)) {
            throw new Invalid(shown + " spells its IPv4 host in a non-canonical way");
        }
        return new RelayUrl(raw, scheme, host, uri.getPort());
    }

}
