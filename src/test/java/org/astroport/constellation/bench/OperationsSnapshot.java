package org.astroport.constellation.bench;

import static org.astroport.constellation.testsupport.RunningApp.await;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

import org.astroport.constellation.sync.LiveSyncTest;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.RunningApp;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mvn -B -Pbench test -Dtest=OperationsSnapshot : prints what an operator sees (our MBeans, the
 * health and metrics endpoints) after the fixture has synced; the README's examples come from it.
 */
@Tag("bench")
class OperationsSnapshot {

    @Test
    void printWhatAnOperatorSees(@TempDir Path tmp) throws Exception {
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").requireAuth(true).start();
             TestRelay peerB = new TestRelay().host("127.0.0.3").start();
             TestRelay local = new TestRelay().start()) {
            Fixtures.validLines().forEach(peerA::storeOnly);
            Path home = ZenHome.withPeers(tmp, peerA.url(), peerB.url());
            try (RunningApp app = RunningApp.start(home, LiveSyncTest.appSettings(tmp, local, false))) {
                await("synced", 20_000, () -> local.storedCount() >= 229);
                HttpClient http = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + app.managementPort;
                await("per-peer series registered", 15_000, () -> {
                    try {
                        return http.send(HttpRequest.newBuilder(URI.create(base + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString())
                                .body().contains("constellation_events_filtered_total");
                    } catch (Exception e) {
                        return false;
                    }
                });
                MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
                for (String type : new String[] {"Peers", "Authors", "Sink", "Backfill"}) {
                    ObjectName name = new ObjectName("org.astroport.constellation:type=" + type);
                    System.out.println("SNAPSHOT " + name);
                    for (MBeanAttributeInfo a : mbs.getMBeanInfo(name).getAttributes()) {
                        System.out.println("SNAPSHOT   " + a.getName() + " = " + show(mbs.getAttribute(name, a.getName())));
                    }
                }
                for (String path : new String[] {"/observe/health", "/observe/metrics"}) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
                    System.out.println("SNAPSHOT GET " + path + " -> " + r.statusCode());
                    r.body().lines().filter(l -> !path.endsWith("metrics") || l.contains("constellation_"))
                            .forEach(l -> System.out.println("SNAPSHOT   " + l));
                }
            }
        }
    }

    private static String show(Object v) {
        if (v instanceof String[] a) {
            return String.join("\nSNAPSHOT       ", a);
        }
        if (v instanceof TabularData t) {
            StringBuilder b = new StringBuilder("{");
            for (Object row : t.values()) {
                CompositeData c = (CompositeData) row;
                b.append(b.length() > 1 ? ", " : "").append(c.get("key")).append('=').append(c.get("value"));
            }
            return b.append('}').toString();
        }
        return String.valueOf(v);
    }
}
