package org.astroport.constellation.app;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.Configuration;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.PropertyInject;
import org.apache.camel.support.service.ServiceSupport;
import org.astroport.constellation.backfill.BackfillRunner;
import org.astroport.constellation.discovery.AuthorRegistry;
import org.astroport.constellation.discovery.PeerRegistry;
import org.astroport.constellation.nostr.EventValidator;
import org.astroport.constellation.nostr.SyncedKinds;
import org.astroport.constellation.sink.SinkRouter;
import org.astroport.constellation.sink.SinkRouter;
import org.astroport.constellation.sink.SinkWriter;
import org.astroport.constellation.sink.StrfryImportSink;
import org.astroport.constellation.sync.DurablePositions;
import org.astroport.constellation.sync.PeerRoutes;
import org.astroport.constellation.sync.ReloadListener;
import org.astroport.constellation.sync.Upstream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Live sync (routes/live-sync.camel.yaml): a route per peer, their durable positions, and direction both. */
@Configuration
public class SyncConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(SyncConfiguration.class);

    @PropertyInject("constellation.home")
    private String home;
    @PropertyInject("constellation.reload.settle-millis")
    private long reloadSettleMillis;

    /** Each peer's sync position: durable, moved only once the events before it are safe; long gaps closed by the backfill. */
    @BindToRegistry(lazy = true)
    public DurablePositions syncPositions(@PropertyInject("constellation.positions.dir") String dir, SinkRouter sink, Clock clock, BackfillRunner backfill)
            throws java.io.IOException {
        Path positionsDir = dir.isBlank() ? Path.of(home).resolve("strfry/constellation-positions") : Path.of(dir.trim());
        return new DurablePositions(positionsDir, sink, clock, backfill::closeGap);
    }

    @BindToRegistry(lazy = true)
    public PeerRoutes peerRoutes(CamelContext context, PeerRegistry peers, @PropertyInject("constellation.live.enabled") boolean enabled) {
        return new PeerRoutes(context, peers, enabled);
    }

    @BindToRegistry(lazy = true)
    public Upstream upstream(CamelContext context, PeerRoutes peerRoutes, AuthorRegistry authors, SyncedKinds kinds,
                             @PropertyInject("constellation.frame.max-bytes") int frameMaxBytes, @PropertyInject("constellation.direction") String direction,
                             @PropertyInject("constellation.dedupe.capacity") int originCapacity) {
        return new Upstream(context, peerRoutes, authors, kinds, new EventValidator(frameMaxBytes), Upstream.sendsUpstream(direction), originCapacity);
    }

    /** Direction both: ingest remembers which peers sent which event, never to echo it back. */
    @BindToRegistry(lazy = true)
    public Processor noteOrigin(Upstream upstream) {
        return upstream::noteOrigin;
    }

    /** The upstream route's recipient list reports what became of each event, peer by peer. */
    @BindToRegistry(lazy = true)
    public AggregationStrategy upstreamDeliveries(Upstream upstream) {
        return upstream::delivered;
    }

    /** Held by a routes reload and by the rebuild of the peer routes after it: both change Camel's route model. */
    @BindToRegistry(ROUTE_MODEL_CHANGES)
    public ReentrantLock routeModelChanges() {
        return new ReentrantLock();
    }

    static final String ROUTE_MODEL_CHANGES = "routeModelChanges";

    static ReentrantLock routeModelChanges(CamelContext context) {
        return context.getRegistry().lookupByNameAndType(ROUTE_MODEL_CHANGES, ReentrantLock.class);
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        PeerRoutes peerRoutes = context.getRegistry().findSingleByType(PeerRoutes.class);
        Upstream upstream = context.getRegistry().findSingleByType(Upstream.class);
        context.addStartupListener(peerRoutes);
        context.addStartupListener(upstream);
        // Camel's route reload knows nothing of the peer routes made at runtime: they are rebuilt once a reload settles
        context.getManagementStrategy().addEventNotifier(new ReloadListener(peerRoutes, upstream, reloadSettleMillis, routeModelChanges(context)));
        PeerRegistry peers = context.getRegistry().findSingleByType(PeerRegistry.class);
        SinkWriter sinkWriter = context.getRegistry().findSingleByType(SinkWriter.class);
        SinkRouter sinkRouter = context.getRegistry().findSingleByType(SinkRouter.class);
        DurablePositions positions = context.getRegistry().findSingleByType(DurablePositions.class);
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() throws InterruptedException {
                peers.close(); // closes our IPFS tunnels
                sinkWriter.shutdown(); // the routes have stopped: write what is queued, then end
                if (!sinkWriter.awaitTermination(30, TimeUnit.SECONDS)) {
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
}
