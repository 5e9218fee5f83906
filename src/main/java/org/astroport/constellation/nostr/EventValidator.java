package org.astroport.constellation.nostr;

/** Size limit, strict parse, id and signature, in that order (cheapest first). Thread-safe. */
public final class EventValidator {

    private final EventParser parser;

    public EventValidator() {
        this(new EventParser());
    }

    public EventValidator(int maxBytes) {
        this(new EventParser(maxBytes));
    }

    public EventValidator(EventParser parser) {
        this.parser = parser;
    }

    public Validation validate(String rawJson) {
        return check(parser.parse(rawJson));
    }

    public Validation validate(byte[] rawJson) {
        return check(parser.parse(rawJson));
    }

    private static Validation check(ParseResult parsed) {
        if (parsed instanceof ParseResult.Rejected r) {
            return Validation.invalid(r.rejection());
        }
        NostrEvent e = ((ParseResult.Ok) parsed).event();
        return EventVerifier.verify(e).map(Validation::invalid).orElseGet(() -> Validation.valid(e));
    }
}
