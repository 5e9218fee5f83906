package org.astroport.constellation.ingest;

import org.astroport.constellation.nostr.Kinds;
import org.astroport.constellation.nostr.NostrEvent;

/**
 * What ingest hands to the sink: an accepted, verified event on its way to the local relay, with the peer
 * it came from; {@code event} is the parsed event when the sender had it (a sink that needs its fields
 * need not parse {@code json} again), else null.
 * <p>
 * An event made {@link #of} a parsed event serialises its JSON only when a sink asks for it: the import
 * sink's pre-packed lines are written from the fields, and that serialisation was an eighth of what the
 * live path allocated (a mirror of 100,000 events, async-profiler).
 */
public final class SinkEvent {

    private final String id;
    private final String pubkey;
    private final int kind;
    private final long createdAt;
    private final String origin;
    private final long receivedNanos;
    private final NostrEvent event;
    private final int sizeHint;
    // made when first asked for; two threads asking at once may both make it, an immutable String either way
    private String json;

    public SinkEvent(String id, String pubkey, int kind, long createdAt, String json, String origin, long receivedNanos, NostrEvent event) {
        this(id, pubkey, kind, createdAt, json, origin, receivedNanos, event, json.length());
    }

    public SinkEvent(String id, String pubkey, int kind, long createdAt, String json, String origin, long receivedNanos) {
        this(id, pubkey, kind, createdAt, json, origin, receivedNanos, null);
    }

    private SinkEvent(String id, String pubkey, int kind, long createdAt, String json, String origin, long receivedNanos, NostrEvent event, int sizeHint) {
        this.id = id;
        this.pubkey = pubkey;
        this.kind = kind;
        this.createdAt = createdAt;
        this.json = json;
        this.origin = origin;
        this.receivedNanos = receivedNanos;
        this.event = event;
        this.sizeHint = sizeHint;
    }

    /** @param receivedBytes the event's size as it arrived: what batches are budgeted by until its JSON is made */
    public static SinkEvent of(NostrEvent e, String origin, long receivedNanos, int receivedBytes) {
        return new SinkEvent(e.id(), e.pubkey(), e.kind(), e.createdAt(), null, origin, receivedNanos, e, receivedBytes);
    }

    public static SinkEvent of(NostrEvent e, String origin, long receivedNanos) {
        return new SinkEvent(e.id(), e.pubkey(), e.kind(), e.createdAt(), e.toJson(), origin, receivedNanos, e);
    }

    public String id() {
        return id;
    }

    public String pubkey() {
        return pubkey;
    }

    public int kind() {
        return kind;
    }

    public long createdAt() {
        return createdAt;
    }

    /** The event's JSON (NIP-01 form when made here from the parsed event). */
    public String json() {
        String j = json;
        if (j == null) {
            j = event.toJson();
            json = j;
        }
        return j;
    }

    /** About the JSON's length without making it: its length once made, else the size the event arrived with. */
    public int size() {
        String j = json;
        return j != null ? j.length() : sizeHint;
    }

    /** Whether its JSON is one line, as strfry import takes an event: always when made here (our serialiser escapes a newline). */
    public boolean isOneLine() {
        String j = json;
        return j == null || j.indexOf('\n') < 0;
    }

    public String origin() {
        return origin;
    }

    public long receivedNanos() {
        return receivedNanos;
    }

    public NostrEvent event() {
        return event;
    }

    public boolean isEphemeral() {
        return Kinds.isEphemeral(kind);
    }

    @Override
    public String toString() {
        return "SinkEvent[id=" + id + ", kind=" + kind + ", origin=" + origin + "]";
    }
}
