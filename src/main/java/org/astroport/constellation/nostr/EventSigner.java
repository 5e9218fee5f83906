package org.astroport.constellation.nostr;

import java.util.List;

/** Builds and signs events (tests, NIP-42 answers). */
public final class EventSigner {

    public static final int AUTH_KIND = 22242;

    private EventSigner() {
    }

    public static NostrEvent sign(String secretHex, long createdAt, int kind, List<List<String>> tags, String content) {
        byte[] secret = Hex.decode(secretHex);
        String pubkey = Hex.encode(Schnorr.publicKey(secret));
        byte[] id = EventIds.computeIdBytes(pubkey, createdAt, kind, tags, content);
        byte[] sig = Schnorr.sign(id, secret);
        java.util.Arrays.fill(secret, (byte) 0);
        return new NostrEvent(Hex.encode(id), pubkey, createdAt, kind, tags, content, Hex.encode(sig));
    }

    /** NIP-42: the kind-22242 answer to a relay's AUTH challenge. */
    public static NostrEvent authEvent(String secretHex, String relayUrl, String challenge, long now) {
        return sign(secretHex, now, AUTH_KIND, List.of(List.of("relay", relayUrl), List.of("challenge", challenge)), "");
    }
}
