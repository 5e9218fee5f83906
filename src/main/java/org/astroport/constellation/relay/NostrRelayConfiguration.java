package org.astroport.constellation.relay;

import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.nostr.StationKey;

/**
 * The options of a {@code nostr-relay} endpoint. The component holds one as the defaults
 * ({@code camel.component.nostr-relay.*}); each endpoint starts from a copy, and its URI sets what
 * differs per peer.
 */
@UriParams
public class NostrRelayConfiguration implements Cloneable {

    @UriParam(label = "common", description = "Relay URL to dial (ws:// or wss://), for a URL the operator wrote")
    private String url;
    @UriParam(label = "common", description = "URL put in the NIP-42 relay tag; defaults to url (tunnel peers: their own relay URL)")
    private String authRelayUrl;
    @UriParam(label = "common", description = "Where to connect, as an object (#bean); replaces url and authRelayUrl. Peer routes use it: "
            + "their URLs come from other stations, and as text in the URI they could set other options")
    private RelayTarget target;
    @UriParam(label = "producer", description = "Send on the connection of this peer's consumer (its live session, found by the peer name) instead of "
            + "dialling one: at most 4 MiB of frames the peer has not read (SendWindow), the outcome in header NostrRelay.Delivery")
    private boolean liveSession;
    @UriParam(label = "advanced", defaultValue = "1000", description = "First pause before reconnecting; doubles, with jitter, up to maxBackoffMillis")
    private long initialBackoffMillis = 1000;
    @UriParam(label = "advanced", defaultValue = "60000", description = "Longest pause between reconnection attempts")
    private long maxBackoffMillis = 60_000;
    @UriParam(label = "advanced", defaultValue = "10000", description = "Deadline of the WebSocket handshake, and of a producer's wait for OK")
    private long connectTimeoutMillis = 10_000;
    @UriParam(label = "advanced", defaultValue = "30000", description = "How often an idle connection is pinged")
    private long pingIntervalMillis = 30_000;
    @UriParam(label = "advanced", defaultValue = "90000", description = "A connection silent this long (no frame, no pong) is dropped and dialled again")
    private long idleTimeoutMillis = 90_000;
    @UriParam(label = "advanced", defaultValue = "1048576", description = "Largest WebSocket message accepted from the relay")
    private int maxMessageBytes = 1 << 20;
    @UriParam(label = "consumer", defaultValue = "65536", description = "The socket's receive buffer (SO_RCVBUF; 0: the system's): what a connection reads ahead "
            + "of the route, in the JVM's direct memory, which every peer's connection shares")
    private int receiveBufferBytes = 64 << 10;
    @UriParam(label = "consumer", defaultValue = "2000", description = "Frames buffered before the live subscriptions are closed until they drain to a quarter "
            + "(a peer that kept sending would cut us as a slow client); the socket is paused at 8 times this")
    private int queueHighWatermark = 2000;
    @UriParam(label = "consumer", defaultValue = "4194304", description = "Bytes of frames buffered before the live subscriptions are closed until they drain to a quarter; "
            + "the socket is paused at twice this")
    private long queueHighWatermarkBytes = 4L << 20;
    @UriParam(label = "consumer", defaultValue = "33554432", description = "Bytes of frames waiting for the route across all peers: past this, a peer that "
            + "receives more has its live subscriptions closed as at its own high-water mark (many peers repeating the same events would each fill their own queue)")
    private long queueTotalBytes = 32L << 20;
    @UriParam(label = "consumer", defaultValue = "true", description = "At the high-water mark, close the live subscriptions until the queue drains "
            + "(never cut as a slow client, but what the peer sent meanwhile is asked for again, from the sync position); false: pause the socket instead "
            + "(TCP back-pressure, nothing asked twice, but a peer with a send budget, strfry's maxPendingOutboundBytes, may cut us)")
    private boolean closeToDrain = true;
    @UriParam(label = "consumer", defaultValue = "16777216", description = "With closeToDrain: at the high-water mark the socket is paused first, and the "
            + "live subscriptions are closed only once the peer is measured to hold more than this many bytes for us (a probe REQ, whose EOSE comes "
            + "behind what the peer has buffered, and the bytes read before it). 0: close at the mark, without measuring")
    private long drainBacklogBytes = 16L << 20;
    @UriParam(label = "consumer", defaultValue = "1", description = "Events handed to the route per exchange: 1 gives one event's JSON text as the body; "
            + "more gives a list of ReceivedEvent (what is queued, up to this many), which is how ingest takes them")
    private int maxBatch = 1;
    @UriParam(label = "consumer", defaultValue = "0", description = "Events per second handed to the route, at most (0: no limit); past it the queue "
            + "fills and the peer is held back like a slow route. Counted in events, not exchanges, which is why it is not the throttle EIP")
    private int maxEventsPerSecond;
    @UriParam(label = "consumer", defaultValue = "600", description = "A subscription resumes this long before its sync position (events that reach the relay late)")
    private long resumeMarginSeconds = 600;
    @UriParam(label = "consumer", defaultValue = "3600", description = "How far back a peer with no resume point is asked")
    private long initialLookbackSeconds = 3600;
    @UriParam(label = "consumer", defaultValue = "500", description = "Events before EOSE that suggest the relay's per-query cap was hit: page back with until")
    private int pageThreshold = 500;
    @UriParam(label = "consumer", defaultValue = "2000", description = "How often a live subscription proposes a new sync position")
    private long checkpointMillis = 2000;
    @UriParam(label = "consumer", defaultValue = "20", description = "Pages of a catch-up beyond which the rest of the window is reconciled (NIP-77) instead")
    private int maxCatchUpPages = 20;
    @UriParam(label = "consumer", description = "Durable sync positions; without it positions live in memory and move as soon as events are handed on")
    private SyncPositions positions;
    @UriParam(label = "consumer", description = "What to subscribe to (kinds, authors); without it every default kind from anyone")
    private PeerSession.Wants wants;
    @UriParam(label = "consumer,advanced", description = "How REQs are cut to the relay's limits; defaults to the registry's, else strfry's limits")
    @Metadata(autowired = true)
    private SubscriptionPlanner planner;
    @UriParam(label = "consumer,advanced", description = "The key NIP-42 AUTH challenges are answered with; defaults to the registry's, else none")
    @Metadata(autowired = true)
    private StationKey stationKey;
    @UriParam(label = "consumer,advanced", description = "Per-peer counters; defaults to the registry's, else the endpoint's own")
    @Metadata(autowired = true)
    private SyncStats stats;

    public NostrRelayConfiguration copy() {
        try {
            return (NostrRelayConfiguration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }

    RelayOptions options() {
        return new RelayOptions(connectTimeoutMillis, initialBackoffMillis, maxBackoffMillis, 30_000, pingIntervalMillis, idleTimeoutMillis, maxMessageBytes, receiveBufferBytes);
    }

    /** The URL to dial: the target's, else url. */
    public String dialUrl() {
        return target != null ? target.url() : url;
    }

    /** The relay tag of NIP-42 AUTH: the target's relay URL, else authRelayUrl, else the dialled URL. */
    public String relayTagUrl() {
        if (target != null) {
            return target.authRelayUrl() == null ? target.url() : target.authRelayUrl();
        }
        return authRelayUrl == null || authRelayUrl.isBlank() ? url : authRelayUrl;
    }

    /** Addresses the endpoint may connect to; null when unchecked (operator-set URLs). */
    public org.astroport.constellation.untrusted.Destinations destinations() {
        return target == null ? null : target.destinations();
    }

    public String getUrl() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public String getAuthRelayUrl() {
        return authRelayUrl;
    }

    public void setAuthRelayUrl(String authRelayUrl) {
        this.authRelayUrl = authRelayUrl;
    }

    public RelayTarget getTarget() {
        return target;
    }

    public void setTarget(RelayTarget target) {
        this.target = target;
    }

    public boolean isLiveSession() {
        return liveSession;
    }

    public void setLiveSession(boolean liveSession) {
        this.liveSession = liveSession;
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

    public int getReceiveBufferBytes() {
        return receiveBufferBytes;
    }

    public void setReceiveBufferBytes(int v) {
        this.receiveBufferBytes = v;
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

    public int getMaxBatch() {
        return maxBatch;
    }

    public void setMaxBatch(int v) {
        this.maxBatch = Math.max(1, v);
    }

    public int getMaxEventsPerSecond() {
        return maxEventsPerSecond;
    }

    public void setMaxEventsPerSecond(int v) {
        this.maxEventsPerSecond = Math.max(0, v);
    }

    public boolean isCloseToDrain() {
        return closeToDrain;
    }

    public void setCloseToDrain(boolean v) {
        this.closeToDrain = v;
    }

    public long getDrainBacklogBytes() {
        return drainBacklogBytes;
    }

    public void setDrainBacklogBytes(long v) {
        this.drainBacklogBytes = Math.max(0, v);
    }

    public long getQueueTotalBytes() {
        return queueTotalBytes;
    }

    public void setQueueTotalBytes(long v) {
        this.queueTotalBytes = v;
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
}
