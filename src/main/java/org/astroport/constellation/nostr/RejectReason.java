package org.astroport.constellation.nostr;

/** Why an event was refused; {@link #code()} is the stable label used in logs, counters and metrics. */
public enum RejectReason {
    TOO_LARGE("too-large"),
    MALFORMED_JSON("malformed-json"),
    NOT_AN_OBJECT("not-an-object"),
    DUPLICATE_KEY("duplicate-key"),
    TRAILING_DATA("trailing-data"),
    MISSING_FIELD("missing-field"),
    BAD_TYPE("bad-type"),
    BAD_HEX("bad-hex"),
    BAD_CREATED_AT("bad-created-at"),
    KIND_OUT_OF_RANGE("kind-out-of-range"),
    BAD_TAGS("bad-tags"),
    BAD_CONTENT("bad-content"),
    INVALID_UNICODE("invalid-unicode"),
    ID_MISMATCH("id-mismatch"),
    BAD_SIGNATURE("bad-signature"),
    FUTURE("future");

    private final String code;

    RejectReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
