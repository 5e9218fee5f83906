package org.astroport.constellation.ingest;

import org.astroport.constellation.nostr.NostrEvent;

/**
 * One event as a peer sent it, on its way through ingest in a batch (a list of these is the body):
 * the event already parsed with its frame and its size in UTF-8 as sent (json null: nothing downstream
 * needs the text, the sink writes the parsed event), or else its JSON text (parsed null), and when it
 * was read.
 */
public record ReceivedEvent(String json, NostrEvent parsed, long receivedNanos, int wireBytes) {

    /** The text, and what was parsed from it with its frame if it was (null if not). */
    public ReceivedEvent(String json, NostrEvent parsed, long receivedNanos) {
        this(json, parsed, receivedNanos, -1);
    }

    public static ReceivedEvent of(String json) {
        return new ReceivedEvent(json, null, System.nanoTime());
    }

    /** Parsed with its frame; the text is not kept. */
    public static ReceivedEvent parsed(NostrEvent parsed, int wireBytes, long receivedNanos) {
        return new ReceivedEvent(null, parsed, receivedNanos, wireBytes);
    }

    /** The event's JSON: as sent, or, when only the parsed event was kept, written again from it. */
    public String text() {
        return json != null ? json : parsed.toJson();
    }

    /** What it weighs in a batch: its text's length, or its size as sent. */
    public int size() {
        return json != null ? json.length() : wireBytes;
    }
}
