package org.astroport.constellation.app;

import java.nio.file.Path;
import java.time.Clock;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.Configuration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.processor.aggregate.DefaultAggregateController;
import org.astroport.constellation.backfill.BackfillRunner;
import org.astroport.constellation.backfill.BackfillSettings;
import org.astroport.constellation.backfill.LocalStore;
import org.astroport.constellation.backfill.RelayLocalStore;
import org.astroport.constellation.backfill.StrfryLocalStore;
import org.astroport.constellation.discovery.AuthorRegistry;
import org.astroport.constellation.discovery.PeerRegistry;
import org.astroport.constellation.ingest.SeenEvents;
import org.astroport.constellation.nostr.StationKey;
import org.astroport.constellation.nostr.SyncedKinds;
import org.astroport.constellation.relay.RelayTransport;
import org.astroport.constellation.relay.SubscriptionPlanner;
import org.astroport.constellation.sink.DiscardingSink;
import org.astroport.constellation.sink.SinkRouter;
import org.astroport.constellation.sink.SinkSelector;
import org.astroport.constellation.sink.SinkSettings;
import org.astroport.constellation.sink.StrfryImportSink;
import org.astroport.constellation.sync.Upstream;

/** The daily backfill (routes/backfill.camel.yaml) and the command line's: peers' history through the same ingest. */
@Configuration
public class BackfillConfiguration implements CamelConfiguration {

    @PropertyInject("constellation.home")
    private String home;

    @BindToRegistry(lazy = true)
    public BackfillSettings backfillSettings(@PropertyInject("constellation.backfill.concurrency") int concurrency,
                                             @PropertyInject("constellation.backfill.retries") int retries,
                                             @PropertyInject("constellation.backfill.retry-backoff-millis") long retryBackoffMillis,
                                             @PropertyInject("constellation.backfill.page-size") int pageSize,
                                             @PropertyInject("constellation.backfill.timeout-millis") long timeoutMillis,
                                             @PropertyInject("constellation.backfill.fallback-relays") String fallbackRelays,
                                             @PropertyInject("constellation.backfill.days") int days,
                                             @PropertyInject("constellation.backfill.negentropy") boolean negentropy,
                                             @PropertyInject("constellation.backfill.negentropy-frame-hex-chars") int negentropyFrameHexChars,
                                             @PropertyInject("constellation.backfill.negentropy-timeout-millis") long negentropyTimeoutMillis,
                                             @PropertyInject("constellation.backfill.negentropy-through-local-relay") boolean throughLocalRelay,
                                             @PropertyInject("constellation.local-relay-url") String localRelayUrl,
                                             @PropertyInject("constellation.direction") String direction) {
        // the limit is on hex characters on the wire (strfry's default: 60,000), two per message byte
        return new BackfillSettings(concurrency, retries, retryBackoffMillis, pageSize, timeoutMillis, BackfillSettings.relayList(fallbackRelays), days,
                new BackfillSettings.Negentropy(negentropy, negentropyFrameHexChars / 2, negentropyTimeoutMillis, Upstream.sendsUpstream(direction),
                        throughLocalRelay && !localRelayUrl.isBlank() ? localRelayUrl.trim() : null));
    }

    @BindToRegistry(lazy = true)
    public BackfillRunner backfill(CamelContext context, BackfillSettings settings, PeerRegistry peers, AuthorRegistry authors, SyncedKinds kinds,
                                   SubscriptionPlanner planner, RelayTransport transport, SinkRouter sink, SinkSettings sinkSettings,
                                   DefaultAggregateController batches, SeenEvents seen, Clock clock, @PropertyInject("constellation.local-relay-url") String localRelayUrl) {
        // a station without a key has none
        StationKey key = context.getRegistry().findSingleByType(StationKey.class);
        return new BackfillRunner(settings, peers, authors, kinds, new BackfillRunner.PeerAccess(planner, transport::vertx, key),
                new BackfillRunner.IngestPath(context.createProducerTemplate(), sink, batches, seen::contains), localStore(sink, sinkSettings, transport, localRelayUrl), clock,
                Path.of(home).resolve("strfry/constellation-backfill.lock"));
    }

    /** Our side of a reconciliation: the strfry database with the import sink, the local relay with the relay sink, none without a sink. */
    private LocalStore localStore(SinkRouter sink, SinkSettings sinkSettings, RelayTransport transport, String localRelayUrl) {
        if (sink.sink() instanceof DiscardingSink) {
            return null;
        }
        if (sink.sink() instanceof StrfryImportSink) {
            return new StrfryLocalStore(SinkSelector.findStrfry(sinkSettings), sinkSettings.strfryConfigFile(), sinkSettings.strfryDirectory(),
                    Path.of(home).resolve("strfry/strfry-db/data.mdb"),
                    localRelayUrl == null || localRelayUrl.isBlank() ? null : new RelayLocalStore(transport.vertx(), localRelayUrl.trim(), 5_000));
        }
        return new RelayLocalStore(transport.vertx(), localRelayUrl.trim(), 15_000);
    }
}
