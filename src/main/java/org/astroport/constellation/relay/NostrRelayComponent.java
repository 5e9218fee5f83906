package org.astroport.constellation.relay;

import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code nostr-relay:<peer>?url=ws://...}: a consumer that keeps one subscription to a peer's relay
 * and emits each received event; a producer that publishes events to a relay. We wrap Vert.x
 * ourselves instead of using camel-vertx-websocket's client consumer because that consumer tells the
 * route nothing on (re)connect (so it cannot authenticate or resubscribe) and can stack sockets on
 * overlapping reconnects (CAMEL-25582).
 */
public class NostrRelayComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        NostrRelayEndpoint endpoint = new NostrRelayEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
