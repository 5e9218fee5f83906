package org.astroport.constellation.ingest;

import org.astroport.constellation.nostr.Kinds;
import org.astroport.constellation.nostr.NostrEvent;

/**
 * What ingest hands to the sink: an accepted, verified event on its way to the local relay, with the peer
 * it came from; {@code event} is the parsed event when the sender had it (a sink that needs its fields
 * need not parse {@code json} again), else null.
 */
public record SinkEvent(String id, String pubkey, int kind, long createdAt, String json, String origin, long receivedNanos, NostrEvent event) {

    public SinkEvent(String id, String pubkey, int kind, long createdAt, String json, String origin, long receivedNanos) {
        this(id, pubkey, kind, createdAt, json, origin, receivedNanos, null);
    }

    public static SinkEvent of(NostrEvent e, String origin, long receivedNanos) {
        return new SinkEvent(e.id(), e.pubkey(), e.kind(), e.createdAt(), e.toJson(), origin, receivedNanos, e);
    }

    public boolean isEphemeral() {
        return Kinds.isEphemeral(kind);
    }
}
