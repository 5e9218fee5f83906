package org.astroport.constellation.nostr;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The station's own key from {@code ~/.zen/game/secret.nostr} ({@code NSEC=nsec1...; NPUB=npub1...; HEX=...}),
 * used to answer NIP-42 challenges. The secret never appears in toString, logs or exception messages.
 */
public final class StationKey {

    private final String secretHex;
    private final String publicKeyHex;
    private final Path source;

    private StationKey(String secretHex, String publicKeyHex, Path source) {
        this.secretHex = secretHex;
        this.publicKeyHex = publicKeyHex;
        this.source = source;
    }

    public static StationKey load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": station key file not found (expected NSEC=nsec1...; NPUB=npub1...; HEX=...)");
        }
        return parse(Files.readString(file, StandardCharsets.UTF_8), file);
    }

    static StationKey parse(String text, Path source) {
        Map<String, String> fields = new HashMap<>();
        for (String part : text.split("[;\\n\\r]+")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                fields.put(part.substring(0, eq).trim().toUpperCase(java.util.Locale.ROOT), part.substring(eq + 1).trim());
            }
        }
        String nsec = fields.get("NSEC");
        if (nsec == null || nsec.isEmpty()) {
            throw new IllegalArgumentException(source + ": no NSEC=nsec1... entry");
        }
        String secret;
        try {
            secret = Nip19.decodeNsec(nsec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": NSEC is not a valid nsec key (" + e.getMessage() + ")");
        }
        String pub;
        try {
            pub = Schnorr.publicKeyHex(secret);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": NSEC is not a usable secp256k1 secret key");
        }
        String hex = fields.get("HEX");
        if (hex != null && !hex.isEmpty() && !pub.equals(Hex.normalizeKey(hex))) {
            throw new IllegalArgumentException(source + ": HEX " + hex + " is not the public key of NSEC (" + pub + ")");
        }
        String npub = fields.get("NPUB");
        if (npub != null && !npub.isEmpty()) {
            String fromNpub;
            try {
                fromNpub = Nip19.decodeNpub(npub);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ": NPUB is not a valid npub (" + e.getMessage() + ")");
            }
            if (!pub.equals(fromNpub)) {
                throw new IllegalArgumentException(source + ": NPUB is not the public key of NSEC (" + pub + ")");
            }
        }
        return new StationKey(secret, pub, source);
    }

    public String publicKeyHex() {
        return publicKeyHex;
    }

    public Path source() {
        return source;
    }

    public NostrEvent authEvent(String relayUrl, String challenge, long now) {
        return EventSigner.authEvent(secretHex, relayUrl, challenge, now);
    }

    public NostrEvent sign(long createdAt, int kind, List<List<String>> tags, String content) {
        return EventSigner.sign(secretHex, createdAt, kind, tags, content);
    }

    @Override
    public String toString() {
        return "StationKey[pubkey=" + publicKeyHex + ", from " + source + "]";
    }
}
