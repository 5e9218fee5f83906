package org.astroport.constellation.relay;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;
import org.astroport.constellation.nostr.RelayMessage;
import org.astroport.constellation.nostr.RelayMessageCodec;

/**
 * Publishes the body (an event's JSON) to the endpoint's relay. With header
 * {@value #HEADER_AWAIT_OK_ID} it waits for the relay's OK and reports it in
 * {@value #HEADER_OK_ACCEPTED} / {@value #HEADER_OK_MESSAGE}; without, it is fire and forget.
 */
public class NostrRelayProducer extends DefaultProducer {

    public static final String HEADER_AWAIT_OK_ID = "NostrRelay.AwaitOkId";
    public static final String HEADER_OK_ACCEPTED = "NostrRelay.OkAccepted";
    public static final String HEADER_OK_MESSAGE = "NostrRelay.OkMessage";

    private final NostrRelayEndpoint endpoint;
    private final Map<String, CompletableFuture<RelayMessage.Ok>> pending = new ConcurrentHashMap<>();
    private RelayConnection connection;

    public NostrRelayProducer(NostrRelayEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        connection = new RelayConnection(endpoint.transport().vertx(), endpoint.getUrl(), endpoint.options(), new RelaySessionHandler() {
            @Override
            public void onOpen(RelaySession session) {
            }

            @Override
            public void onFrame(RelaySession session, String frame) {
                if (RelayMessageCodec.decodeFromRelay(frame) instanceof RelayMessage.Ok ok) {
                    CompletableFuture<RelayMessage.Ok> f = pending.remove(ok.eventId());
                    if (f != null) {
                        f.complete(ok);
                    }
                }
            }
        }, endpoint.getDestinations());
        connection.start();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        String eventJson = exchange.getMessage().getMandatoryBody(String.class);
        String awaitId = exchange.getMessage().getHeader(HEADER_AWAIT_OK_ID, String.class);
        CompletableFuture<RelayMessage.Ok> ok = null;
        if (awaitId != null) {
            ok = new CompletableFuture<>();
            pending.put(awaitId, ok);
        }
        if (!connection.send(RelayMessageCodec.encode(new RelayMessage.Publish(eventJson)))) {
            if (awaitId != null) {
                pending.remove(awaitId);
            }
            throw new RelayUnavailableException(endpoint.getUrl() + " is not connected (" + connection.state() + ")");
        }
        if (ok != null) {
            try {
                RelayMessage.Ok answer = ok.get(endpoint.getConnectTimeoutMillis(), TimeUnit.MILLISECONDS);
                exchange.getMessage().setHeader(HEADER_OK_ACCEPTED, answer.accepted());
                exchange.getMessage().setHeader(HEADER_OK_MESSAGE, answer.message());
            } finally {
                pending.remove(awaitId);
            }
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (connection != null) {
            connection.stop();
        }
        super.doStop();
    }
}
