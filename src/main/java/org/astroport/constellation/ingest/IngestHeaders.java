package org.astroport.constellation.ingest;

/**
 * What the ingest route reads from a message besides its body. Whatever brings events in sets them:
 * the nostr-relay consumer (whose header constants are these) and the backfill.
 */
public final class IngestHeaders {

    /** The peer the event came from: it is never sent back there, and its refusals are counted for it. */
    public static final String PEER = "NostrRelay.Peer";
    /** System.nanoTime() when the frame was read: the start of the event's latency. */
    public static final String RECEIVED_NANOS = "NostrRelay.ReceivedAtNanos";
    /** The body's event, already parsed as strictly as ingest would (with its frame: each event is read once); absent when it was not. */
    public static final String PARSED_EVENT = "NostrRelay.ParsedEvent";

    private IngestHeaders() {
    }
}
