package org.astroport.constellation.relay;

import java.time.Clock;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.nostr.StationKey;

@UriEndpoint(scheme = "nostr-relay", title = "Nostr relay", syntax = "nostr-relay:peer", category = {Category.NETWORKING})
public class NostrRelayEndpoint extends DefaultEndpoint {

    @UriPath(description = "Peer name (route and metrics label)")
    private final String peer;
    @UriParam(description = "Relay URL to dial (ws:// or wss://)")
    private String url;
    @UriParam(description = "URL put in the NIP-42 relay tag; defaults to url (tunnel peers: their own relay URL)")
    private String authRelayUrl;
    @UriParam(description = "Where to connect, as an object (#bean); replaces url and authRelayUrl. Peer routes use it: their URLs come from other stations")
    private RelayTarget target;
    @UriParam(defaultValue = "1000")
    private long initialBackoffMillis = 1000;
    @UriParam(defaultValue = "60000")
    private long maxBackoffMillis = 60_000;
    @UriParam(defaultValue = "10000")
    private long connectTimeoutMillis = 10_000;
    @UriParam(defaultValue = "30000")
    private long pingIntervalMillis = 30_000;
    @UriParam(defaultValue = "90000")
    private long idleTimeoutMillis = 90_000;
    @UriParam(defaultValue = "1048576")
    private int maxMessageBytes = 1 << 20;
    @UriParam(defaultValue = "2000", description = "Frames buffered before the socket is paused (back-pressure)")
    private int queueHighWatermark = 2000;
    @UriParam(defaultValue = "4194304", description = "Bytes of frames buffered before the socket is paused (back-pressure)")
    private long queueHighWatermarkBytes = 4L << 20;
    @UriParam(defaultValue = "600")
    private long resumeMarginSeconds = 600;
    @UriParam(defaultValue = "3600", description = "How far back a peer with no resume point is asked")
    private long initialLookbackSeconds = 3600;
    @UriParam(defaultValue = "500", description = "Events before EOSE that suggest the relay's per-query cap was hit")
    private int pageThreshold = 500;
    @UriParam(defaultValue = "2000", description = "How often a live subscription proposes a new sync position")
    private long checkpointMillis = 2000;
    @UriParam(defaultValue = "20", description = "Pages of a catch-up beyond which the rest of the window is reconciled (NIP-77) instead")
    private int maxCatchUpPages = 20;
    @UriParam(description = "Durable sync positions; without it positions live in memory and move as soon as events are handed on")
    private SyncPositions positions;
    @UriParam(description = "What to subscribe to")
    private PeerSession.Wants wants;
    @UriParam
    private SubscriptionPlanner planner;
    @UriParam
    private StationKey stationKey;
    @UriParam
    private SyncStats stats;
    @UriParam
    private RelayTransport transport;
    @UriParam
    private Clock clock = Clock.systemUTC();

    public NostrRelayEndpoint(String uri, NostrRelayComponent component, String peer) {
        super(uri, component);
        this.peer = peer;
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

    RelayOptions options() {
        return new RelayOptions(connectTimeoutMillis, initialBackoffMillis, maxBackoffMillis, 30_000, pingIntervalMillis, idleTimeoutMillis, maxMessageBytes);
    }

    RelayTransport transport() {
        if (transport == null) {
            transport = getCamelContext().getRegistry().findSingleByType(RelayTransport.class);
            if (transport == null) {
                transport = new RelayTransport(2);
                try {
                    getCamelContext().addService(transport, true, true);
                } catch (Exception e) {
                    throw new IllegalStateException("cannot start the relay transport", e);
                }
                getCamelContext().getRegistry().bind("relayTransport", transport);
            }
        }
        return transport;
    }

    <T> T lookup(T configured, Class<T> type) {
        return configured != null ? configured : getCamelContext().getRegistry().findSingleByType(type);
    }

    public String getPeer() {
        return peer;
    }

    public String getUrl() {
        return target != null ? target.url() : url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public String getAuthRelayUrl() {
        if (target != null) {
            return target.authRelayUrl() == null ? target.url() : target.authRelayUrl();
        }
        return authRelayUrl == null || authRelayUrl.isBlank() ? url : authRelayUrl;
    }

    public RelayTarget getTarget() {
        return target;
    }

    public void setTarget(RelayTarget target) {
        this.target = target;
    }

    /** Addresses this endpoint may connect to; null when unchecked (operator-set URLs). */
    public org.astroport.constellation.untrusted.Destinations getDestinations() {
        return target == null ? null : target.destinations();
    }

    public void setAuthRelayUrl(String authRelayUrl) {
        this.authRelayUrl = authRelayUrl;
    }

    public long getInitialBackoffMillis() {
        return initialBackoffMillis;
    }

    public void setInitialBackoffMillis(long v) {
        this.initialBackoffMillis = v;
    }

    public long getMaxBackoffMillis() {
        return maxBackoffMillis;
    }

    public void setMaxBackoffMillis(long v) {
        this.maxBackoffMillis = v;
    }

    public long getConnectTimeoutMillis() {
        return connectTimeoutMillis;
    }

    public void setConnectTimeoutMillis(long v) {
        this.connectTimeoutMillis = v;
    }

    public long getPingIntervalMillis() {
        return pingIntervalMillis;
    }

    public void setPingIntervalMillis(long v) {
        this.pingIntervalMillis = v;
    }

    public long getIdleTimeoutMillis() {
        return idleTimeoutMillis;
    }

    public void setIdleTimeoutMillis(long v) {
        this.idleTimeoutMillis = v;
    }

    public int getMaxMessageBytes() {
        return maxMessageBytes;
    }

    public void setMaxMessageBytes(int v) {
        this.maxMessageBytes = v;
    }

    public int getQueueHighWatermark() {
        return queueHighWatermark;
    }

    public void setQueueHighWatermark(int v) {
        this.queueHighWatermark = v;
    }

    public long getQueueHighWatermarkBytes() {
        return queueHighWatermarkBytes;
    }

    public void setQueueHighWatermarkBytes(long v) {
        this.queueHighWatermarkBytes = v;
    }

    public long getResumeMarginSeconds() {
        return resumeMarginSeconds;
    }

    public void setResumeMarginSeconds(long v) {
        this.resumeMarginSeconds = v;
    }

    public long getInitialLookbackSeconds() {
        return initialLookbackSeconds;
    }

    public void setInitialLookbackSeconds(long v) {
        this.initialLookbackSeconds = v;
    }

    public int getPageThreshold() {
        return pageThreshold;
    }

    public void setPageThreshold(int v) {
        this.pageThreshold = v;
    }

    public long getCheckpointMillis() {
        return checkpointMillis;
    }

    public void setCheckpointMillis(long v) {
        this.checkpointMillis = v;
    }

    public int getMaxCatchUpPages() {
        return maxCatchUpPages;
    }

    public void setMaxCatchUpPages(int v) {
        this.maxCatchUpPages = v;
    }

    public SyncPositions getPositions() {
        return positions;
    }

    public void setPositions(SyncPositions positions) {
        this.positions = positions;
    }

    public PeerSession.Wants getWants() {
        return wants;
    }

    public void setWants(PeerSession.Wants wants) {
        this.wants = wants;
    }

    public SubscriptionPlanner getPlanner() {
        return planner;
    }

    public void setPlanner(SubscriptionPlanner planner) {
        this.planner = planner;
    }

    public StationKey getStationKey() {
        return stationKey;
    }

    public void setStationKey(StationKey stationKey) {
        this.stationKey = stationKey;
    }

    public SyncStats getStats() {
        return stats;
    }

    public void setStats(SyncStats stats) {
        this.stats = stats;
    }

    public void setTransport(RelayTransport transport) {
        this.transport = transport;
    }

    public Clock getClock() {
        return clock;
    }

    public void setClock(Clock clock) {
        this.clock = clock;
    }
}
