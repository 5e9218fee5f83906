package org.astroport.constellation.nostr;

import java.security.SecureRandom;
import java.util.Arrays;

import fr.acinq.secp256k1.Secp256k1;

/** BIP-340 Schnorr signatures through libsecp256k1 (ACINQ's JNI binding). No curve math here. */
public final class Schnorr {

    private static final Secp256k1 SECP = Secp256k1.Companion.get();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Schnorr() {
    }

    /** False for a bad signature and for inputs libsecp256k1 refuses (not a point, wrong sizes). */
    public static boolean verify(byte[] sig64, byte[] msg32, byte[] xonlyPub32) {
        if (sig64.length != 64 || msg32.length != 32 || xonlyPub32.length != 32) {
            return false;
        }
        try {
            return SECP.verifySchnorr(sig64, msg32, xonlyPub32);
        } catch (RuntimeException e) {
            return false;
        }
    }

    public static byte[] sign(byte[] msg32, byte[] secret32) {
        byte[] aux = new byte[32];
        RANDOM.nextBytes(aux);
        return SECP.signSchnorr(msg32, secret32, aux);
    }

    /** x-only public key (32 bytes) of a secret key. */
    public static byte[] publicKey(byte[] secret32) {
        if (secret32.length != 32 || !SECP.secKeyVerify(secret32)) {
            throw new IllegalArgumentException("not a valid secp256k1 secret key");
        }
        byte[] full = SECP.pubkeyCreate(secret32); // 65 bytes, uncompressed: 0x04 || x || y
        return Arrays.copyOfRange(full, 1, 33);
    }

    public static String publicKeyHex(String secretHex) {
        return Hex.encode(publicKey(Hex.decode(secretHex)));
    }
}
