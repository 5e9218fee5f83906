package org.astroport.constellation.relay;

import static org.astroport.constellation.testsupport.RunningApp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.RunningApp;
import org.astroport.constellation.untrusted.Destinations;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RelayConnectionTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close();
    }

    static final class Recorder implements RelaySessionHandler {
        final AtomicInteger opens = new AtomicInteger();
        final List<String> frames = new CopyOnWriteArrayList<>();
        final String onOpenFrame;

        Recorder(String onOpenFrame) {
            this.onOpenFrame = onOpenFrame;
        }

        @Override
        public void onOpen(RelaySession session) {
            opens.incrementAndGet();
            if (onOpenFrame != null) {
                session.send(onOpenFrame);
            }
        }

        @Override
        public void onFrame(RelaySession session, String frame) {
            frames.add(frame);
        }
    }

    @Test
    void subscribesAfterEveryReconnectWithNeverMoreThanOneSocket() throws Exception {
        try (TestRelay relay = new TestRelay().start()) {
            Fixtures.validLines().stream().limit(5).forEach(relay::storeOnly);
            Recorder rec = new Recorder("[\"REQ\",\"s\",{\"kinds\":[1]}]");
            RelayConnection c = new RelayConnection(vertx, relay.url(), RelayOptions.defaults().withBackoff(20, 200), rec);
            c.start();
            await("first open", 5000, () -> rec.opens.get() == 1 && rec.frames.stream().anyMatch(f -> f.startsWith("[\"EOSE\"")));
            for (int i = 1; i <= 3; i++) {
                relay.dropAllConnections();
                int expected = i + 1;
                await("reopen " + expected, 5000, () -> rec.opens.get() == expected && relay.reqs().size() == expected);
            }
            assertEquals(4, relay.connectionsAccepted());
            assertEquals(1, relay.maxConcurrentConnections(), "never two sockets at once");
            assertEquals(4, relay.reqs().size(), "REQ re-sent after every reconnect");
            assertEquals(3, c.reconnects());
            c.stop();
            await("stopped", 2000, () -> relay.liveConnections() == 0);
            Thread.sleep(300);
            assertEquals(4, relay.connectionsAccepted(), "no reconnect after stop");
        }
    }

    @Test
    void aPeerUrlLeadingToAPrivateAddressIsNeverDialled() throws Exception {
        try (TestRelay relay = new TestRelay().start()) {
            // a name that was public when the peer was discovered and resolves to loopback now (DNS rebinding)
            Destinations now = Destinations.publicOnly(Duration.ofSeconds(1), name -> new InetAddress[] {InetAddress.getLoopbackAddress()});
            Recorder rec = new Recorder(null);
            RelayConnection byName = new RelayConnection(vertx, "ws://relay.rebound.test:" + relay.port(), RelayOptions.defaults().withBackoff(20, 100), rec, now);
            RelayConnection byAddress = new RelayConnection(vertx, relay.url(), RelayOptions.defaults().withBackoff(20, 100), rec, now);
            byName.start();
            byAddress.start();
            await("attempts refused", 5000, () -> byName.connectFailures() >= 2 && byAddress.connectFailures() >= 2);
            assertEquals(0, relay.connectionsAccepted(), "no socket reached the relay");
            assertEquals(0, rec.opens.get());
            assertTrue(byName.lastError().contains("resolves to 127.0.0.1, a loopback address"), byName.lastError());
            assertTrue(byAddress.lastError().contains("loopback"), byAddress.lastError());
            byName.stop();
            byAddress.stop();
            // our own tunnels, or an operator who allows private addresses: it connects
            RelayConnection allowed = new RelayConnection(vertx, relay.url(), RelayOptions.defaults().withBackoff(20, 100), rec, Destinations.anyAddress());
            allowed.start();
            await("connected", 5000, () -> rec.opens.get() == 1);
            allowed.stop();
        }
    }

    @Test
    void plainWsDialsTheAddressThatWasChecked() throws Exception {
        // a second lookup by the WebSocket client could answer differently: it is not asked
        Destinations checked = Destinations.publicOnly(Duration.ofSeconds(1),
                name -> new InetAddress[] {InetAddress.getByAddress(name, new byte[] {(byte) 198, 51, 100, 7})});
        RelayOptions quick = new RelayOptions(200, 20, 100, 30_000, 0, Long.MAX_VALUE, 1 << 20, 0);
        RelayConnection c = new RelayConnection(vertx, "ws://relay.pinned.test:7777", quick, new Recorder(null), checked);
        c.start();
        await("an attempt", 5000, () -> c.connectFailures() >= 1);
        c.stop();
        assertEquals("198.51.100.7", c.dialledHost());
        RelayConnection tls = new RelayConnection(vertx, "wss://relay.pinned.test:7777", quick, new Recorder(null), checked);
        tls.start();
        await("an attempt", 5000, () -> tls.connectFailures() >= 1);
        tls.stop();
        assertEquals("relay.pinned.test", tls.dialledHost(), "wss keeps the name its certificate is checked against");
    }

    @Test
    void relayDownAtStartIsRetriedUntilItComesUp() throws Exception {
        int port = RunningApp.freePort();
        Recorder rec = new Recorder(null);
        RelayConnection c = new RelayConnection(vertx, "ws://127.0.0.1:" + port, RelayOptions.defaults().withBackoff(20, 100), rec);
        c.start();
        await("a few failed attempts", 5000, () -> c.connectFailures() >= 3);
        assertEquals(RelayConnection.State.BACKING_OFF == c.state() || RelayConnection.State.CONNECTING == c.state(), true);
        try (TestRelay relay = new TestRelay().start(port)) {
            await("connected once the relay is up", 5000, () -> rec.opens.get() == 1);
            assertEquals(RelayConnection.State.OPEN, c.state());
            c.stop();
        }
    }

    @Test
    void stopDuringBackoffMakesNoFurtherAttempt() throws Exception {
        int port = RunningApp.freePort();
        RelayConnection c = new RelayConnection(vertx, "ws://127.0.0.1:" + port, RelayOptions.defaults().withBackoff(200, 400), new Recorder(null));
        c.start();
        await("backing off", 5000, () -> c.state() == RelayConnection.State.BACKING_OFF);
        c.stop();
        await("stopped", 2000, () -> c.state() == RelayConnection.State.STOPPED);
        long failures = c.connectFailures();
        try (TestRelay relay = new TestRelay().start(port)) {
            Thread.sleep(800);
            assertEquals(0, relay.connectionsAccepted());
            assertEquals(failures, c.connectFailures());
        }
    }

    @Test
    void backoffGrowsIsCappedAndJittered() {
        for (int attempt = 0; attempt < 12; attempt++) {
            long ceiling = Math.min(5_000, 100L << attempt);
            long min = Long.MAX_VALUE, max = 0;
            for (int i = 0; i < 300; i++) {
                long d = RelayConnection.backoffDelay(attempt, 100, 5_000);
                min = Math.min(min, d);
                max = Math.max(max, d);
            }
            assertTrue(max <= ceiling && min >= ceiling / 2, "attempt " + attempt + ": " + min + ".." + max + " within [" + ceiling / 2 + ", " + ceiling + "]");
            assertTrue(max > min, "jittered");
        }
    }

    @Test
    void silentRelayIsDetectedAndReconnected() throws Exception {
        try (TestRelay relay = new TestRelay().start()) {
            Recorder rec = new Recorder(null);
            RelayConnection c = new RelayConnection(vertx, relay.url(), RelayOptions.defaults().withBackoff(20, 100).withIdle(50, 400), rec);
            c.start();
            await("open", 5000, () -> rec.opens.get() == 1);
            Thread.sleep(700);
            assertEquals(1, rec.opens.get(), "pongs keep a quiet but alive relay connected");
            relay.freezeAll(); // stops reading: no pong, no frame
            await("reconnected after the idle timeout", 3000, () -> rec.opens.get() == 2);
            c.stop();
        }
    }

    /** Vert.x applies a WebSocket request timeout to the whole connection: a connect timeout must not end a healthy socket. */
    @Test
    void aHealthySocketOutlivesTheConnectTimeout() throws Exception {
        try (TestRelay relay = new TestRelay().start()) {
            Recorder rec = new Recorder(null);
            RelayOptions opts = new RelayOptions(800, 20, 200, 30_000, 0, Long.MAX_VALUE, 1 << 20, 0);
            RelayConnection c = new RelayConnection(vertx, relay.url(), opts, rec);
            c.start();
            await("open", 5000, () -> rec.opens.get() == 1);
            for (int i = 0; i < 12; i++) {
                Thread.sleep(200);
                c.send("[\"REQ\",\"q" + i + "\",{\"kinds\":[1],\"limit\":1}]");
            }
            assertEquals(1, rec.opens.get(), "still the first socket 2.4 s after connecting");
            assertEquals(0, c.reconnects());
            assertEquals(1, relay.connectionsAccepted());
            c.stop();
        }
    }

    @Test
    void aServerThatNeverAnswersTheHandshakeIsRetried() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            List<java.net.Socket> held = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // accept, read nothing, answer nothing
                    }
                } catch (java.io.IOException e) {
                    // closed
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Recorder rec = new Recorder(null);
            RelayOptions opts = new RelayOptions(300, 20, 100, 30_000, 0, Long.MAX_VALUE, 1 << 20, 0);
            RelayConnection c = new RelayConnection(vertx, "ws://127.0.0.1:" + silent.getLocalPort(), opts, rec);
            c.start();
            await("handshake timeouts counted as failures", 5000, () -> c.connectFailures() >= 2);
            assertTrue(c.lastError().contains("no WebSocket handshake"), c.lastError());
            assertTrue(held.size() >= 2, "it tried again: " + held.size());
            assertEquals(0, rec.opens.get());
            c.stop();
            for (java.net.Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void eachSocketReadsAheadNoMoreThanItsReceiveBuffer() throws Exception {
        // what bounds a flooding peer's read-ahead (FanInBench). The JDK reports what was asked for (Linux
        // keeps twice that); a socket left to the system starts at tcp_rmem's default and grows from there
        try (TestRelay relay = new TestRelay().start()) {
            int asked = 16 << 10;
            assertEquals(asked, receiveBufferOfAnOpenSocket(relay, asked));
            int system = receiveBufferOfAnOpenSocket(relay, 0);
            assertTrue(system > asked, "the system's own buffer, for comparison: " + system);
        }
    }

    private int receiveBufferOfAnOpenSocket(TestRelay relay, int receiveBufferBytes) throws Exception {
        Recorder rec = new Recorder(null);
        RelayOptions d = RelayOptions.defaults();
        RelayOptions opts = new RelayOptions(d.connectTimeoutMillis(), d.initialBackoffMillis(), d.maxBackoffMillis(), d.stableAfterMillis(),
                d.pingIntervalMillis(), d.idleTimeoutMillis(), d.maxMessageBytes(), receiveBufferBytes);
        RelayConnection c = new RelayConnection(vertx, relay.url(), opts, rec);
        c.start();
        try {
            await("open", 5000, () -> rec.opens.get() == 1 && c.openSocket() != null);
            return ((io.vertx.core.http.impl.WebSocketInternal) c.openSocket()).channelHandlerContext().channel().config()
                    .getOption(io.netty.channel.ChannelOption.SO_RCVBUF);
        } finally {
            c.stop();
        }
    }
}
