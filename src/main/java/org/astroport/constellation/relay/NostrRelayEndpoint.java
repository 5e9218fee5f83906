package org.astroport.constellation.relay;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/** One relay: as a consumer, a peer's subscription; as a producer, where events are published. */
@UriEndpoint(firstVersion = "0.1.0", scheme = "nostr-relay", title = "Nostr relay", syntax = "nostr-relay:peer", category = {Category.NETWORKING},
             headersClass = NostrRelayConstants.class)
public class NostrRelayEndpoint extends DefaultEndpoint {

    @UriPath(description = "Peer name (route and metrics label)")
    @org.apache.camel.spi.Metadata(required = true)
    private final String peer;
    @UriParam
    private NostrRelayConfiguration configuration;

    public NostrRelayEndpoint(String uri, NostrRelayComponent component, String peer, NostrRelayConfiguration configuration) {
        super(uri, component);
        this.peer = peer;
        this.configuration = configuration;
    }

    @Override
    public NostrRelayComponent getComponent() {
        return (NostrRelayComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        return new NostrRelayProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        NostrRelayConsumer c = new NostrRelayConsumer(this, processor);
        configureConsumer(c);
        return c;
    }

    RelayTransport transport() {
        return getComponent().getTransport();
    }

    public String getPeer() {
        return peer;
    }

    public NostrRelayConfiguration getConfiguration() {
        return configuration;
    }

    public void setConfiguration(NostrRelayConfiguration configuration) {
        this.configuration = configuration;
    }
}
