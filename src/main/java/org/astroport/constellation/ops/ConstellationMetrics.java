package org.astroport.constellation.ops;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.support.service.ServiceSupport;
import org.astroport.constellation.discovery.AuthorRegistry;
import org.astroport.constellation.discovery.PeerRegistry;
import org.astroport.constellation.discovery.PeerState;
import org.astroport.constellation.ingest.PeerStats;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.sink.SinkRouter;
import org.astroport.constellation.sync.DurablePositions;
import org.astroport.constellation.sync.PeerRoutes;
import org.astroport.constellation.sync.Upstream;

/**
 * Our counters as labelled Prometheus series on /observe/metrics (camel-micrometer-prometheus's
 * registry). Peers and reasons appear as they are first seen, so a scan registers what is new.
 */
public class ConstellationMetrics extends ServiceSupport {

    private final MeterRegistry registry;
    private final SyncStats stats;
    private final SinkRouter sink;
    private final PeerRegistry peers;
    private final AuthorRegistry authors;
    private final PeerRoutes routes;
    private final Upstream upstream;
    private final Set<String> registered = new HashSet<>();
    private ScheduledExecutorService scanner;
    private final DurablePositions positions;

    public ConstellationMetrics(MeterRegistry registry, SyncStats stats, SinkRouter sink, PeerRegistry peers, AuthorRegistry authors, PeerRoutes routes,
            Upstream upstream, DurablePositions positions) {
        this.positions = positions;
        this.registry = registry;
        this.stats = stats;
        this.sink = sink;
        this.peers = peers;
        this.authors = authors;
        this.routes = routes;
        this.upstream = upstream;
    }

    @Override
    protected void doStart() {
        Gauge.builder("constellation.authors.monitored", authors, AuthorRegistry::size).description("monitored authors (pubkeys) after the blacklist").register(registry);
        Gauge.builder("constellation.authors.invalid.lines", authors, AuthorRegistry::invalidLineCount).description("invalid lines skipped in the station's key files").register(registry);
        for (PeerState s : PeerState.values()) {
            Gauge.builder("constellation.peers", peers, r -> r.allPeers().stream().filter(p -> p.state() == s).count()).description("peers in the registry by state").tag("state", s.name().toLowerCase())
                    .register(registry);
        }
        Gauge.builder("constellation.peers.connected", routes, PeerRoutes::connectedCount).description("peer routes whose WebSocket is open").register(registry);
        Gauge.builder("constellation.sink.up", sink, s -> s.downSinceMillis() == 0 ? 1 : 0).description("1 when the local strfry accepts writes").register(registry);
        Gauge.builder("constellation.spool.events", sink, s -> s.spool().pendingEvents()).description("events waiting in the on-disk spool").register(registry);
        Gauge.builder("constellation.spool.bytes", sink, s -> s.spool().sizeBytes()).description("bytes of the on-disk spool (cap: constellation.spool.max-bytes)").register(registry);
        Gauge.builder("constellation.spool.full", sink, s -> s.spool().isFull() ? 1 : 0).description("1 when the spool is at its size cap and refuses batches").register(registry);
        FunctionCounter.builder("constellation.spool.corrupt.lines", sink, s -> s.spool().corruptLines())
                .description("unreadable spool lines moved aside into corrupt-*.ndjson").register(registry);
        FunctionCounter.builder("constellation.sink.probe.failures", sink, SinkRouter::probeFailures)
                .description("failed sink probes (local relay not connected, strfry binary or database missing)").register(registry);
        FunctionCounter.builder("constellation.sink.written", sink, SinkRouter::written).description("events written to the local strfry").register(registry);
        FunctionCounter.builder("constellation.sink.spooled", sink, SinkRouter::spooled).description("events spooled while the sink was down").register(registry);
        FunctionCounter.builder("constellation.sink.replayed", sink, SinkRouter::replayed).description("spooled events replayed into the sink").register(registry);
        FunctionCounter.builder("constellation.sink.errors", sink, SinkRouter::errors).description("failed sink writes").register(registry);
        FunctionCounter.builder("constellation.sink.lost", sink, SinkRouter::lostEvents)
                .description("events neither written nor spooled (then fetched again from the peers)").register(registry);
        FunctionCounter.builder("constellation.sink.ephemeral.not.stored", sink, SinkRouter::ephemeralDropped).description("ephemeral events the sink does not store").register(registry);
        if (sink.sink() instanceof org.astroport.constellation.sink.StrfryImportSink importer) {
            FunctionCounter.builder("constellation.sink.import.restarts", importer, org.astroport.constellation.sink.StrfryImportSink::restarts)
                    .description("strfry import children started to replace one that died or was killed").register(registry);
        }
        Gauge.builder("constellation.sink.latency.p99.ms", sink, s -> Math.max(0, s.latency().percentileMillis(99))).description("p99 ms from receipt to sink write (recent events)").register(registry);
        scan();
        scanner = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "constellation-metrics");
            t.setDaemon(true);
            return t;
        });
        scanner.scheduleWithFixedDelay(this::scan, 5, 5, TimeUnit.SECONDS);
    }

    /** Registers series for peers and reasons seen since the last scan. */
    public synchronized void scan() {
        if (upstream.enabled()) {
            once("upstream", () -> {
                FunctionCounter.builder("constellation.upstream.echoes.avoided", upstream, Upstream::echoesAvoided)
                        .description("members' events not sent back to a peer that sent them").register(registry);
                FunctionCounter.builder("constellation.upstream.peer.offline", upstream, Upstream::peersOffline)
                        .description("members' events not sent to a peer because it was not connected").register(registry);
                FunctionCounter.builder("constellation.upstream.peer.not.reading", upstream, Upstream::peersNotReading)
                        .description("members' events not sent to a peer because it had not read what we sent (4 MiB unwritten)").register(registry);
            });
            for (String p : upstream.sentByPeer().keySet()) {
                once("upstream|" + p, () -> FunctionCounter.builder("constellation.upstream.sent", upstream, u -> u.sentByPeer().getOrDefault(p, 0L))
                        .description("members' events sent to the peer (direction both)").tag("peer", p).register(registry));
            }
        }
        for (PeerStats s : stats.all()) {
            String p = s.peer();
            once("peer|" + p, () -> {
                FunctionCounter.builder("constellation.events.received", s, PeerStats::receivedCount).description("events received from the peer").tag("peer", p).register(registry);
                FunctionCounter.builder("constellation.events.forwarded", s, PeerStats::forwardedCount).description("events from the peer forwarded to the sink").tag("peer", p).register(registry);
                FunctionCounter.builder("constellation.events.duplicates", s, PeerStats::duplicates).description("events from the peer already forwarded").tag("peer", p).register(registry);
                FunctionCounter.builder("constellation.events.spooled", s, PeerStats::spooledCount).description("events from the peer spooled").tag("peer", p).register(registry);
                FunctionCounter.builder("constellation.peer.reconnects", s, PeerStats::reconnects).description("reconnections to the peer").tag("peer", p).register(registry);
                FunctionCounter.builder("constellation.peer.drain.closes", s, PeerStats::drainCloses)
                        .description("times the peer's live subscriptions were closed until our queue drained").tag("peer", p).register(registry);
                FunctionCounter.builder("constellation.peer.pauses", s, PeerStats::pauses)
                        .description("times the peer's socket was paused: it kept sending past the hard cap of our queue").tag("peer", p).register(registry);
                Gauge.builder("constellation.peer.last.event.seconds", s, PeerStats::lastEventCreatedAt).description("created_at of the newest event from the peer").tag("peer", p).register(registry);
                if (positions != null) {
                    Gauge.builder("constellation.peer.behind.seconds", positions, x -> x.secondsBehind(p))
                            .description("now minus the peer's sync position (everything before it is safe); -1 before the first").tag("peer", p).register(registry);
                }
            });
            for (String reason : s.invalidByReason().keySet()) {
                once("invalid|" + p + "|" + reason, () -> FunctionCounter.builder("constellation.events.invalid", s,
                        x -> x.invalidByReason().getOrDefault(reason, 0L)).description("events refused as invalid, by reason").tag("peer", p).tag("reason", reason).register(registry));
            }
            for (String reason : s.filteredByReason().keySet()) {
                once("filtered|" + p + "|" + reason, () -> FunctionCounter.builder("constellation.events.filtered", s,
                        x -> x.filteredByReason().getOrDefault(reason, 0L)).description("events dropped by policy, by reason").tag("peer", p).tag("reason", reason).register(registry));
            }
        }
    }

    private void once(String key, Runnable register) {
        if (registered.add(key)) {
            register.run();
        }
    }

    @Override
    protected void doStop() {
        if (scanner != null) {
            scanner.shutdownNow();
        }
    }
}
