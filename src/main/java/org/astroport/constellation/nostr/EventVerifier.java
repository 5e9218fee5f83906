package org.astroport.constellation.nostr;

import java.util.Optional;

/** Checks that an event's id is the hash of its content and that its author signed that id. */
public final class EventVerifier {

    /** Per thread, a signature's and a key's bytes, decoded anew for each event: no arrays made per event. */
    private static final ThreadLocal<byte[][]> BUFFERS = ThreadLocal.withInitial(() -> new byte[][] {new byte[64], new byte[32]});

    private EventVerifier() {
    }

    /** hex (its length checked) into this thread's buffer for it; libsecp256k1 reads it before the next event. */
    private static byte[] decode(String hex, int buffer) {
        byte[] out = BUFFERS.get()[buffer];
        Hex.decodeInto(hex, out, 0);
        return out;
    }

    public static Optional<Rejection> verify(NostrEvent e) {
        byte[] id = EventIds.computeIdBytes(e);
        if (!Hex.spells(e.id(), id)) {
            return Optional.of(new Rejection(RejectReason.ID_MISMATCH, "id " + e.id() + " is not the hash of the event (computed " + Hex.encode(id) + ")"));
        }
        if (e.sig().length() != 128 || e.pubkey().length() != 64 || !Schnorr.verify(decode(e.sig(), 0), id, decode(e.pubkey(), 1))) {
            return Optional.of(new Rejection(RejectReason.BAD_SIGNATURE, "signature does not verify for pubkey " + e.pubkey()));
        }
        return Optional.empty();
    }
}
