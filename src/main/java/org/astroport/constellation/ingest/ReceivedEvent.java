package org.astroport.constellation.ingest;

import org.astroport.constellation.nostr.NostrEvent;

/**
 * One event as a peer sent it, on its way through ingest in a batch (a list of these is the body):
 * its JSON text, the event already parsed with its frame (null when it was not), and when it was read.
 */
public record ReceivedEvent(String json, NostrEvent parsed, long receivedNanos) {

    public static ReceivedEvent of(String json) {
        return new ReceivedEvent(json, null, System.nanoTime());
    }
}
