package org.astroport.constellation.ops;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.astroport.constellation.discovery.PeerRegistry;
import org.astroport.constellation.sink.SinkRouter;
import org.astroport.constellation.sync.PeerRoutes;

/** Health checks behind /observe/health: DOWN when the sink is unreachable too long, or no peer is connected while peers exist. */
public final class ConstellationHealth {

    private ConstellationHealth() {
    }

    /**
     * DOWN when the sink has failed (a write, a replay or a probe) for longer than the threshold, when
     * a single write has been running that long (a hung sink), or at once when the spool is full
     * (events are then forgotten and fetched again from the peers).
     */
    public static class Sink extends AbstractHealthCheck {
        private final SinkRouter sink;
        private final long thresholdMillis;

        public Sink(SinkRouter sink, long thresholdMillis) {
            super("constellation", "constellation-sink");
            this.sink = sink;
            this.thresholdMillis = thresholdMillis;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            long now = System.currentTimeMillis();
            long down = sink.downSinceMillis();
            long writing = sink.writingSinceMillis();
            builder.detail("sink", sink.sink().describe());
            builder.detail("spool.events", sink.spool().pendingEvents());
            builder.detail("spool.bytes", sink.spool().sizeBytes());
            if (sink.spool().isFull()) {
                builder.message("spool " + sink.spool().directory() + " is full (" + sink.spool().sizeBytes() + " bytes, cap " + sink.spool().maxBytes()
                        + "): events are forgotten and fetched again from the peers; sink: " + (down > 0 ? sink.lastError() : "up"));
                builder.down();
            } else if (down > 0 && now - down > thresholdMillis) {
                builder.message("sink unreachable for " + (now - down) / 1000 + " s: " + sink.lastError());
                builder.down();
            } else if (writing > 0 && now - writing > thresholdMillis) {
                builder.message("a write to the sink has been running for " + (now - writing) / 1000 + " s");
                builder.down();
            } else {
                builder.up();
            }
        }
    }

    public static class Peers extends AbstractHealthCheck {
        private final PeerRegistry registry;
        private final PeerRoutes routes;
        private final long graceMillis;
        private final long startedAt = System.currentTimeMillis();
        private volatile long noneConnectedSince = 0;

        public Peers(PeerRegistry registry, PeerRoutes routes, long graceMillis) {
            super("constellation", "constellation-peers");
            this.registry = registry;
            this.routes = routes;
            this.graceMillis = graceMillis;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            int reachable = registry.reachablePeers().size();
            int connected = routes.connectedCount();
            builder.detail("peers.reachable", reachable);
            builder.detail("peers.connected", connected);
            long now = System.currentTimeMillis();
            if (reachable == 0 || connected > 0 || !routes.enabled()) {
                noneConnectedSince = 0;
                builder.up();
                return;
            }
            if (noneConnectedSince == 0) {
                noneConnectedSince = now;
            }
            if (now - startedAt > graceMillis && now - noneConnectedSince > graceMillis) {
                builder.message(reachable + " peer(s) known, none connected for " + (now - noneConnectedSince) / 1000 + " s");
                builder.down();
            } else {
                builder.up();
            }
        }
    }
}
