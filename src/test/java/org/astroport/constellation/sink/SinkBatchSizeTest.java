package org.astroport.constellation.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.apache.camel.processor.aggregate.AggregateProcessor;
import org.apache.camel.support.DefaultExchange;
import org.astroport.constellation.testsupport.RunningApp;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sink route's batches: large and rarer for strfry import (a process per batch), small for EVENT publish, the operator's value first. */
class SinkBatchSizeTest {

    /** [completion size, completion timeout in ms] of the sink route's aggregator, the spool's replay batch, the wait for a queued burst. */
    long[] batching(Path tmp, String mode, String configured) throws Exception {
        Path home = ZenHome.copyTo(tmp.resolve("zen"));
        Path strfry = Files.writeString(tmp.resolve("strfry"), "#!/bin/sh\nexit 1\n");
        strfry.toFile().setExecutable(true);
        Map<String, String> settings = new HashMap<>();
        settings.put("constellation.live.enabled", "false");
        settings.put("constellation.ipfs.bin", tmp.resolve("no-ipfs").toString());
        settings.put("constellation.spool.dir", tmp.resolve("spool").toString());
        settings.put("constellation.sink.mode", mode);
        settings.put("constellation.strfry.bin", strfry.toString());
        settings.put("constellation.local-relay-url", "ws://127.0.0.2:1");
        if (configured != null) {
            settings.put("constellation.sink.batch-size", configured);
        }
        try (RunningApp app = RunningApp.start(home, settings)) {
            AggregateProcessor aggregator = app.context().getRoute("sink").filter("*").stream().filter(AggregateProcessor.class::isInstance)
                    .map(AggregateProcessor.class::cast).findFirst().orElseThrow();
            // completion by the joined list's size: "... >= <batch size> || ..."
            String predicate = String.valueOf(aggregator.getCompletionPredicate());
            String bySize = predicate.substring(predicate.indexOf(">=") + 2, predicate.indexOf("||"));
            // the inactivity timeout, as sinkBatchClosing gives it with no frames queued
            long timeout = aggregator.getCompletionTimeoutExpression().evaluate(new DefaultExchange(app.context()), Long.class);
            return new long[] {Long.parseLong(bySize.replaceAll("\\D", "")), timeout,
                    app.bean("sinkRouter", SinkRouter.class).replayBatchSize(),
                    Long.parseLong(app.context().getPropertiesComponent().resolveProperty("constellation.sink.burst-millis").orElseThrow())};
        }
    }

    @Test
    void importBatchesTakeABurstInFewCommits(@TempDir Path tmp) throws Exception {
        assertArrayEquals(new long[] {5000, 10, 5000, 100}, batching(tmp, "import", null));
    }

    @Test
    void relayBatchesStaySmall(@TempDir Path tmp) throws Exception {
        assertArrayEquals(new long[] {500, 25, 500, 0}, batching(tmp, "relay", null));
    }

    @Test
    void theOperatorsValueWins(@TempDir Path tmp) throws Exception {
        assertEquals(1234, batching(tmp, "import", "1234")[0]);
    }
}
