package org.astroport.constellation.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.AppProcess;
import org.astroport.constellation.testsupport.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mvn -B -Pbench test -Dtest=BackfillBench : `backfill --days 1 --no-profiles` as its own process against
 * 4 peers each holding the same 100,000 events (pages capped at 500), 90 % of them already local.
 */
@Tag("bench")
class BackfillBench {

    @Test
    void fourPeersOneHundredThousandEventsNinetyPercentLocal(@TempDir Path tmp) throws Exception {
        run(tmp, 90_000, true, "90 % local");
    }

    @Test
    void pagingOnePercentMissing(@TempDir Path tmp) throws Exception {
        run(tmp, 99_000, false, "99 % local, REQ paging");
    }

    /** Issue 7: 1 % missing locally, negentropy and then REQ paging on the same data, side by side. */
    @Test
    void negentropyVersusPagingOnePercentMissing(@TempDir Path tmp) throws Exception {
        run(tmp.resolve("neg"), 99_000, true, "99 % local, negentropy");
        run(tmp.resolve("req"), 99_000, false, "99 % local, REQ paging");
    }

    private void run(Path tmp, int local, boolean negentropy, String label) throws Exception {
        java.nio.file.Files.createDirectories(tmp);
        List<String> events = LiveSyncBench.sign(100_000, Fixtures.REFERENCE_TIME - 80_000, "backfill");
        List<JsonNode> nodes = new ArrayList<>(events.size());
        for (String e : events) {
            nodes.add(TestRelay.parseEvent(e));
        }
        List<TestRelay> peers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            TestRelay r = new TestRelay().host("127.0.0." + (2 + i)).maxLimit(500).recordFrames(false).start();
            r.storeAll(nodes);
            peers.add(r);
        }
        try (TestRelay localRelay = new TestRelay().verifyEvents(false).recordFrames(false).maxLimit(500).start()) {
            localRelay.storeAll(nodes.subList(0, local));
            Path home = LiveSyncBench.station(tmp, peers);
            Map<String, String> settings = LiveSyncBench.settings(tmp, localRelay);
            settings.put("constellation.backfill.concurrency", "4");
            settings.put("constellation.backfill.negentropy", String.valueOf(negentropy));
            long t0 = System.nanoTime();
            try (AppProcess app = AppProcess.start(tmp, LiveSyncBench.JVM, settings, "--home", home.toString(), "backfill", "--days", "1", "--no-profiles")) {
                int status = app.waitFor(1200);
                double secs = (System.nanoTime() - t0) / 1e9;
                String out = app.output();
                System.out.println(out.lines().filter(l -> l.startsWith("SYNC_")).reduce((a, b) -> a + "\n" + b).orElse(out));
                for (String name : List.of("constellation-backfill.log", "constellation-sync.log")) {
                Path log = home.resolve("strfry").resolve(name);
                if (java.nio.file.Files.exists(log) && (name.contains("backfill") || true)) {
                    java.nio.file.Files.readAllLines(log).stream().filter(l -> name.contains("backfill") || l.contains(" WARN ") || l.contains(" ERROR ") || l.contains("Sink")).filter(l -> l.contains("local event") || l.contains(" done, ") || l.contains(" WARN ") || l.contains(" ERROR ") || l.contains("Sink"))
                            .forEach(l -> System.out.println("  " + l));
                }
                }
                System.out.printf("BENCH backfill 4 peers x 100,000 events (%s): exit %d, wall %.1f s (JVM start included), "
                        + "%d new events stored locally (local relay now %d)%n", label, status, secs, localRelay.storedCount() - local, localRelay.storedCount());
            }
        } finally {
            for (TestRelay p : peers) {
                p.close();
            }
        }
    }
}
