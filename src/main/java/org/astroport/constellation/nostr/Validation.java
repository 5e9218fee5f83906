package org.astroport.constellation.nostr;

/** Result of full validation: size, strict parse, id and signature. Exactly one of event/rejection is set. */
public record Validation(NostrEvent event, Rejection rejection) {

    public static Validation valid(NostrEvent e) {
        return new Validation(e, null);
    }

    public static Validation invalid(Rejection r) {
        return new Validation(null, r);
    }

    public boolean valid() {
        return event != null;
    }
}
