package org.astroport.constellation.nostr;

/** Outcome of strict parsing: an event, or why not. */
public sealed interface ParseResult {

    record Ok(NostrEvent event) implements ParseResult {
    }

    record Rejected(Rejection rejection) implements ParseResult {
    }

    static ParseResult reject(RejectReason reason, String detail) {
        return new Rejected(new Rejection(reason, detail));
    }
}
