package org.astroport.constellation.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.nostr.NostrEvent;
import org.astroport.constellation.sink.SinkEvent;
import org.astroport.constellation.sink.StrfryImportSink;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.StrfryProcess;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * mvn -B -Pbench test -Dtest=StrfryImportBench (needs STRFRY_BIN): what the import sink can take.
 * 100,000 signed events go through {@link StrfryImportSink} (one `strfry import --no-verify` run per
 * batch) into a fresh database, for several batch sizes, three rounds in rotating order; prints the
 * median events/s per batch size. Each run pays a process start, so the batch size sets the ceiling.
 */
@Tag("bench")
@EnabledIfEnvironmentVariable(named = StrfryProcess.ENV, matches = ".+")
class StrfryImportBench {

    static final int[] BATCH_SIZES = {500, 1000, 2000, 5000};

    @Test
    void importSinkThroughputByBatchSize(@TempDir Path tmp) throws Exception {
        String[] authors = {"member-1", "member-2", "member-3", "captain"};
        List<SinkEvent> events = IntStream.range(0, 100_000).parallel().mapToObj(i -> {
            NostrEvent e = EventSigner.sign(Fixtures.secretOf(authors[i % 4]), Fixtures.REFERENCE_TIME - 3000 + (i % 3000), 1,
                    List.of(List.of("t", "bench")), "import event " + i + " with some ordinary note text to look like a real post");
            return SinkEvent.of(e, "bench", 0);
        }).toList();
        Map<Integer, List<Double>> rates = new TreeMap<>();
        int run = 0;
        for (int round = 0; round < 3; round++) {
            for (int j = 0; j < BATCH_SIZES.length; j++) {
                int size = BATCH_SIZES[(j + round) % BATCH_SIZES.length];
                StrfryProcess local = StrfryProcess.create(tmp.resolve("run-" + run++));
                StrfryImportSink sink = new StrfryImportSink(local.bin(), local.config(), null, Duration.ofSeconds(120));
                long start = System.nanoTime();
                for (int from = 0; from < events.size(); from += size) {
                    sink.write(events.subList(from, Math.min(events.size(), from + size)));
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                assertEquals(events.size(), local.storedIds().size(), "every event stored");
                rates.computeIfAbsent(size, k -> new ArrayList<>()).add(events.size() / seconds);
            }
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
        List<Double> sortedRelay = relayRates.stream().sorted().toList();
        System.out.printf("BENCH strfry relay sink (EVENT, wait for OK), batches of 500: median %,.0f events/s (runs: %s)%n", sortedRelay.get(1),
                relayRates.stream().map(x -> String.format("%,.0f", x)).toList());
        rates.forEach((size, r) -> {
            List<Double> sorted = r.stream().sorted().toList();
            System.out.printf("BENCH strfry import sink, batches of %,d: median %,.0f events/s (runs: %s)%n", size, sorted.get(sorted.size() / 2),
                    r.stream().map(x -> String.format("%,.0f", x)).toList());
        });
    }
}
