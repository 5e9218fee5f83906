package org.astroport.constellation.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.astroport.constellation.ingest.SinkEvent;
import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.nostr.NostrEvent;
import org.astroport.constellation.sink.StrfryImportSink;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.StrfryProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * mvn -B -Pbench test -Dtest=StrfryImportBench (needs STRFRY_BIN): what the import sink can take.
 * 100,000 signed events go through {@link StrfryImportSink} (one long-lived `strfry import --no-verify
 * --debounce-millis=N` child for all batches) into a fresh database, for several batch sizes and
 * debounce delays, three rounds in rotating order; prints the median events/s and the median p50/p99
 * time of one write() (a batch from the sink's call to strfry's acknowledgement) per setting.
 * -Dbench.import.configs=500@25,5000@25,... (batch size @ debounce ms) picks the settings;
 * -Dbench.relay=false skips the relay sink's comparison run.
 */
@Tag("bench")
@EnabledIfEnvironmentVariable(named = StrfryProcess.ENV, matches = ".+")
class StrfryImportBench {

    static final String CONFIGS = "500@5,1000@0,1000@5,1000@25,2000@5,5000@5";

    @Test
    void importSinkThroughputByBatchSize(@TempDir Path tmp) throws Exception {
        String[] authors = {"member-1", "member-2", "member-3", "captain"};
        List<SinkEvent> events = IntStream.range(0, 100_000).parallel().mapToObj(i -> {
            NostrEvent e = EventSigner.sign(Fixtures.secretOf(authors[i % 4]), Fixtures.REFERENCE_TIME - 3000 + (i % 3000), 1,
                    List.of(List.of("t", "bench")), "import event " + i + " with some ordinary note text to look like a real post");
            return SinkEvent.of(e, "bench", 0);
        }).toList();
        List<String> configs = List.of(System.getProperty("bench.import.configs", CONFIGS).split(","));
        Map<String, List<double[]>> results = new java.util.LinkedHashMap<>();
        configs.forEach(c -> results.put(c, new ArrayList<>()));
        int run = 0;
        for (int round = 0; round < 3; round++) {
            for (int j = 0; j < configs.size(); j++) {
                String config = configs.get((j + round) % configs.size());
                int size = Integer.parseInt(config.substring(0, config.indexOf('@')).trim());
                int debounce = Integer.parseInt(config.substring(config.indexOf('@') + 1).trim());
                StrfryProcess local = StrfryProcess.create(tmp.resolve("run-" + run++));
                StrfryImportSink sink = new StrfryImportSink(local.bin(), local.config(), null, Duration.ofSeconds(120), debounce);
                double[] writeMillis = new double[(events.size() + size - 1) / size];
                long start = System.nanoTime();
                for (int from = 0, b = 0; from < events.size(); from += size, b++) {
                    long t = System.nanoTime();
                    sink.write(events.subList(from, Math.min(events.size(), from + size)));
                    writeMillis[b] = (System.nanoTime() - t) / 1e6;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                sink.close();
                assertEquals(events.size(), local.storedIds().size(), "every event stored");
                java.util.Arrays.sort(writeMillis);
                results.get(config).add(new double[] {events.size() / seconds, writeMillis[writeMillis.length / 2],
                        writeMillis[Math.min(writeMillis.length - 1, (int) (writeMillis.length * 0.99))], sink.commits()});
            }
        }
        results.forEach((config, r) -> System.out.printf(
                "BENCH strfry import sink (one child), batches of %s ms debounce: median %,.0f events/s (runs: %s); one write p50 %.1f ms, p99 %.1f ms;"
                        + " %,.0f strfry commits (medians)%n",
                config.replace("@", " events, "), median(r, 0), r.stream().map(x -> String.format("%,.0f", x[0])).toList(), median(r, 1), median(r, 2),
                median(r, 3)));
        if (!Boolean.parseBoolean(System.getProperty("bench.relay", "true"))) {
            return;
        }
        // the other sink, for comparison: EVENT to a strfry relay, waiting for every OK (strfry verifies again)
        List<Double> relayRates = new ArrayList<>();
        io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
        try {
            for (int round = 0; round < 3; round++) {
                try (StrfryProcess local = StrfryProcess.create(tmp.resolve("relay-" + round)).startRelay()) {
                    org.astroport.constellation.sink.RelayPublishSink sink = new org.astroport.constellation.sink.RelayPublishSink(vertx, local.url(), 30_000);
                    org.astroport.constellation.testsupport.RunningApp.await("connected", 10_000, () -> {
                        try {
                            sink.write(List.of());
                            return true;
                        } catch (Exception notYet) {
                            return false;
                        }
                    });
                    long start = System.nanoTime();
                    for (int from = 0; from < events.size(); from += 500) {
                        sink.write(events.subList(from, Math.min(events.size(), from + 500)));
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    sink.close();
                    assertEquals(events.size(), local.storedIds().size(), "every event stored");
                    relayRates.add(events.size() / seconds);
                }
            }
        } finally {
            vertx.close();
        }
        System.out.printf("BENCH strfry relay sink (EVENT, wait for OK), batches of 500: median %,.0f events/s (runs: %s)%n", Median.of(relayRates),
                relayRates.stream().map(x -> String.format("%,.0f", x)).toList());
    }

    static double median(List<double[]> runs, int column) {
        return Median.of(runs.stream().mapToDouble(x -> x[column]).toArray());
    }
}
