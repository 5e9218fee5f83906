package org.astroport.constellation.relay;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/** Reads one top-level number out of an event's JSON without building the event (paging needs created_at). */
final class EventPeek {

    private static final JsonFactory FACTORY = new JsonFactory();

    private EventPeek() {
    }

    /** created_at, or -1 when absent or not an integer. */
    static long createdAt(String eventJson) {
        try (JsonParser p = FACTORY.createParser(eventJson)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return -1;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if ("created_at".equals(name)) {
                    return v == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
                }
                p.skipChildren();
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
