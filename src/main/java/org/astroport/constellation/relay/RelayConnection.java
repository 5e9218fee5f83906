package org.astroport.constellation.relay;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import org.astroport.constellation.untrusted.Destinations;
import org.astroport.constellation.untrusted.PeerLogLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logical connection to one relay: at most one socket at a time, reconnect with exponential
 * backoff and full jitter (capped), a ping/idle check to notice a silent peer, and a callback after
 * every (re)connect so the owner can authenticate and resubscribe. Every state change happens on a
 * single Vert.x context, which is what makes "one socket" hold.
 */
public final class RelayConnection {

    public enum State { NEW, CONNECTING, OPEN, BACKING_OFF, STOPPED }

    private static final Logger LOG = LoggerFactory.getLogger(RelayConnection.class);

    private final Vertx vertx;
    private final Context context;
    private final String url;
    private final RelayOptions options;
    private final RelaySessionHandler handler;
    private final WebSocketClient client;
    private final Destinations destinations;

    // confined to `context`, except that send() reads the socket from its caller's thread
    private State state = State.NEW;
    private volatile WebSocket socket;
    private long timerId = -1;
    private long pingTimerId = -1;
    private int attempt;
    private long connectAttempt;
    private long openedAtMillis;
    private long lastReadMillis;

    private final AtomicLong connects = new AtomicLong();
    private final AtomicLong connectFailures = new AtomicLong();
    private final AtomicLong framesIn = new AtomicLong();
    private final AtomicLong framesOut = new AtomicLong();
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    private final AtomicLong oversized = new AtomicLong();
    private volatile long lastConnectedMillis;
    private volatile String lastError = "";
    private volatile String dialledHost = "";
    private volatile State publicState = State.NEW;
    private final List<Long> periodicTimers = new java.util.ArrayList<>();
    private final AtomicLong pendingBytes = new AtomicLong();

    public RelayConnection(Vertx vertx, String url, RelayOptions options, RelaySessionHandler handler) {
        this(vertx, url, options, handler, null);
    }

    /**
     * @param destinations where a connection may go, checked at every connect: a name that resolves to a
     *                     refused address now is not dialled even if it resolved elsewhere when the peer
     *                     was discovered; null or allowing private addresses: no check
     */
    public RelayConnection(Vertx vertx, String url, RelayOptions options, RelaySessionHandler handler, Destinations destinations) {
        this.destinations = destinations == null || destinations.allowsPrivate() ? null : destinations;
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.url = url;
        this.options = options;
        this.handler = handler;
        URI u = URI.create(url);
        boolean tls = "wss".equalsIgnoreCase(u.getScheme());
        WebSocketClientOptions o = new WebSocketClientOptions()
                .setConnectTimeout((int) options.connectTimeoutMillis())
                .setMaxMessageSize(options.maxMessageBytes())
                .setMaxFrameSize(options.maxMessageBytes())
                .setTryUsePerMessageCompression(false)
                .setClosingTimeout(2)
                .setReceiveBufferSize(options.receiveBufferBytes() > 0 ? options.receiveBufferBytes() : -1)
                .setSsl(tls)
                .setVerifyHost(tls);
        this.client = vertx.createWebSocketClient(o);
    }

    public String url() {
        return url;
    }

    public void start() {
        context.runOnContext(v -> {
            if (state == State.NEW) {
                connect();
            }
        });
    }

    /** Runs a task on this connection's event loop (its handler's thread). */
    public void execute(Runnable task) {
        context.runOnContext(v -> task.run());
    }

    /** Runs a task on this connection's event loop every period until {@link #stop()}. */
    public void every(long periodMillis, Runnable task) {
        context.runOnContext(v -> {
            long id = vertx.setPeriodic(periodMillis, t -> {
                if (state != State.STOPPED) {
                    task.run();
                }
            });
            periodicTimers.add(id);
        });
    }

    /** Closes the socket and never reconnects. */
    public void stop() {
        context.runOnContext(v -> {
            setState(State.STOPPED);
            cancelTimers();
            periodicTimers.forEach(vertx::cancelTimer);
            periodicTimers.clear();
            if (socket != null) {
                WebSocket s = socket;
                socket = null;
                s.close((short) 1000, "bye");
            }
            client.close();
        });
    }

    /** Drops the current socket (if any) and connects again now. */
    public void reconnectNow() {
        context.runOnContext(v -> {
            if (state == State.STOPPED) {
                return;
            }
            if (socket != null) {
                socket.close((short) 1000, "reconnect requested");
            } else if (state == State.BACKING_OFF) {
                cancelTimers();
                connect();
            }
        });
    }

    private void connect() {
        if (state == State.STOPPED || state == State.CONNECTING || state == State.OPEN) {
            return;
        }
        setState(State.CONNECTING);
        URI u = URI.create(url);
        boolean tls = "wss".equalsIgnoreCase(u.getScheme());
        int port = u.getPort() > 0 ? u.getPort() : tls ? 443 : 80;
        String path = (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath()) + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
        // setTimeout would also apply to the upgraded socket and end it after that long; the
        // handshake gets its own timer instead
        WebSocketConnectOptions co = new WebSocketConnectOptions().setHost(u.getHost()).setPort(port).setURI(path).setSsl(tls)
                .setConnectTimeout(options.connectTimeoutMillis());
        if (destinations == null) {
            dial(co);
            return;
        }
        long checkAttempt = connectAttempt;
        context.<Destinations.Verdict>executeBlocking(() -> destinations.check(u.getHost()), false).onComplete(ar -> {
            if (state != State.CONNECTING || connectAttempt != checkAttempt) {
                return; // stopped meanwhile
            }
            Destinations.Verdict where = ar.succeeded() ? ar.result()
                    : new Destinations.Verdict(Destinations.Outcome.UNRESOLVED, String.valueOf(ar.cause()), List.of());
            if (!where.allowed()) {
                String why = "not connecting: host " + where.detail();
                String note = PeerLogLimiter.shared().admit(url, "destination");
                if (note != null) {
                    LOG.warn("{}: {}{}", url, why, note);
                }
                connectFailed(new java.net.ConnectException(why));
                return;
            }
            if (!tls && !where.addresses().isEmpty()) {
                // plain ws: connect to the address just checked, so a second lookup cannot answer
                // differently; wss keeps the name, whose certificate an internal service cannot present
                co.setHost(where.addresses().get(0).getHostAddress()).putHeader("Host", u.getRawAuthority());
            }
            dial(co);
        });
    }

    private void dial(WebSocketConnectOptions co) {
        long thisAttempt = ++connectAttempt;
        dialledHost = co.getHost();
        long handshakeTimer = vertx.setTimer(Math.max(1, options.connectTimeoutMillis()), id -> {
            if (connectAttempt == thisAttempt && state == State.CONNECTING) {
                connectAttempt++; // the late answer, if any, is dropped
                connectFailed(new java.util.concurrent.TimeoutException("no WebSocket handshake within " + options.connectTimeoutMillis() + " ms"));
            }
        });
        client.connect(co).onComplete(ar -> {
            vertx.cancelTimer(handshakeTimer);
            if (connectAttempt != thisAttempt) {
                if (ar.succeeded()) {
                    ar.result().close((short) 1000, "handshake too late");
                }
                return;
            }
            if (ar.failed()) {
                connectFailed(ar.cause());
                return;
            }
            WebSocket ws = ar.result();
            if (state == State.STOPPED) {
                ws.close((short) 1000, "stopped");
                return;
            }
            String refused = refusedRemote(ws);
            if (refused != null) {
                ws.close((short) 1008, "destination refused");
                String note = PeerLogLimiter.shared().admit(url, "destination");
                if (note != null) {
                    LOG.warn("{}: connected to {}: closed before sending anything{}", url, refused, note);
                }
                connectFailed(new java.net.ConnectException("not talking to " + refused));
                return;
            }
            opened(ws);
        });
    }

    /** With destinations checked: why the address we actually reached is refused (null when it is not). */
    private String refusedRemote(WebSocket ws) {
        if (destinations == null) {
            return null;
        }
        io.vertx.core.net.SocketAddress remote = ws.remoteAddress();
        if (remote == null || remote.hostAddress() == null) {
            return "a peer whose address is unknown";
        }
        try {
            // a literal address: parsed, never looked up
            InetAddress a = InetAddress.getByName(remote.hostAddress().indexOf(':') >= 0 ? "[" + remote.hostAddress() + "]" : remote.hostAddress());
            String kind = Destinations.nonPublicKind(a);
            return kind == null ? null : remote.hostAddress() + ", a " + kind + " address";
        } catch (java.net.UnknownHostException e) {
            return "a peer whose address is unknown";
        }
    }

    private void connectFailed(Throwable cause) {
        connectFailures.incrementAndGet();
        lastError = String.valueOf(cause.getMessage());
        LOG.debug("{}: connect failed: {}", url, lastError);
        handler.onError(cause);
        scheduleReconnect();
    }

    private void opened(WebSocket ws) {
        socket = ws;
        setState(State.OPEN);
        connects.incrementAndGet();
        openedAtMillis = System.currentTimeMillis();
        lastConnectedMillis = openedAtMillis;
        lastReadMillis = openedAtMillis;
        RelaySession session = new Session(ws);
        ws.textMessageHandler(text -> {
            lastReadMillis = System.currentTimeMillis();
            framesIn.incrementAndGet();
            bytesIn.addAndGet(text.length());
            if (socket == ws) {
                handler.onFrame(session, text);
            }
        });
        ws.pongHandler(b -> lastReadMillis = System.currentTimeMillis());
        ws.exceptionHandler(err -> {
            lastError = String.valueOf(err.getMessage());
            if (String.valueOf(err.getMessage()).contains("too big") || err.getClass().getSimpleName().contains("TooLong")) {
                oversized.incrementAndGet();
            }
            handler.onError(err);
        });
        ws.closeHandler(v -> closed(ws));
        if (options.pingIntervalMillis() > 0) {
            pingTimerId = vertx.setPeriodic(options.pingIntervalMillis(), id -> {
                if (socket != ws) {
                    return;
                }
                if (System.currentTimeMillis() - lastReadMillis > options.idleTimeoutMillis()) {
                    lastError = "no frame or pong for " + options.idleTimeoutMillis() + " ms";
                    LOG.info("{}: {}; reconnecting", url, lastError);
                    // a hung peer will not complete a close handshake either: let go of it now
                    closed(ws);
                    ws.close((short) 1001, "idle");
                    return;
                }
                ws.writePing(io.vertx.core.buffer.Buffer.buffer("p"));
            });
        }
        try {
            handler.onOpen(session);
        } catch (RuntimeException e) {
            LOG.warn("{}: session handler failed on open: {}", url, e.toString());
        }
    }

    private void closed(WebSocket ws) {
        if (socket != ws) {
            return;
        }
        socket = null;
        if (pingTimerId >= 0) {
            vertx.cancelTimer(pingTimerId);
            pingTimerId = -1;
        }
        boolean willReconnect = state != State.STOPPED;
        Short code = ws.isClosed() ? ws.closeStatusCode() : Short.valueOf((short) 1001);
        handler.onClose(code == null ? 1006 : code, ws.closeReason(), willReconnect);
        if (System.currentTimeMillis() - openedAtMillis >= options.stableAfterMillis()) {
            attempt = 0; // it was a good connection: start the backoff over
        }
        if (willReconnect) {
            scheduleReconnect();
        }
    }

    private void scheduleReconnect() {
        if (state == State.STOPPED) {
            return;
        }
        setState(State.BACKING_OFF);
        long delay = backoffDelay(attempt++, options.initialBackoffMillis(), options.maxBackoffMillis());
        timerId = vertx.setTimer(Math.max(1, delay), id -> {
            timerId = -1;
            connect();
        });
    }

    /** Exponential backoff with full jitter: uniform in [base/2, min(cap, initial * 2^attempt)]. */
    static long backoffDelay(int attempt, long initial, long cap) {
        long ceiling = Math.min(cap, initial * (1L << Math.min(attempt, 20)));
        long floor = Math.max(1, ceiling / 2);
        return floor + ThreadLocalRandom.current().nextLong(Math.max(1, ceiling - floor + 1));
    }

    private void cancelTimers() {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
            timerId = -1;
        }
        if (pingTimerId >= 0) {
            vertx.cancelTimer(pingTimerId);
            pingTimerId = -1;
        }
    }

    private void setState(State s) {
        state = s;
        publicState = s;
    }

    /** The open socket, null between sockets: for tests in this package to look at its options. */
    WebSocket openSocket() {
        return socket;
    }

    /** Pauses reading from the socket (back-pressure); safe from any thread. */
    public void pause() {
        Runnable pause = () -> {
            if (socket != null) {
                socket.pause();
            }
        };
        // on the event loop (a frame just queued), at once: deferred, the rest of the read batch (up to a
        // megabyte of frames) would still be delivered before the pause
        if (io.vertx.core.Vertx.currentContext() == context) {
            pause.run();
        } else {
            context.runOnContext(v -> pause.run());
        }
    }

    public void resume() {
        context.runOnContext(v -> {
            if (socket != null) {
                socket.resume();
            }
        });
    }

    /** Sends a frame if a socket is open; false otherwise. Safe from any thread. */
    public boolean send(String frame) {
        return send(frame, Long.MAX_VALUE);
    }

    /**
     * As {@link #send(String)}, but refuses (false) while more than maxPendingBytes of earlier frames
     * are not yet written to the socket: a peer that does not read cannot grow our buffers.
     */
    public boolean send(String frame, long maxPendingBytes) {
        WebSocket ws = socket;
        if (publicState != State.OPEN || ws == null || pendingBytes.get() > maxPendingBytes) {
            return false;
        }
        pendingBytes.addAndGet(frame.length());
        framesOut.incrementAndGet();
        bytesOut.addAndGet(frame.length());
        // Written from the caller's thread, not in a task of ours on the event loop: Vert.x queues such
        // writes in order and flushes once when its queue empties, where each write made on the event
        // loop is flushed alone (a syscall per frame: 40 % of the relay sink's writes in a profile).
        try {
            ws.writeTextMessage(frame).onComplete(ar -> pendingBytes.addAndGet(-frame.length()));
        } catch (RuntimeException e) {
            pendingBytes.addAndGet(-frame.length());
            return false; // closed meanwhile
        }
        return true;
    }

    /** Bytes of frames handed to {@link #send} and not yet written to the socket. */
    public long pendingBytes() {
        return pendingBytes.get();
    }

    public State state() {
        return publicState;
    }

    public long connects() {
        return connects.get();
    }

    public long reconnects() {
        return Math.max(0, connects.get() - 1);
    }

    public long connectFailures() {
        return connectFailures.get();
    }

    public long framesIn() {
        return framesIn.get();
    }

    public long framesOut() {
        return framesOut.get();
    }

    public long bytesIn() {
        return bytesIn.get();
    }

    /** Characters of the frames sent (ASCII for everything but event contents). */
    public long bytesOut() {
        return bytesOut.get();
    }

    public long oversizedFrames() {
        return oversized.get();
    }

    public long lastConnectedMillis() {
        return lastConnectedMillis;
    }

    /** The host of the last connection attempt: the URL's, or the address it was checked to resolve to. */
    public String dialledHost() {
        return dialledHost;
    }

    public String lastError() {
        return lastError;
    }

    private final class Session implements RelaySession {
        private final WebSocket ws;

        Session(WebSocket ws) {
            this.ws = ws;
        }

        @Override
        public boolean send(String frame) {
            if (socket != ws && !context.isEventLoopContext()) {
                return false;
            }
            if (Vertx.currentContext() == context) {
                if (socket != ws) {
                    return false;
                }
                framesOut.incrementAndGet();
                bytesOut.addAndGet(frame.length());
                ws.writeTextMessage(frame);
                return true;
            }
            context.runOnContext(v -> {
                if (socket == ws) {
                    framesOut.incrementAndGet();
                    bytesOut.addAndGet(frame.length());
                    ws.writeTextMessage(frame);
                }
            });
            return true;
        }

        @Override
        public String url() {
            return url;
        }

        @Override
        public void execute(Runnable task) {
            context.runOnContext(v -> task.run());
        }

        @Override
        public void close(String reason) {
            context.runOnContext(v -> {
                if (socket == ws) {
                    ws.close((short) 1000, reason);
                }
            });
        }
    }
}
