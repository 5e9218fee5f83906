package org.astroport.constellation.nostr;

import java.util.List;

/** NIP-01 / NIP-42 / NIP-45 / NIP-77 messages, both directions, plus the value for a frame we cannot read. */
public sealed interface RelayMessage {

    /**
     * Whether an OK or CLOSED message carries NIP-01's machine-readable prefix ({@code "auth-required"},
     * {@code "rate-limited"}, ...). strfry puts {@code "ERROR: "} in front of some of them
     * ({@code "ERROR: auth-required: requested filter requires authentication"}).
     */
    static boolean hasPrefix(String message, String prefix) {
        String m = message.regionMatches(true, 0, "error: ", 0, 7) && !message.startsWith(prefix) ? message.substring(7) : message;
        return m.startsWith(prefix + ":");
    }

    // ---- relay → client
    /** An event for a subscription; the event is kept as the raw JSON text received, for strict parsing downstream. */
    record Event(String subscriptionId, String eventJson) implements RelayMessage {
    }

    record Eose(String subscriptionId) implements RelayMessage {
    }

    record Ok(String eventId, boolean accepted, String message) implements RelayMessage {
    }

    record Notice(String message) implements RelayMessage {
    }

    record Closed(String subscriptionId, String message) implements RelayMessage {
    }

    /** Relay → client challenge (NIP-42). */
    record Auth(String challenge) implements RelayMessage {
    }

    record Count(String subscriptionId, long count) implements RelayMessage {
    }

    /** NEG-MSG travels both ways (NIP-77). */
    record NegMsg(String subscriptionId, String hexMessage) implements RelayMessage {
    }

    record NegErr(String subscriptionId, String reason) implements RelayMessage {
    }

    // ---- client → relay
    record Req(String subscriptionId, List<Filter> filters) implements RelayMessage {
        public Req {
            filters = List.copyOf(filters);
        }
    }

    record Close(String subscriptionId) implements RelayMessage {
    }

    record Publish(String eventJson) implements RelayMessage {
        public static Publish of(NostrEvent e) {
            return new Publish(e.toJson());
        }
    }

    /** Client → relay answer to a challenge: a signed kind-22242 event. */
    record AuthResponse(String eventJson) implements RelayMessage {
        public static AuthResponse of(NostrEvent e) {
            return new AuthResponse(e.toJson());
        }
    }

    record CountRequest(String subscriptionId, List<Filter> filters) implements RelayMessage {
        public CountRequest {
            filters = List.copyOf(filters);
        }
    }

    record NegOpen(String subscriptionId, Filter filter, String hexMessage) implements RelayMessage {
    }

    record NegClose(String subscriptionId) implements RelayMessage {
    }

    /** A frame that is not a message we understand; never an exception. */
    record Malformed(String reason, String frame) implements RelayMessage {
        @Override
        public String toString() {
            String f = frame == null ? "" : frame;
            return "Malformed[" + reason + ": " + (f.length() > 120 ? f.substring(0, 120) + "…" : f) + "]";
        }
    }
}
