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
 * {@link NostrRelayConstants#AWAIT_OK_ID} it waits for the relay's OK and reports it in
 * {@link NostrRelayConstants#OK_ACCEPTED} / {@link NostrRelayConstants#OK_MESSAGE}; without, it is fire and forget.
 */
public class NostrRelayProducer extends DefaultProducer {

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
        connection = new RelayConnection(endpoint.transport().vertx(), endpoint.getConfiguration().dialUrl(), endpoint.getConfiguration().options(), new RelaySessionHandler() {
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
        }, endpoint.getConfiguration().destinations());
        connection.start();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        String eventJson = exchange.getMessage().getMandatoryBody(String.class);
        String awaitId = exchange.getMessage().getHeader(NostrRelayConstants.AWAIT_OK_ID, String.class);
        CompletableFuture<RelayMessage.Ok> ok = null;
        if (awaitId != null) {
            ok = new CompletableFuture<>();
            pending.put(awaitId, ok);
        }
        if (!connection.send(RelayMessageCodec.encode(new RelayMessage.Publish(eventJson)))) {
            if (awaitId != null) {
                pending.remove(awaitId);
            }
            throw new RelayUnavailableException(endpoint.getConfiguration().dialUrl() + " is not connected (" + connection.state() + ")");
        }
        if (ok != null) {
            try {
                RelayMessage.Ok answer = ok.get(endpoint.getConfiguration().getConnectTimeoutMillis(), TimeUnit.MILLISECONDS);
                exchange.getMessage().setHeader(NostrRelayConstants.OK_ACCEPTED, answer.accepted());
                exchange.getMessage().setHeader(NostrRelayConstants.OK_MESSAGE, answer.message());
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
