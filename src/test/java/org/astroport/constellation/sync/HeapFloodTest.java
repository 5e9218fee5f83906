package org.astroport.constellation.sync;

import static org.astroport.constellation.sync.NoLossTest.T;
import static org.astroport.constellation.sync.NoLossTest.awaitExactly;
import static org.astroport.constellation.testsupport.Fixtures.ids;
import static org.astroport.constellation.testsupport.RunningApp.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.AppProcess;
import org.astroport.constellation.testsupport.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A monitored author floods 60 KB events against a sink that takes 100 ms per batch, the daemon on the
 * launcher's JVM options (-Xmx160m): no OutOfMemoryError, nothing lost. Memory is bounded in bytes
 * (the peer's queue, the batches), not only in events.
 */
class HeapFloodTest {

    /** The default sink: strfry import, here a stand-in that takes 100 ms every 50 events (3 MB) and keeps what it reads. */
    @Test
    void sixtyKilobyteEventsAgainstASlowStrfryImport(@TempDir Path tmp) throws Exception {
        List<String> flood = flood();
        Path imported = tmp.resolve("imported.ndjson");
        Path db = java.nio.file.Files.createDirectories(tmp.resolve("strfry-db"));
        Path config = java.nio.file.Files.writeString(tmp.resolve("strfry.conf"), "db = \"" + db + "/\"\n");
        Path strfry = org.astroport.constellation.testsupport.FakeStrfry.importer(tmp.resolve("strfry"), imported, "",
                "NR % 50 == 0 { system(\"sleep 0.1\") }");
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").recordFrames(false).start();
             TestRelay unused = new TestRelay().start()) {
            Map<String, String> s = NoLossTest.settings(tmp, unused, T);
            s.put("constellation.node-id", Fixtures.LOCAL_NODE_ID);
            s.put("camel.management.enabled", "false");
            s.put("constellation.sink.mode", "import");
            s.put("constellation.strfry.bin", strfry.toString());
            s.put("constellation.strfry.config", config.toString());
            try (AppProcess app = AppProcess.start(tmp, AppProcess.launcherJvmOptions(), s, "--home", NoLossTest.home(tmp, peerA).toString(), "run")) {
                await("subscribed", 60_000, () -> !peerA.reqs().isEmpty());
                flood.forEach(peerA::publish);
                java.util.Set<String> want = ids(flood);
                await("strfry import took all " + want.size(), 180_000, () -> importedIds(imported).containsAll(want));
                System.out.printf("60 KB flood into a slow strfry import: %d events (%d MB), peak RSS %d MB%n", flood.size(),
                        flood.size() * 60 / 1000, app.peakRssKb() / 1024);
                assertTrue(app.isAlive(), "the daemon is still running");
                assertFalse(app.output().contains("OutOfMemoryError"), "no OutOfMemoryError");
                // bounded in events only (before), the same flood peaked at 298-312 MB here; bounded in bytes, 206-224 MB
                assertTrue(app.peakRssKb() < 280 * 1024, "peak RSS " + app.peakRssKb() / 1024 + " MB");
            }
        }
    }

    static java.util.Set<String> importedIds(Path file) {
        java.util.Set<String> out = new java.util.HashSet<>();
        try {
            if (java.nio.file.Files.exists(file)) {
                for (String line : java.nio.file.Files.readAllLines(file)) {
                    if (line.length() > 80 && line.startsWith("{")) {
                        out.add(org.astroport.constellation.relay.EventPeek.of(line).id());
                    }
                }
            }
        } catch (Exception e) {
            // partly written: next time
        }
        return out;
    }

    static List<String> flood() {
        String filler = "z".repeat(60_000);
        return IntStream.range(0, 2000).parallel()
                .mapToObj(i -> EventSigner.sign(Fixtures.secretOf("captain"), T - 500 + i / 10, 1, List.of(), i + filler).toJson()).toList();
    }

    @Test
    void sixtyKilobyteEventsAgainstASlowRelay(@TempDir Path tmp) throws Exception {
        List<String> flood = flood();
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").recordFrames(false).start();
             TestRelay local = new TestRelay().okDelayMillis(100).recordFrames(false).start()) {
            Map<String, String> s = NoLossTest.settings(tmp, local, T);
            s.put("constellation.node-id", Fixtures.LOCAL_NODE_ID);
            s.put("camel.management.enabled", "false");
            List<String> jvm = new ArrayList<>(AppProcess.launcherJvmOptions());
            try (AppProcess app = AppProcess.start(tmp, jvm, s, "--home", NoLossTest.home(tmp, peerA).toString(), "run")) {
                await("subscribed", 60_000, () -> !peerA.reqs().isEmpty());
                flood.forEach(peerA::publish);
                awaitExactly(local, ids(flood), 180_000);
                System.out.printf("60 KB flood: %d events (%d MB) through a 100 ms/batch sink, peak RSS %d MB%n", flood.size(),
                        flood.size() * 60 / 1000, app.peakRssKb() / 1024);
                assertTrue(app.isAlive(), "the daemon is still running");
                assertFalse(app.output().contains("OutOfMemoryError"), "no OutOfMemoryError");
                assertTrue(app.peakRssKb() < 280 * 1024, "peak RSS " + app.peakRssKb() / 1024 + " MB");
            }
        }
    }
}
