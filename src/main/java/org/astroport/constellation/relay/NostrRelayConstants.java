package org.astroport.constellation.relay;

import org.apache.camel.spi.Metadata;
import org.astroport.constellation.ingest.IngestHeaders;

/** The headers of the {@code nostr-relay} component (its {@code headersClass}). */
public final class NostrRelayConstants {

    @Metadata(description = "The peer (the endpoint's path): the event came from it (consumer), or was sent to it (producer, liveSession)", javaType = "String")
    public static final String PEER = IngestHeaders.PEER;
    @Metadata(label = "consumer", description = "The subscription id the relay sent the event under", javaType = "String")
    public static final String SUBSCRIPTION = "NostrRelay.Subscription";
    @Metadata(label = "consumer", description = "False while the subscription catches up (before EOSE), true once it is live", javaType = "boolean")
    public static final String LIVE = "NostrRelay.Live";
    @Metadata(label = "consumer", description = "System.nanoTime() when the frame was read: the start of the event's latency", javaType = "long")
    public static final String RECEIVED_NANOS = IngestHeaders.RECEIVED_NANOS;
    @Metadata(label = "consumer", description = "The event of the body, already parsed strictly with its frame (read once); absent when it was not",
            javaType = "org.astroport.constellation.nostr.NostrEvent")
    public static final String PARSED_EVENT = IngestHeaders.PARSED_EVENT;
    @Metadata(label = "producer", description = "The id of the event to await the relay's OK for; without it the producer does not wait", javaType = "String")
    public static final String AWAIT_OK_ID = "NostrRelay.AwaitOkId";
    @Metadata(label = "producer", description = "Whether the relay accepted the event (its OK), when awaited", javaType = "boolean")
    public static final String OK_ACCEPTED = "NostrRelay.OkAccepted";
    @Metadata(label = "producer", description = "The relay's OK message (e.g. duplicate:, rate-limited:), when awaited", javaType = "String")
    public static final String OK_MESSAGE = "NostrRelay.OkMessage";
    @Metadata(label = "producer", description = "With liveSession, what became of the event: SENT, OFFLINE (the peer has no open session) or "
            + "NOT_READING (the peer has not read what we sent: nothing more is queued for it)", javaType = "String")
    public static final String DELIVERY = "NostrRelay.Delivery";

    private NostrRelayConstants() {
    }
}
