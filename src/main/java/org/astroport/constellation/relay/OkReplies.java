package org.astroport.constellation.relay;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.astroport.constellation.nostr.RelayMessage;
import org.astroport.constellation.nostr.RelayMessageCodec;

/** Matches a relay's {@code OK} replies to the events we await them for (the relay sink, the producer). */
public final class OkReplies {

    private final Map<String, CompletableFuture<RelayMessage.Ok>> pending = new ConcurrentHashMap<>();

    /** Awaits the OK of this event from now on; {@link #forget} it once answered or given up. */
    public CompletableFuture<RelayMessage.Ok> expect(String eventId) {
        return pending.computeIfAbsent(eventId, id -> new CompletableFuture<>());
    }

    public void forget(String eventId) {
        pending.remove(eventId);
    }

    /** A frame the relay sent: completes the wait for its event when it is an awaited OK. */
    public void onFrame(String frame) {
        if (RelayMessageCodec.decodeFromRelay(frame) instanceof RelayMessage.Ok ok) {
            CompletableFuture<RelayMessage.Ok> f = pending.remove(ok.eventId());
            if (f != null) {
                f.complete(ok);
            }
        }
    }

    /** The connection is gone: every wait fails now instead of at its timeout. */
    public void failAll(Throwable why) {
        pending.values().forEach(f -> f.completeExceptionally(why));
    }

    public int awaited() {
        return pending.size();
    }
}
