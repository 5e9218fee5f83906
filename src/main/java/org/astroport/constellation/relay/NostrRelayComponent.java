package org.astroport.constellation.relay;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.service.ServiceHelper;

/**
 * {@code nostr-relay:<peer>}: a consumer that keeps one subscription to a peer's relay and emits each
 * received event; a producer that publishes events to a relay. We wrap Vert.x ourselves instead of
 * using camel-vertx-websocket's client consumer because that consumer tells the route nothing on
 * (re)connect (so it cannot authenticate or resubscribe) and can stack sockets on overlapping
 * reconnects (CAMEL-25582).
 */
@Component("nostr-relay")
public class NostrRelayComponent extends DefaultComponent {

    @Metadata(description = "The endpoints' defaults (camel.component.nostr-relay.*); an endpoint's URI sets what differs")
    private NostrRelayConfiguration configuration = new NostrRelayConfiguration();
    @Metadata(label = "advanced", autowired = true,
              description = "The Vert.x instance behind every connection, started and stopped with the component; the registry's when there is one")
    private RelayTransport transport;
    // peer name -> its consumer: producers with liveSession send on the consumer's connection
    private final Map<String, NostrRelayConsumer> liveSessions = new ConcurrentHashMap<>();
    // bytes of frames waiting in every consumer's queue: one heap for all peers
    private final java.util.concurrent.atomic.AtomicLong queuedBytes = new java.util.concurrent.atomic.AtomicLong();

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        NostrRelayEndpoint endpoint = new NostrRelayEndpoint(uri, this, remaining, configuration.copy());
        setProperties(endpoint, parameters);
        return endpoint;
    }

    long addQueuedBytes(long delta) {
        return queuedBytes.addAndGet(delta);
    }

    /** Bytes of received frames waiting for the route, all peers together. */
    public long queuedBytes() {
        return queuedBytes.get();
    }

    /** Whether any peer's worker has frames waiting behind the batch it is on: more events are on their way. */
    public boolean framesWaiting() {
        for (NostrRelayConsumer consumer : liveSessions.values()) {
            if (consumer.queued() > 0) {
                return true;
            }
        }
        return false;
    }

    void sessionStarted(String peer, NostrRelayConsumer consumer) {
        liveSessions.put(peer, consumer);
    }

    void sessionStopped(String peer, NostrRelayConsumer consumer) {
        liveSessions.remove(peer, consumer);
    }

    /** A frame on the peer's live session, within its send window; OFFLINE without one. */
    SendWindow.Outcome sendOnLiveSession(String peer, String frame) {
        NostrRelayConsumer session = liveSessions.get(peer);
        return session == null ? SendWindow.Outcome.OFFLINE : session.send(frame);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        if (transport == null) {
            transport = new RelayTransport(2);
        }
        ServiceHelper.startService(transport);
    }

    @Override
    protected void doStop() throws Exception {
        ServiceHelper.stopService(transport);
        super.doStop();
    }

    public NostrRelayConfiguration getConfiguration() {
        return configuration;
    }

    public void setConfiguration(NostrRelayConfiguration configuration) {
        this.configuration = configuration;
    }

    public RelayTransport getTransport() {
        return transport;
    }

    public void setTransport(RelayTransport transport) {
        this.transport = transport;
    }
}
