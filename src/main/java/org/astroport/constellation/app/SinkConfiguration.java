package org.astroport.constellation.app;

import java.nio.file.Path;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.Configuration;
import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.PropertyInject;
import org.apache.camel.processor.aggregate.DefaultAggregateController;
import org.apache.camel.spi.PropertiesComponent;
import org.astroport.constellation.ingest.DeletionTracker;
import org.astroport.constellation.ingest.SeenEvents;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.relay.NostrRelayComponent;
import org.astroport.constellation.relay.RelayTransport;
import org.astroport.constellation.sink.SinkBatchAggregation;
import org.astroport.constellation.sink.SinkBatchClosing;
import org.astroport.constellation.sink.SinkRouter;
import org.astroport.constellation.sink.SinkSelector;
import org.astroport.constellation.sink.SinkSettings;
import org.astroport.constellation.sink.SinkWriter;
import org.astroport.constellation.sink.SpoolSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The local strfry as the sink (routes/sink.camel.yaml): the sink in use, its batches, its writer and spool. */
@Configuration
public class SinkConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(SinkConfiguration.class);
    static final String BATCH_SIZE = "constellation.sink.batch-size";
    static final String BATCH_MILLIS = "constellation.sink.batch-millis";
    static final String BURST_MILLIS = "constellation.sink.burst-millis";

    @PropertyInject("constellation.home")
    private String home;

    @BindToRegistry(lazy = true)
    public SinkSettings sinkSettings(@PropertyInject("constellation.sink.mode") String mode, @PropertyInject("constellation.strfry.bin") String strfryBin,
                                     @PropertyInject("constellation.strfry.config") String strfryConfig,
                                     @PropertyInject("constellation.local-relay-url") String localRelayUrl,
                                     @PropertyInject("constellation.sink.import-timeout-seconds") long importTimeoutSeconds,
                                     @PropertyInject("constellation.sink.import-debounce-millis") int importDebounceMillis,
                                     @PropertyInject("constellation.sink.import-fried") boolean importFried,
                                     @PropertyInject("constellation.sink.ok-timeout-millis") long okTimeoutMillis, @PropertyInject("constellation.sink.retries") int retries,
                                     @PropertyInject("constellation.sink.retry-backoff-millis") long retryBackoffMillis,
                                     @PropertyInject("constellation.sink.import.batch-size") int importBatchSize,
                                     @PropertyInject("constellation.sink.import.batch-millis") long importBatchMillis,
                                     @PropertyInject("constellation.sink.import.burst-millis") long importBurstMillis,
                                     @PropertyInject("constellation.sink.relay.batch-size") int relayBatchSize,
                                     @PropertyInject("constellation.sink.relay.batch-millis") long relayBatchMillis,
                                     @PropertyInject("constellation.sink.relay.burst-millis") long relayBurstMillis) {
        return new SinkSettings(mode, Path.of(home), strfryBin, strfryConfig, localRelayUrl, importTimeoutSeconds, importDebounceMillis, importFried, okTimeoutMillis, retries, retryBackoffMillis,
                new SinkSettings.Batching(importBatchSize, importBatchMillis, importBurstMillis),
                new SinkSettings.Batching(relayBatchSize, relayBatchMillis, relayBurstMillis));
    }

    @BindToRegistry(lazy = true)
    public SinkRouter sinkRouter(@PropertyInject("constellation.spool.dir") String spoolDir, @PropertyInject("constellation.spool.dir-suffix") String spoolDirSuffix,
                                 @PropertyInject("constellation.spool.segment-bytes") long segmentBytes, @PropertyInject("constellation.spool.max-bytes") long maxBytes,
                                 @PropertyInject("constellation.spool.replay-batch-size") String replayBatchSize,
                                 SinkSettings settings, RelayTransport transport, DeletionTracker deletions, SyncStats stats, SeenEvents seen,
                                 SinkWriter sinkWriter) {
        SpoolSettings spool = SpoolSettings.of(Path.of(home), spoolDir, spoolDirSuffix, segmentBytes, maxBytes, replayBatchSize);
        SinkRouter router = SinkSelector.create(settings, spool, transport, deletions, stats, seen);
        router.overlapWhile(() -> sinkWriter.queued() > 0);
        return router;
    }

    /** Counted in, counted out by the sink router: a peer's sync position waits until its events are out. */
    @BindToRegistry(lazy = true)
    public Processor enterSink(SinkRouter sinkRouter) {
        return sinkRouter::enter;
    }

    @BindToRegistry(lazy = true)
    public SinkBatchAggregation sinkBatchAggregation(@PropertyInject("constellation.sink.batch-max-bytes") long maxBytes,
                                                     @PropertyInject("constellation.frame.max-bytes") long maxFrameBytes) {
        return new SinkBatchAggregation(maxBytes, maxFrameBytes);
    }

    @BindToRegistry(lazy = true)
    public SinkWriter sinkWriter(@PropertyInject("constellation.sink.queued-batches") int queuedBatches) {
        return new SinkWriter(queuedBatches);
    }

    /** When the open batch goes to the writer; more frames queued at the live peers make it wait for them. */
    @BindToRegistry(lazy = true)
    public SinkBatchClosing sinkBatchClosing(SinkWriter sinkWriter, @PropertyInject(BATCH_MILLIS) long batchMillis,
                                             @PropertyInject(BURST_MILLIS) long burstMillis, CamelContext context) {
        SinkBatchClosing closing = new SinkBatchClosing(sinkWriter, batchMillis, burstMillis);
        // the first peer's route creates the component
        closing.waitFor(() -> context.hasComponent("nostr-relay") instanceof NostrRelayComponent live && live.framesWaiting());
        return closing;
    }

    /** Lets the backfill and a gap closer complete the open batch instead of waiting for its interval. */
    @BindToRegistry(lazy = true)
    public DefaultAggregateController sinkBatches() {
        return new DefaultAggregateController();
    }

    /**
     * The sink route's batches ({@value #BATCH_SIZE}, {@value #BATCH_MILLIS}, {@value #BURST_MILLIS}): the operator's values when
     * set, else the defaults of the sink in use (constellation.sink.import.* or constellation.sink.relay.*),
     * known only once the sink is chosen. Read when the routes are built.
     */
    @Override
    public void configure(CamelContext context) {
        SinkRouter router = context.getRegistry().findSingleByType(SinkRouter.class);
        SinkSettings.Batching batching = context.getRegistry().findSingleByType(SinkSettings.class).batchingFor(router.sink());
        PropertiesComponent properties = context.getPropertiesComponent();
        if (properties.resolveProperty(BATCH_SIZE).isEmpty()) {
            properties.addInitialProperty(BATCH_SIZE, String.valueOf(batching.size()));
        }
        if (properties.resolveProperty(BATCH_MILLIS).isEmpty()) {
            properties.addInitialProperty(BATCH_MILLIS, String.valueOf(batching.millis()));
        }
        if (properties.resolveProperty(BURST_MILLIS).isEmpty()) {
            properties.addInitialProperty(BURST_MILLIS, String.valueOf(batching.burstMillis()));
        }
        LOG.debug("sink batches: {} events or {} ms ({} ms while a burst is queued)", properties.resolveProperty(BATCH_SIZE).orElseThrow(),
                properties.resolveProperty(BATCH_MILLIS).orElseThrow(), properties.resolveProperty(BURST_MILLIS).orElseThrow());
    }
}
