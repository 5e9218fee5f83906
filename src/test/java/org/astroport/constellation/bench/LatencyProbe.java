package org.astroport.constellation.bench;

import static org.astroport.constellation.testsupport.RunningApp.await;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.astroport.constellation.sink.SinkRouter;
import org.astroport.constellation.sync.LiveSyncTest;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.RunningApp;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** In-process latency split: receipt-to-sink inside the app versus peer-publish-to-sink overall. */
@Tag("bench")
class LatencyProbe {

    @Test
    void probe(@TempDir Path tmp) throws Exception {
        List<String> events = LiveSyncBench.sign(2000, org.astroport.constellation.testsupport.Fixtures.REFERENCE_TIME - 3000, "probe");
        Map<String, Long> published = new ConcurrentHashMap<>();
        Map<String, Long> arrived = new ConcurrentHashMap<>();
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").start();
             TestRelay peerB = new TestRelay().host("127.0.0.3").start();
             TestRelay local = new TestRelay().verifyEvents(false).onClientEvent(arrived::putIfAbsent).start()) {
            Path home = ZenHome.withPeers(tmp, peerA.url(), peerB.url());
            try (RunningApp app = RunningApp.start(home, LiveSyncTest.appSettings(tmp, local, false))) {
                await("subscribed", 10_000, () -> !peerA.reqs().isEmpty());
                Thread.sleep(500);
                long start = System.nanoTime();
                for (int i = 0; i < events.size(); i++) {
                    long due = start + i * 5_000_000L;
                    while (System.nanoTime() < due) {
                        Thread.onSpinWait();
                    }
                    published.put(events.get(i).substring(7, 71), System.nanoTime());
                    peerA.publish(events.get(i));
                }
                await("all", 30_000, () -> published.keySet().stream().allMatch(arrived::containsKey));
                double[] lat = published.entrySet().stream().mapToDouble(e -> (arrived.get(e.getKey()) - e.getValue()) / 1e6).sorted().toArray();
                SinkRouter s = app.bean("sinkRouter", SinkRouter.class);
                System.out.printf("BENCH probe 200/s: overall p50 %.1f p99 %.1f ms; inside the app (receipt to sink) p50 %.1f p99 %.1f ms%n",
                        lat[lat.length / 2], lat[(int) (lat.length * 0.99)], s.latency().percentileMillis(50), s.latency().percentileMillis(99));
            }
        }
    }
}
