package org.astroport.constellation.nostr;

import java.util.Optional;

/** Checks that an event's id is the hash of its content and that its author signed that id. */
public final class EventVerifier {

    private EventVerifier() {
    }

    public static Optional<Rejection> verify(NostrEvent e) {
        byte[] id = EventIds.computeIdBytes(e);
        if (!Hex.spells(e.id(), id)) {
            return Optional.of(new Rejection(RejectReason.ID_MISMATCH, "id " + e.id() + " is not the hash of the event (computed " + Hex.encode(id) + ")"));
        }
        if (!Schnorr.verify(Hex.decode(e.sig()), id, Hex.decode(e.pubkey()))) {
            return Optional.of(new Rejection(RejectReason.BAD_SIGNATURE, "signature does not verify for pubkey " + e.pubkey()));
        }
        return Optional.empty();
    }
}
