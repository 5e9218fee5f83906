package org.astroport.constellation.relay;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;
import org.astroport.constellation.nostr.RelayMessage;
import org.astroport.constellation.nostr.RelayMessageCodec;

/**
 * Publishes the body (an event's JSON) to a relay. With {@code liveSession}, on the connection of this
 * peer's consumer, within its {@link SendWindow}, the outcome in {@link NostrRelayConstants#DELIVERY}.
 * Otherwise on a connection of its own: with header {@link NostrRelayConstants#AWAIT_OK_ID} it waits for
 * the relay's OK and reports it in {@link NostrRelayConstants#OK_ACCEPTED} /
 * {@link NostrRelayConstants#OK_MESSAGE}; without, it is fire and forget.
 */
public class NostrRelayProducer extends DefaultProducer {

    private final NostrRelayEndpoint endpoint;
    private final NostrRelayConfiguration conf;
    private final OkReplies replies = new OkReplies();
    private RelayConnection connection;

    public NostrRelayProducer(NostrRelayEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
        this.conf = endpoint.getConfiguration();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        if (conf.isLiveSession()) {
            return;
        }
        connection = new RelayConnection(endpoint.transport().vertx(), conf.dialUrl(), conf.options(), new RelaySessionHandler() {
            @Override
            public void onOpen(RelaySession session) {
            }

            @Override
            public void onFrame(RelaySession session, String frame) {
                replies.onFrame(frame);
            }
        }, conf.destinations());
        connection.start();
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        String frame = RelayMessageCodec.encode(new RelayMessage.Publish(exchange.getMessage().getMandatoryBody(String.class)));
        if (conf.isLiveSession()) {
            exchange.getMessage().setHeader(NostrRelayConstants.PEER, endpoint.getPeer());
            exchange.getMessage().setHeader(NostrRelayConstants.DELIVERY, endpoint.getComponent().sendOnLiveSession(endpoint.getPeer(), frame).name());
            return;
        }
        String awaitId = exchange.getMessage().getHeader(NostrRelayConstants.AWAIT_OK_ID, String.class);
        CompletableFuture<RelayMessage.Ok> ok = awaitId == null ? null : replies.expect(awaitId);
        try {
            if (!connection.send(frame)) {
                throw new RelayUnavailableException(conf.dialUrl() + " is not connected (" + connection.state() + ")");
            }
            if (ok != null) {
                RelayMessage.Ok answer = ok.get(conf.getConnectTimeoutMillis(), TimeUnit.MILLISECONDS);
                exchange.getMessage().setHeader(NostrRelayConstants.OK_ACCEPTED, answer.accepted());
                exchange.getMessage().setHeader(NostrRelayConstants.OK_MESSAGE, answer.message());
            }
        } finally {
            if (awaitId != null) {
                replies.forget(awaitId);
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
