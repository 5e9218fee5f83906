package org.astroport.constellation.app;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.camel.spi.Registry;
import org.astroport.constellation.ingest.DeletionTracker;
import org.astroport.constellation.ingest.EventGate;
import org.astroport.constellation.ingest.SeenEvents;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.nostr.EventParser;
import org.astroport.constellation.nostr.EventPolicy;
import org.astroport.constellation.nostr.StationKey;
import org.astroport.constellation.relay.RelayTransport;
import org.astroport.constellation.relay.SubscriptionPlanner;
import org.astroport.constellation.sink.SinkRouter;
import org.astroport.constellation.sink.SinkSelector;
import org.astroport.constellation.sink.SinkWriter;
import org.astroport.constellation.sink.StrfryImportSink;
import org.astroport.constellation.backfill.BackfillRunner;
import org.astroport.constellation.backfill.LocalStore;
import org.astroport.constellation.backfill.RelayLocalStore;
import org.astroport.constellation.backfill.StrfryLocalStore;
import org.apache.camel.processor.aggregate.DefaultAggregateController;
import org.astroport.constellation.sync.DurablePositions;
import org.astroport.constellation.sync.LiveSubscriptions;
import org.astroport.constellation.nostr.EventValidator;
import org.astroport.constellation.sync.PeerRoutes;
import org.astroport.constellation.sync.Upstream;
import org.astroport.constellation.discovery.AuthorRegistry;
import org.astroport.constellation.discovery.Discovery;
import org.astroport.constellation.discovery.FileVersions;
import org.astroport.constellation.discovery.IpfsTunnels;
import org.astroport.constellation.discovery.PeerPolicy;
import org.astroport.constellation.discovery.PeerRegistry;
import org.astroport.constellation.untrusted.Destinations;
import org.astroport.constellation.discovery.StationScan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.astroport.constellation.ops.ManagedBeans;
import org.astroport.constellation.ops.SinkView;
import org.astroport.constellation.ops.BackfillView;
import org.astroport.constellation.ops.ConstellationHealth;
import org.astroport.constellation.ops.ConstellationMetrics;
import org.apache.camel.health.HealthCheckRegistry;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Builds the domain beans the YAML routes refer to by name, from the {@code constellation.*}
 * properties. Registered with camel-main through {@code camel.main.configuration-classes}.
 */
public class ConstellationBeans implements CamelConfiguration {

    /** The bot greeting stations drop (a literal substring, not a regular expression). */
    public static final String DEFAULT_CONTENT_FILTER = "Hello NOSTR visitor.";

    /** Events per sink batch with the import sink (the relay sink: 500); also its spool replay batch. */
    public static final int IMPORT_BATCH_SIZE = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(ConstellationBeans.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        Registry registry = context.getRegistry();
        Path home = settings.home();
        Clock clock = settings.clock();

        FileVersions fileVersions = new FileVersions();
        AuthorRegistry authors = new AuthorRegistry(home);
        IpfsTunnels tunnels = new IpfsTunnels(settings.get("constellation.ipfs.bin", "ipfs"),
                Duration.ofSeconds(settings.getInt("constellation.ipfs.timeout-seconds", 15)), settings.getBoolean("constellation.ipfs.dry-run", false));
        PeerRegistry peers = new PeerRegistry(home, settings.nodeId(), settings.getInt("constellation.discovery.stale-days", 3),
                clock, authors, tunnels, peerPolicy(settings));
        Discovery discovery = new Discovery(home, peers, authors, fileVersions);
        // one synchronous read at startup: the registries are complete before any route starts,
        // and the file routes then only carry changes
        long t0 = System.nanoTime();
        StationScan.loadAll(home, peers, authors, fileVersions);
        LOG.info("initial scan of {}: {} peers ({} reachable), {} in {} ms", home, peers.allPeers().size(), peers.reachablePeers().size(),
                authors.summary(), (System.nanoTime() - t0) / 1_000_000);
        authors.takeChange();

        registry.bind("settings", settings);
        registry.bind("discoveryFiles", fileVersions);
        registry.bind("authorRegistry", authors);
        registry.bind("peerRegistry", peers);
        registry.bind("discovery", discovery);

        ManagedBeans jmx = new ManagedBeans();
        org.astroport.constellation.ops.PeersView peersView = new org.astroport.constellation.ops.PeersView(peers);
        jmx.add("type=Peers", peersView);
        jmx.add("type=Authors", new org.astroport.constellation.ops.AuthorsView(authors));
        registry.bind("managedBeans", jmx);

        // ---- live sync: ingest rules, dedupe, sink
        registry.bind("clock", clock);
        SyncStats stats = new SyncStats();
        registry.bind("syncStats", stats);
        DeletionTracker deletions = new DeletionTracker(settings.getInt("constellation.deletions.capacity", 100_000));
        registry.bind("deletionTracker", deletions);
        SeenEvents seen = new SeenEvents(settings.getInt("constellation.dedupe.capacity", 200_000));
        seen.start();
        registry.bind("seenEvents", seen);
        Set<Integer> kindSet = Set.copyOf(settings.kinds());
        EventGate gate = new EventGate(new EventParser(settings.getInt("constellation.frame.max-bytes", EventParser.DEFAULT_MAX_BYTES)),
                new EventPolicy(clock, settings.getLong("constellation.event.max-future-seconds", EventPolicy.DEFAULT_MAX_FUTURE_SECONDS),
                        settings.getInt("constellation.event.max-bytes", EventPolicy.DEFAULT_MAX_EVENT_BYTES)),
                () -> kindSet, authors, authors::blacklist, contentFilters(settings), deletions, stats, seen);
        registry.bind("eventGate", gate);
        // the per-event steps as processors: a bean call with method binding cost ~15 % of ingest CPU
        registry.bind("screenEvent", (Processor) gate::screen);
        registry.bind("admitEvent", (Processor) gate::admit);
        registry.bind("countDuplicate", (Processor) gate::duplicate);
        registry.bind("subscriptionPlanner", new SubscriptionPlanner(new SubscriptionPlanner.Limits(
                settings.getInt("constellation.req.max-frame-bytes", 120_000), settings.getInt("constellation.req.max-filters", 20),
                settings.getInt("constellation.req.max-subscriptions", 10), settings.getInt("constellation.req.authors-per-filter", 250))));
        registry.bind("liveSubscriptions", new LiveSubscriptions(settings::kinds, authors));
        StationKey key = loadStationKey(home);
        if (key != null) {
            registry.bind("stationKey", key);
        }
        RelayTransport transport = new RelayTransport(2);
        registry.bind("relayTransport", transport);
        context.addService(transport, true, true);
        SinkRouter sinkRouter = SinkSelector.create(settings, home, transport, deletions, stats, seen);
        registry.bind("enterSink", (Processor) sinkRouter::enter);
        // one long-lived strfry import takes every batch (no process start per batch): 1,000 events with
        // its 5 ms debounce took the most per second with the fewest commits (StrfryImportBench); the
        // relay sink waits for an OK per event, 500 keep a batch short. Either way a batch closes within 25 ms
        boolean importing = sinkRouter.sink() instanceof StrfryImportSink;
        if (settings.get("constellation.sink.batch-size", null) == null) {
            context.getPropertiesComponent().addInitialProperty("constellation.sink.batch-size", String.valueOf(importing ? IMPORT_BATCH_SIZE : 500));
        }
        if (settings.get("constellation.sink.batch-millis", null) == null) {
            context.getPropertiesComponent().addInitialProperty("constellation.sink.batch-millis", "25");
        }
        registry.bind("sinkRouter", sinkRouter);
        registry.bind("sinkBatchAggregation", new org.astroport.constellation.sink.SinkBatchAggregation(
                settings.getLong("constellation.sink.batch-max-bytes", 4L << 20)));
        // ---- backfill (daily Quartz route and the command line)
        DefaultAggregateController sinkBatches = new DefaultAggregateController();
        registry.bind("sinkBatches", sinkBatches);
        SinkWriter sinkWriter = new SinkWriter(settings.getInt("constellation.sink.queued-batches", 2));
        registry.bind("sinkWriter", sinkWriter);
        LocalStore localStore = sinkRouter.sink() instanceof org.astroport.constellation.sink.DiscardingSink ? null
                : sinkRouter.sink() instanceof StrfryImportSink
                ? new StrfryLocalStore(SinkSelector.findStrfry(settings, home), SinkSelector.strfryConfig(settings, home),
                        Files.isDirectory(home.resolve("strfry")) ? home.resolve("strfry") : null, home.resolve("strfry/strfry-db/data.mdb"))
                : new RelayLocalStore(transport.vertx(), settings.get("constellation.local-relay-url", "ws://127.0.0.1:7777"), 15_000);
        if (localStore != null) {
            registry.bind("localStore", localStore);
        }
        List<String> fallback = new ArrayList<>();
        for (String r : settings.get("constellation.backfill.fallback-relays", "").split("[,\\s]+")) {
            if (!r.isBlank()) {
                fallback.add(r.trim());
            }
        }
        BackfillRunner backfill = new BackfillRunner(peers, authors, settings::kinds, context.getRegistry().lookupByNameAndType("subscriptionPlanner", SubscriptionPlanner.class),
                transport::vertx, key, context.createProducerTemplate(), sinkRouter, sinkBatches, localStore, clock,
                home.resolve("strfry/constellation-backfill.lock"), settings.getInt("constellation.backfill.concurrency", 3),
                settings.getInt("constellation.backfill.retries", 2), settings.getLong("constellation.backfill.retry-backoff-millis", 2000),
                settings.getInt("constellation.backfill.page-size", 500), settings.getLong("constellation.backfill.timeout-millis", 30_000),
                fallback, settings.getInt("constellation.backfill.days", 1));
        String direction = settings.get("constellation.direction", "pull").trim();
        if (!direction.equals("pull") && !direction.equals("both")) {
            throw new IllegalArgumentException("constellation.direction must be 'pull' (peers to us) or 'both' (also our members' events to peers), not '" + direction + "'");
        }
        backfill.useNegentropy(new BackfillRunner.NegentropySettings(settings.getBoolean("constellation.backfill.negentropy", true),
                // the limit is on hex characters on the wire (strfry's default: 60,000), two per message byte
                settings.getInt("constellation.backfill.negentropy-frame-hex-chars", 60_000) / 2,
                settings.getLong("constellation.backfill.negentropy-timeout-millis", 10_000), direction.equals("both")));
        registry.bind("backfill", backfill);
        // each peer's sync position: durable, moved only once the events before it are safe
        Path positionsDir = Path.of(settings.get("constellation.positions.dir", home.resolve("strfry/constellation-positions").toString()));
        DurablePositions positions = new DurablePositions(positionsDir, sinkRouter, clock, backfill::closeGap);
        registry.bind("syncPositions", positions);

        PeerRoutes peerRoutes = new PeerRoutes(context, peers, settings.getBoolean("constellation.live.enabled", true));
        registry.bind("peerRoutes", peerRoutes);
        context.addStartupListener(peerRoutes);
        Upstream upstream = new Upstream(context, peerRoutes, authors, settings::kinds,
                new EventValidator(settings.getInt("constellation.frame.max-bytes", EventParser.DEFAULT_MAX_BYTES)), direction.equals("both"),
                settings.getInt("constellation.dedupe.capacity", 200_000));
        registry.bind("upstream", upstream);
        registry.bind("noteOrigin", (Processor) upstream::noteOrigin);
        context.addStartupListener(upstream);
        context.getManagementStrategy().addEventNotifier(new org.astroport.constellation.sync.ReloadListener(peerRoutes, upstream,
                settings.getLong("constellation.reload.settle-millis", 1000)));
        // what Camel reloads when the settings file changes (it reloads no route unless told which)
        List<org.apache.camel.spi.Resource> routeFiles = new java.util.ArrayList<>();
        String include = context.getPropertiesComponent().resolveProperty("camel.main.routes-include-pattern").orElse("");
        for (String location : include.split(",")) {
            if (!location.isBlank() && !location.contains("*")) {
                routeFiles.add(org.apache.camel.support.PluginHelper.getResourceLoader(context).resolveResource(location.trim()));
            }
        }
        registry.bind(org.apache.camel.support.RouteWatcherReloadStrategy.RELOAD_RESOURCES, routeFiles);

        // ---- operations: JMX, health, Prometheus
        peersView.attach(peerRoutes, stats, positions);
        jmx.add("type=Sink", new SinkView(sinkRouter));
        jmx.add("type=Backfill", new BackfillView(backfill, settings.get("constellation.backfill.cron", "0 0 12 * * ?")));
        long sinkThreshold = settings.getLong("constellation.health.sink-down-seconds", 300) * 1000;
        long peersGrace = settings.getLong("constellation.health.no-peer-seconds", 300) * 1000;
        java.util.concurrent.atomic.AtomicBoolean opsStarted = new java.util.concurrent.atomic.AtomicBoolean();
        context.addStartupListener((ctx, alreadyStarted) -> {
            if (!opsStarted.compareAndSet(false, true)) {
                return;
            }
            HealthCheckRegistry health = HealthCheckRegistry.get(ctx);
            if (health != null) {
                health.register(new ConstellationHealth.Sink(sinkRouter, sinkThreshold));
                health.register(new ConstellationHealth.Peers(peers, peerRoutes, peersGrace));
                LOG.info("health checks: {}", health.getCheckIDs());
            } else {
                LOG.warn("no health check registry: /observe/health will not reflect the sink and peers");
            }
            MeterRegistry meters = ctx.getRegistry().findSingleByType(MeterRegistry.class);
            if (meters != null) {
                ctx.addService(new ConstellationMetrics(meters, stats, sinkRouter, peers, authors, peerRoutes, upstream, positions), true, true);
            } else {
                LOG.info("no Micrometer registry (camel.metrics.enabled=false): our counters are on JMX only");
            }
        });
        context.addService(jmx, true, true);
        context.addService(new org.apache.camel.support.service.ServiceSupport() {
            @Override
            protected void doStop() throws InterruptedException {
                peers.close(); // closes our IPFS tunnels
                sinkWriter.shutdown(); // the routes have stopped: write what is queued, then end
                if (!sinkWriter.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    LOG.warn("the sink writer still had {} batch(es) after 30 s", sinkWriter.queued());
                }
                if (sinkRouter.sink() instanceof StrfryImportSink importer) {
                    importer.close(); // strfry import's stdin closed: it commits, says "Done." and exits (bounded, then killed)
                }
                positions.close(); // what the last batches made safe
                LOG.info("sync positions saved in {}", positions.directory());
            }
        }, true, true);
    }

    /** Where other stations' descriptors may make us connect, and how many peers we sync at most. */
    static PeerPolicy peerPolicy(Settings settings) {
        int max = settings.getInt("constellation.peers.max", PeerPolicy.DEFAULT_MAX_PEERS);
        if (max < 1) {
            throw new IllegalArgumentException("constellation.peers.max must be at least 1, not " + max);
        }
        PeerPolicy policy = settings.getBoolean("constellation.peers.allow-private", false) ? PeerPolicy.allowingPrivate()
                : new PeerPolicy(Destinations.publicOnly(Duration.ofMillis(settings.getLong("constellation.peers.resolve-timeout-millis", 2000))),
                        max, PeerPolicy.defaults().unresolvedRetry());
        if (policy.destinations().allowsPrivate()) {
            LOG.warn("constellation.peers.allow-private=true: peers' relay URLs may point at this machine and the local network");
        }
        return policy.withMaxPeers(max);
    }

    static List<String> contentFilters(Settings settings) {
        String v = settings.get("constellation.content-filters", DEFAULT_CONTENT_FILTER);
        List<String> out = new ArrayList<>();
        for (String phrase : v.split("\\|")) {
            if (!phrase.isEmpty()) {
                out.add(phrase);
            }
        }
        return out;
    }

    static StationKey loadStationKey(Path home) {
        Path f = home.resolve("game/secret.nostr");
        if (!Files.exists(f)) {
            LOG.info("no station key at {}: relays that demand NIP-42 authentication will not serve us", f);
            return null;
        }
        try {
            StationKey k = StationKey.load(f);
            LOG.info("station key {} loaded from {} (for NIP-42 AUTH)", k.publicKeyHex(), f);
            return k;
        } catch (Exception e) {
            LOG.warn("station key {} unusable: {}", f, e.getMessage());
            return null;
        }
    }
}
