package org.astroport.constellation.nostr;

/** A refusal with its reason and a detail naming the defect (never the event's secret material). */
public record Rejection(RejectReason reason, String detail) {

    public String code() {
        return reason.code();
    }

    @Override
    public String toString() {
        return reason.code() + ": " + detail;
    }
}
