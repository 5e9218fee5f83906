package org.astroport.constellation.app;

import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.Configuration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.Registry;
import org.astroport.constellation.backfill.BackfillRunner;
import org.astroport.constellation.discovery.AuthorRegistry;
import org.astroport.constellation.discovery.PeerRegistry;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.ops.AuthorsView;
import org.astroport.constellation.ops.BackfillView;
import org.astroport.constellation.ops.ConstellationHealth;
import org.astroport.constellation.ops.ConstellationMetrics;
import org.astroport.constellation.ops.ManagedBeans;
import org.astroport.constellation.ops.PeersView;
import org.astroport.constellation.ops.ProgressReport;
import org.astroport.constellation.ops.SinkView;
import org.astroport.constellation.sink.SinkRouter;
import org.astroport.constellation.sync.DurablePositions;
import org.astroport.constellation.sync.PeerRoutes;
import org.astroport.constellation.sync.Upstream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Operations: our MBeans (JMX), the health checks and the Prometheus series. */
@Configuration
public class OpsConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(OpsConfiguration.class);

    @PropertyInject("constellation.health.sink-down-seconds")
    private long sinkDownSeconds;
    @PropertyInject("constellation.health.no-peer-seconds")
    private long noPeerSeconds;
    @PropertyInject("constellation.backfill.cron")
    private String backfillCron;

    @BindToRegistry(lazy = true)
    public ManagedBeans managedBeans(PeerRegistry peers, AuthorRegistry authors, PeerRoutes peerRoutes, SyncStats stats, DurablePositions positions,
                                     SinkRouter sink, BackfillRunner backfill) {
        ManagedBeans jmx = new ManagedBeans();
        PeersView peersView = new PeersView(peers);
        peersView.attach(peerRoutes, stats, positions);
        jmx.add("type=Peers", peersView);
        jmx.add("type=Authors", new AuthorsView(authors));
        jmx.add("type=Sink", new SinkView(sink));
        jmx.add("type=Backfill", new BackfillView(backfill, backfillCron.trim()));
        return jmx;
    }

    @BindToRegistry(lazy = true)
    public ProgressReport progressReport(SyncStats stats, SinkRouter sink) {
        return new ProgressReport(stats, sink);
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        Registry registry = context.getRegistry();
        SinkRouter sink = registry.findSingleByType(SinkRouter.class);
        PeerRegistry peers = registry.findSingleByType(PeerRegistry.class);
        PeerRoutes peerRoutes = registry.findSingleByType(PeerRoutes.class);
        AtomicBoolean started = new AtomicBoolean();
        context.addStartupListener((ctx, alreadyStarted) -> {
            if (!started.compareAndSet(false, true)) {
                return;
            }
            HealthCheckRegistry health = HealthCheckRegistry.get(ctx);
            if (health != null) {
                health.register(new ConstellationHealth.Sink(sink, sinkDownSeconds * 1000));
                health.register(new ConstellationHealth.Peers(peers, peerRoutes, noPeerSeconds * 1000));
                LOG.info("health checks: {}", health.getCheckIDs());
            } else {
                LOG.warn("no health check registry: /observe/health will not reflect the sink and peers");
            }
            MeterRegistry meters = ctx.getRegistry().findSingleByType(MeterRegistry.class);
            if (meters != null) {
                ctx.addService(new ConstellationMetrics(meters, registry.findSingleByType(SyncStats.class), sink, peers,
                        registry.findSingleByType(AuthorRegistry.class), peerRoutes, registry.findSingleByType(Upstream.class),
                        registry.findSingleByType(DurablePositions.class)), true, true);
            } else {
                LOG.info("no Micrometer registry (camel.metrics.enabled=false): our counters are on JMX only");
            }
        });
        context.addService(registry.findSingleByType(ManagedBeans.class), true, true);
    }
}
