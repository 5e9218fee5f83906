package org.astroport.constellation.relay;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.astroport.constellation.ingest.PeerStats;
import org.astroport.constellation.ingest.ReceivedEvent;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.nostr.Kinds;
import org.astroport.constellation.nostr.StationKey;
import org.astroport.constellation.untrusted.PeerLogLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one peer subscription open and feeds its events to the route, in order, on a worker
 * thread of its own: one event per exchange, or (maxBatch above 1) what the queue holds, up to
 * maxBatch, as one list, never held back to fill it; at most maxEventsPerSecond. When the route
 * falls behind (the queue reaches its high-water mark), the socket is paused (TCP back-pressure) while
 * the session measures what the peer holds for us; once that nears drainBacklogBytes, the live
 * subscriptions are closed until the queue drains, then opened again from the sync positions: the peer
 * stops sending rather than buffering for us until it cuts us as a slow client (strfry's
 * maxPendingOutboundBytes). Unmeasured (drainBacklogBytes 0: a catch-up is never closed), or for a
 * peer that goes on sending after the close, the socket is paused at the hard cap, {@value #HARD_CAP_FRAMES}
 * times the high-water mark in frames or {@value #HARD_CAP_BYTES} times in bytes, so memory stays bounded.
 * Counted in the peer's {@link PeerStats}.
 */
public class NostrRelayConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(NostrRelayConsumer.class);
    // what is still in flight after our CLOSE: many small frames, but few bytes (the heap holds the bytes)
    static final int HARD_CAP_FRAMES = 8;
    static final int HARD_CAP_BYTES = 2;

    /** An event, or a checkpoint (marker) between events. */
    private record Item(String eventJson, org.astroport.constellation.nostr.NostrEvent parsed, String subscription, boolean live, long receivedNanos, Runnable marker) {
    }

    private final NostrRelayEndpoint endpoint;
    private final NostrRelayConfiguration conf;
    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final AtomicBoolean paused = new AtomicBoolean();
    // the session waits for the queue to drain (closed to drain, or a catch-up page held back)
    private final AtomicBoolean drainWanted = new AtomicBoolean();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong framesSeen = new AtomicLong();
    private final AtomicLong frameErrors = new AtomicLong();
    private final AtomicLong routeErrors = new AtomicLong();
    private volatile boolean running;
    private ExecutorService worker;
    private RelayConnection connection;
    private PeerSession session;
    private PeerStats stats;
    private final SendWindow sendWindow;

    public NostrRelayConsumer(NostrRelayEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
        this.conf = endpoint.getConfiguration();
        this.sendWindow = new SendWindow(endpoint.getPeer());
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        SyncStats all = conf.getStats();
        stats = all == null ? new PeerStats(endpoint.getPeer()) : all.peer(endpoint.getPeer());
        PeerSession.Wants wants = conf.getWants();
        if (wants == null) {
            wants = new PeerSession.Wants() {
                public List<Integer> kinds() {
                    return Kinds.DEFAULT;
                }

                public List<String> authors() {
                    return null;
                }
            };
        }
        SubscriptionPlanner planner = conf.getPlanner() != null ? conf.getPlanner() : new SubscriptionPlanner(SubscriptionPlanner.Limits.strfryDefaults());
        StationKey key = conf.getStationKey();
        // the station's clock (constellation.reference-time may pin it), else the wall clock
        Clock clock = getEndpoint().getCamelContext().getRegistry().findSingleByType(Clock.class);
        // only an explicit reference: positions that wait for the sink mean nothing on a route without one
        SyncPositions positions = conf.getPositions() != null ? conf.getPositions() : SyncPositions.inMemory();
        String peer = endpoint.getPeer();
        session = new PeerSession(peer, conf.dialUrl(), conf.relayTagUrl(), wants, planner, key, clock == null ? Clock.systemUTC() : clock,
                new PeerSession.Timing(conf.getResumeMarginSeconds(), conf.getInitialLookbackSeconds(), conf.getPageThreshold(),
                        conf.getCheckpointMillis(), conf.getMaxCatchUpPages()),
                positions, new PeerSession.Delivery() {
                    @Override
                    public void deliver(String eventJson, String subscriptionId, boolean live) {
                        deliver(eventJson, null, subscriptionId, live);
                    }

                    @Override
                    public void deliver(String eventJson, org.astroport.constellation.nostr.NostrEvent parsed, String subscriptionId, boolean live) {
                        enqueue(new Item(eventJson, parsed, subscriptionId, live, System.nanoTime(), null));
                    }

                    @Override
                    public void refused(String reason, String detail) {
                        stats.invalid(reason);
                        if (LOG.isDebugEnabled()) {
                            LOG.debug("{}: {} ({})", peer, reason, org.astroport.constellation.untrusted.PeerText.clip(detail));
                        }
                    }

                    @Override
                    public void checkpoint(long cycle, java.util.Map<String, Long> candidate) {
                        // behind every frame received so far: the worker reaches it once they all went through the route
                        enqueue(new Item(null, null, null, true, 0, () -> positions.checkpoint(peer, cycle, candidate)));
                    }

                    @Override
                    public boolean backlogged() {
                        boolean backlogged = aboveHighWatermark(1, 1);
                        if (backlogged) {
                            drainWanted.set(true);
                        }
                        return backlogged;
                    }
                });
        running = true;
        worker = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newSingleThreadExecutor(this, "nostr-relay-" + endpoint.getPeer());
        worker.submit(this::drain);
        connection = new RelayConnection(endpoint.transport().vertx(), conf.dialUrl(), conf.options(), new RelaySessionHandler() {
            private boolean first = true;

            @Override
            public void onOpen(RelaySession s) {
                if (!first) {
                    stats.reconnected();
                }
                first = false;
                LOG.info("{}: connected to {}", endpoint.getPeer(), conf.dialUrl());
                session.onOpen(s);
            }

            @Override
            public void onFrame(RelaySession s, String frame) {
                framesSeen.incrementAndGet();
                try {
                    session.onFrame(s, frame);
                } catch (RuntimeException e) {
                    // a frame we could not handle must not take the connection's event loop with it
                    frameErrors.incrementAndGet();
                    stats.invalid("frame-error");
                    LOG.warn("{}: a frame could not be handled ({}); skipped", endpoint.getPeer(), e.toString());
                }
            }

            @Override
            public void onClose(int code, String reason, boolean willReconnect) {
                session.onClose(code, reason, willReconnect);
            }

            @Override
            public void onError(Throwable error) {
                session.onError(error);
            }
        }, conf.destinations());
        connection.every(Math.max(50, conf.getCheckpointMillis()), session::tick);
        connection.start();
        endpoint.getComponent().sessionStarted(peer, this);
    }

    /** On the event loop, as the session delivers. */
    private void enqueue(Item item) {
        queue.add(item);
        if (item.eventJson() != null) {
            addQueued(item.eventJson().length());
        }
        boolean above = aboveHighWatermark(1, 1);
        if (conf.isCloseToDrain() && above && session.closeToDrain(conf.getDrainBacklogBytes())) {
            stats.closedToDrain();
            drainWanted.set(true);
            String note = PeerLogLimiter.shared().admit(endpoint.getPeer(), "drain");
            if (note != null) {
                LOG.info("{}: {} frames ({} bytes; {} bytes from all peers) wait for the route{}; live subscriptions closed until they drain{}",
                        endpoint.getPeer(), queue.size(), queuedBytes.get(), endpoint.getComponent().queuedBytes(),
                        conf.getDrainBacklogBytes() > 0 && session.lastBacklogChars() >= 0 ? " and the peer held over " + session.lastBacklogChars() + " bytes for us" : "",
                        note);
            }
        }
        // at the mark when pausing is all there is, or while a probe measures the peer's backlog (closing waits for
        // it); else the close does the holding back and the socket is paused only at the hard cap
        boolean pause = !conf.isCloseToDrain() || session.measuringBacklog() ? above : aboveHighWatermark(HARD_CAP_FRAMES, HARD_CAP_BYTES);
        if (pause && paused.compareAndSet(false, true)) {
            stats.paused();
            connection.pause();
            String note = PeerLogLimiter.shared().admit(endpoint.getPeer(), "pause");
            if (note != null) {
                LOG.info("{}: {} frames ({} bytes) wait for the route; socket paused until they drain{}", endpoint.getPeer(),
                        queue.size(), queuedBytes.get(), note);
            }
        }
    }

    private boolean aboveHighWatermark(int framesTimes, int bytesTimes) {
        return queue.size() >= (long) framesTimes * conf.getQueueHighWatermark() || queuedBytes.get() >= bytesTimes * conf.getQueueHighWatermarkBytes()
                || endpoint.getComponent().queuedBytes() >= bytesTimes * conf.getQueueTotalBytes();
    }

    private void addQueued(long bytes) {
        queuedBytes.addAndGet(bytes);
        endpoint.getComponent().addQueuedBytes(bytes);
    }

    /** On the worker: below the low-water mark, reads again and lets the session subscribe or page again. */
    private void afterTake() {
        if (!paused.get() && !drainWanted.get()
                || queue.size() > conf.getQueueHighWatermark() / 4 || queuedBytes.get() > conf.getQueueHighWatermarkBytes() / 4
                || endpoint.getComponent().queuedBytes() > conf.getQueueTotalBytes() / 2) {
            return;
        }
        if (paused.compareAndSet(true, false)) {
            connection.resume();
        }
        if (drainWanted.compareAndSet(true, false)) {
            connection.execute(session::drained);
        }
    }

    private void drain() {
        EventRate rate = new EventRate(conf.getMaxEventsPerSecond());
        while (running || !queue.isEmpty()) {
            Item item;
            try {
                item = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (item == null) {
                afterTake();
                continue;
            }
            if (item.marker() != null) {
                item.marker().run();
                continue;
            }
            if (conf.getMaxBatch() == 1) {
                hold(rate.reserve(1, System.nanoTime()));
                handOn(single(item));
                taken(item.eventJson().length());
                continue;
            }
            // what is queued behind it, up to the batch size and a sixteenth of the byte mark (60 KB events
            // exist: the batch is held in the heap three times, as text, parsed, and for the sink);
            // a checkpoint waits for the events before it
            List<ReceivedEvent> batch = new ArrayList<>();
            batch.add(received(item));
            long chars = item.eventJson().length();
            long maxChars = Math.max(1, conf.getQueueHighWatermarkBytes() / 16);
            while (batch.size() < conf.getMaxBatch() && chars < maxChars) {
                Item next = queue.peek();
                if (next == null || next.marker() != null) {
                    break;
                }
                queue.poll();
                batch.add(received(next));
                chars += next.eventJson().length();
            }
            hold(rate.reserve(batch.size(), System.nanoTime()));
            Exchange exchange = createExchange(false);
            exchange.getMessage().setBody(batch);
            exchange.getMessage().setHeader(NostrRelayConstants.PEER, endpoint.getPeer());
            handOn(exchange);
            taken(chars);
        }
    }

    /** Counted as queued until the route is done with them: the memory bound covers the batch in flight. */
    private void taken(long chars) {
        addQueued(-chars);
        afterTake();
    }

    private static ReceivedEvent received(Item item) {
        return new ReceivedEvent(item.eventJson(), item.parsed(), item.receivedNanos());
    }

    private Exchange single(Item item) {
        Exchange exchange = createExchange(false);
        exchange.getMessage().setBody(item.eventJson());
        exchange.getMessage().setHeader(NostrRelayConstants.PEER, endpoint.getPeer());
        exchange.getMessage().setHeader(NostrRelayConstants.SUBSCRIPTION, item.subscription());
        exchange.getMessage().setHeader(NostrRelayConstants.LIVE, item.live());
        exchange.getMessage().setHeader(NostrRelayConstants.RECEIVED_NANOS, item.receivedNanos());
        if (item.parsed() != null) {
            exchange.getMessage().setHeader(NostrRelayConstants.PARSED_EVENT, item.parsed());
        }
        return exchange;
    }

    /** Over the rate: the worker waits, the queue fills, and the peer is held back as for a slow route. */
    private static void hold(long nanos) {
        if (nanos > 0) {
            LockSupport.parkNanos(nanos);
        }
    }

    private void handOn(Exchange exchange) {
        try {
            getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        if (exchange.getException() != null) {
            routeErrors.incrementAndGet();
            getExceptionHandler().handleException("Error processing events from " + endpoint.getPeer(), exchange, exchange.getException());
        }
        releaseExchange(exchange, false);
    }

    /** Re-sends the subscriptions (the author set changed). */
    public void resubscribe() {
        if (connection != null && session != null) {
            connection.execute(session::subscribe);
        }
    }

    /** A frame on this live session (a producer with liveSession), within the peer's send window. */
    public SendWindow.Outcome send(String frame) {
        return sendWindow.send(connection, frame);
    }

    public void reconnect() {
        if (connection != null) {
            connection.reconnectNow();
        }
    }

    public RelayConnection connection() {
        return connection;
    }

    public PeerSession session() {
        return session;
    }

    public int queued() {
        return queue.size();
    }

    /** Frames read from the peer since start, whatever they held. */
    public long framesSeen() {
        return framesSeen.get();
    }

    /** Frames whose handling threw (should stay 0: the codec and the session never throw). */
    public long frameErrors() {
        return frameErrors.get();
    }

    /** Events whose route threw (should stay 0: the beans never throw). */
    public long routeErrors() {
        return routeErrors.get();
    }

    /** Bytes of received frames waiting for the route. */
    public long queuedBytes() {
        return queuedBytes.get();
    }

    @Override
    protected void doStop() throws Exception {
        endpoint.getComponent().sessionStopped(endpoint.getPeer(), this);
        if (connection != null) {
            connection.stop();
        }
        running = false; // the worker finishes what is queued, then exits
        if (worker != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownGraceful(worker, 10_000);
            worker = null;
        }
        addQueued(-queuedBytes.get()); // what a worker stopped short of no longer weighs on the other peers
        super.doStop();
    }
}
