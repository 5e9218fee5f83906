package org.astroport.constellation.nostr;

/** NIP-19 bare keys: npub (public) and nsec (secret). */
public final class Nip19 {

    private Nip19() {
    }

    public static String decodeNpub(String npub) {
        return decode(npub, "npub");
    }

    /** The secret key as hex. Callers must never log it. */
    public static String decodeNsec(String nsec) {
        return decode(nsec, "nsec");
    }

    public static String encodeNpub(String pubkeyHex) {
        return Bech32.encode("npub", Hex.decode(pubkeyHex));
    }

    public static String encodeNsec(String secretHex) {
        return Bech32.encode("nsec", Hex.decode(secretHex));
    }

    private static String decode(String s, String hrp) {
        Bech32.Decoded d = Bech32.decode(s.trim());
        if (!d.hrp().equals(hrp)) {
            throw new IllegalArgumentException("expected a " + hrp + " key, got prefix '" + d.hrp() + "'");
        }
        if (d.data().length != 32) {
            throw new IllegalArgumentException(hrp + " holds " + d.data().length + " bytes, expected 32");
        }
        return Hex.encode(d.data());
    }
}
