package org.astroport.constellation.app;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.astroport.constellation.discovery.AuthorRegistry;
import org.astroport.constellation.ingest.DeletionTracker;
import org.astroport.constellation.ingest.EventGate;
import org.astroport.constellation.ingest.SeenEvents;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.nostr.EventParser;
import org.astroport.constellation.nostr.EventPolicy;
import org.astroport.constellation.nostr.SyncedKinds;

/**
 * The rules every received event passes (routes/ingest.camel.yaml), the dedupe memory and the
 * counters. The steps are processors: a bean call with method binding cost ~15 % of ingest CPU.
 */
@Configuration
public class IngestConfiguration implements CamelConfiguration {

    @BindToRegistry(lazy = true)
    public SyncStats syncStats() {
        return new SyncStats();
    }

    @BindToRegistry(lazy = true)
    public DeletionTracker deletionTracker(@PropertyInject("constellation.deletions.capacity") int capacity) {
        return new DeletionTracker(capacity);
    }

    @BindToRegistry(lazy = true)
    public SeenEvents seenEvents(@PropertyInject("constellation.dedupe.capacity") int capacity) {
        SeenEvents seen = new SeenEvents(capacity);
        seen.start();
        return seen;
    }

    @BindToRegistry(lazy = true)
    public EventGate eventGate(@PropertyInject("constellation.frame.max-bytes") int frameMaxBytes, @PropertyInject("constellation.event.max-future-seconds") long maxFutureSeconds,
                               @PropertyInject("constellation.event.max-bytes") int eventMaxBytes, @PropertyInject("constellation.content-filters") String contentFilters,
                               @PropertyInject("constellation.ingest.verify-threads") String verifyThreads,
                               Clock clock, SyncedKinds kinds, AuthorRegistry authors, DeletionTracker deletions, SyncStats stats, SeenEvents seen,
                               CamelContext context) {
        Set<Integer> kindSet = Set.copyOf(kinds.list());
        int threads;
        try {
            threads = verifyThreads.isBlank() ? Runtime.getRuntime().availableProcessors() - 1 : Integer.parseInt(verifyThreads.trim());
        } catch (NumberFormatException e) {
            threads = -1;
        }
        if (threads < 0) {
            throw new IllegalArgumentException("constellation.ingest.verify-threads must be blank (cores - 1) or a number 0 or more, not '" + verifyThreads + "'");
        }
        // Camel's manager shuts the pool down with the context
        ExecutorService verifiers = threads == 0 ? null : context.getExecutorServiceManager().newFixedThreadPool(this, "verify", threads);
        return new EventGate(new EventParser(frameMaxBytes), new EventPolicy(clock, maxFutureSeconds, eventMaxBytes), () -> kindSet, authors, authors::blacklist,
                phrases(contentFilters.trim()), deletions, stats, seen, verifiers, threads);
    }

    @BindToRegistry(lazy = true)
    public org.apache.camel.Processor screenEvents(EventGate gate) {
        return gate::screen;
    }

    @BindToRegistry(lazy = true)
    public org.apache.camel.Processor admitEvents(EventGate gate) {
        return gate::admit;
    }

    @BindToRegistry(lazy = true)
    public org.apache.camel.Processor forwardOnce(EventGate gate) {
        return gate::forwardOnce;
    }

    /** constellation.content-filters: literal phrases separated by '|'. */
    static List<String> phrases(String configured) {
        List<String> out = new ArrayList<>();
        for (String phrase : configured.split("\\|")) {
            if (!phrase.isEmpty()) {
                out.add(phrase);
            }
        }
        return out;
    }
}
