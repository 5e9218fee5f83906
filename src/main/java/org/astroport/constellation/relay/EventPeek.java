package org.astroport.constellation.relay;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/** The few top-level fields paging and uploads need (id, created_at, pubkey, kind), read without building the event. */
public record EventPeek(String id, long createdAt, String pubkey, int kind) {

    private static final JsonFactory FACTORY = new JsonFactory();
    static final EventPeek NONE = new EventPeek(null, -1, null, -1);

    public static EventPeek of(String eventJson) {
        String id = null;
        long createdAt = -1;
        String pubkey = null;
        int kind = -1;
        try (JsonParser p = FACTORY.createParser(eventJson)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return NONE;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "id" -> id = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "created_at" -> createdAt = v == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
                    case "pubkey" -> pubkey = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "kind" -> kind = v == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : -1;
                    default -> p.skipChildren();
                }
            }
        } catch (IOException | RuntimeException e) {
            return NONE;
        }
        return new EventPeek(id, createdAt, pubkey, kind);
    }

    /** The same fields of an event already parsed (strictly: each field once, of its type). */
    public static EventPeek of(org.astroport.constellation.nostr.NostrEvent e) {
        return new EventPeek(e.id(), e.createdAt(), e.pubkey(), e.kind());
    }

    /** Whether a relay would have counted this event against the filter's limit. */
    boolean countsFor(org.astroport.constellation.nostr.Filter f) {
        return (f.authors() == null || (pubkey != null && f.authors().contains(pubkey)))
                && (f.kinds() == null || f.kinds().contains(kind));
    }
}
