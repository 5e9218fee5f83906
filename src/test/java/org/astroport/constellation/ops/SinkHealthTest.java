package org.astroport.constellation.ops;

import static org.astroport.constellation.testsupport.RunningApp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.management.ObjectName;

import org.apache.camel.health.HealthCheck;
import org.astroport.constellation.ingest.DeletionTracker;
import org.astroport.constellation.ingest.SinkEvent;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.sink.EventSink;
import org.astroport.constellation.sink.SinkRouter;
import org.astroport.constellation.sink.Spool;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.RunningApp;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Health tells the truth about the sink before any event needs it: probed on a timer, both sinks, and a hung write. */
class SinkHealthTest {

    static final ObjectName SINK = name("org.astroport.constellation:type=Sink");

    static Map<String, String> settings(Path tmp) {
        Map<String, String> m = new HashMap<>();
        m.put("constellation.live.enabled", "false"); // no peer, so no event: only the probe can tell
        m.put("constellation.ipfs.bin", tmp.resolve("no-ipfs").toString());
        m.put("constellation.spool.dir", tmp.resolve("spool").toString());
        m.put("constellation.health.sink-down-seconds", "1");
        m.put("constellation.sink.probe-millis", "200");
        m.put("constellation.spool.replay-period-millis", "200");
        return m;
    }

    @Test
    void relaySinkWithNothingListeningIsDownUntilTheRelayComes(@TempDir Path tmp) throws Exception {
        int port = RunningApp.freePort();
        Map<String, String> settings = settings(tmp);
        settings.put("constellation.sink.mode", "relay");
        settings.put("constellation.local-relay-url", "ws://127.0.0.1:" + port);
        try (RunningApp app = RunningApp.start(ZenHome.copyTo(tmp.resolve("zen")), settings)) {
            String health = base(app) + "/observe/health";
            await("health DOWN with no local relay", 10_000, () -> get(health).statusCode() == 503);
            assertTrue(get(health).body().contains("is not connected"), get(health).body());
            assertEquals(Boolean.FALSE, ManagementFactory.getPlatformMBeanServer().getAttribute(SINK, "Up"));
            assertEquals(0, app.bean("sinkRouter", SinkRouter.class).batches(), "no event was ever written");
            String metrics = get(base(app) + "/observe/metrics").body();
            for (String series : List.of("constellation_sink_up 0.0", "constellation_spool_full 0.0", "constellation_spool_corrupt_lines_total 0.0",
                    "constellation_spool_bytes 0.0")) {
                assertTrue(metrics.contains(series), series + " in\n" + metrics);
            }
            assertTrue(metrics.matches("(?s).*constellation_sink_probe_failures_total [1-9].*"), metrics);
            try (TestRelay local = new TestRelay().start(port)) {
                await("health UP once the local relay listens", 20_000, () -> get(health).statusCode() == 200);
                assertEquals(Boolean.TRUE, ManagementFactory.getPlatformMBeanServer().getAttribute(SINK, "Up"));
            }
        }
    }

    @Test
    void importSinkIsDownWhileStrfrysDatabaseDirectoryIsMissing(@TempDir Path tmp) throws Exception {
        Path strfry = Files.writeString(tmp.resolve("strfry"), "#!/bin/sh\ncat > /dev/null\n");
        assertTrue(strfry.toFile().setExecutable(true));
        Path db = tmp.resolve("strfry-db");
        Path conf = Files.writeString(tmp.resolve("strfry.conf"), "db = \"" + db + "/\"\nrelay {\n    port = 7777\n}\n");
        Map<String, String> settings = settings(tmp);
        settings.put("constellation.sink.mode", "import");
        settings.put("constellation.strfry.bin", strfry.toString());
        settings.put("constellation.strfry.config", conf.toString());
        try (RunningApp app = RunningApp.start(ZenHome.copyTo(tmp.resolve("zen")), settings)) {
            String health = base(app) + "/observe/health";
            await("health DOWN without the database", 10_000, () -> get(health).statusCode() == 503);
            assertTrue(get(health).body().contains("database directory"), get(health).body());
            Files.createDirectories(db);
            await("health UP once the database is there", 10_000, () -> get(health).statusCode() == 200);
            // and the binary going away is seen as well
            Files.delete(strfry);
            await("health DOWN without the binary", 10_000, () -> get(health).statusCode() == 503);
            assertTrue(get(health).body().contains("not executable"), get(health).body());
        }
    }

    @Test
    void aWriteHungPastTheThresholdTurnsHealthDown(@TempDir Path tmp) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        EventSink hung = new org.astroport.constellation.testsupport.NamedSink("a sink that does not answer") {
            @Override
            public Result write(List<SinkEvent> batch) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new Result(batch.size(), Map.of());
            }
        };
        SinkRouter router = new SinkRouter(hung, new Spool(tmp.resolve("spool"), 8 << 20), new DeletionTracker(100), new SyncStats(), 500);
        ConstellationHealth.Sink health = new ConstellationHealth.Sink(router, 300);
        Thread writer = new Thread(() -> router.write(List.of(new SinkEvent("a".repeat(64), "b".repeat(64), 1, 1, "{}", "peer", 0))));
        writer.start();
        try {
            await("a write in progress", 5_000, () -> router.writingSinceMillis() > 0);
            assertEquals(HealthCheck.State.UP, health.call().getState(), "within the threshold");
            await("DOWN past the threshold", 5_000, () -> health.call().getState() == HealthCheck.State.DOWN);
            assertTrue(health.call().getMessage().orElse("").contains("has been running for"), health.call().getMessage().toString());
        } finally {
            release.countDown();
            writer.join(5_000);
        }
        assertEquals(HealthCheck.State.UP, health.call().getState(), "the write returned");
    }

    static String base(RunningApp app) {
        return "http://127.0.0.1:" + app.managementPort;
    }

    static HttpResponse<String> get(String url) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectName name(String s) {
        try {
            return new ObjectName(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
