package org.astroport.constellation.ops;

import static org.astroport.constellation.testsupport.RunningApp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.rmi.registry.LocateRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;

import org.astroport.constellation.sync.LiveSyncTest;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.LogCapture;
import org.astroport.constellation.testsupport.RunningApp;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator sees: MBeans over a real JMX connection, metrics and health over HTTP, logs without secrets. */
class OperationsTest {

    @Test
    void jmxMetricsHealthAndNoSecretInTheLogs(@TempDir Path tmp) throws Exception {
        LogCapture logs = new LogCapture();
        int rmiPort = RunningApp.freePort();
        LocateRegistry.createRegistry(rmiPort);
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + rmiPort + "/jmxrmi");
        JMXConnectorServer jmxServer = JMXConnectorServerFactory.newJMXConnectorServer(url, null, ManagementFactory.getPlatformMBeanServer());
        jmxServer.start();
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").requireAuth(true).start();
             TestRelay peerB = new TestRelay().host("127.0.0.3").start();
             TestRelay local = new TestRelay().start()) {
            Fixtures.validLines().forEach(peerA::storeOnly);
            Path home = ZenHome.withPeers(tmp, peerA.url(), peerB.url());
            Map<String, String> settings = new HashMap<>(LiveSyncTest.appSettings(tmp, local, false));
            settings.put("constellation.health.sink-down-seconds", "1");
            try (RunningApp app = RunningApp.start(home, settings)) {
                await("synced", 20_000, () -> local.storedCount() >= 229);

                try (JMXConnector jmx = JMXConnectorFactory.connect(url)) {
                    MBeanServerConnection c = jmx.getMBeanServerConnection();
                    ObjectName peers = new ObjectName("org.astroport.constellation:type=Peers");
                    assertEquals(2, c.getAttribute(peers, "ConnectedCount"));
                    String[] connections = (String[]) c.getAttribute(peers, "Connections");
                    assertTrue(String.join("\n", connections).contains("peer-astroport.example-a.test OPEN " + peerA.url()), String.join("\n", connections));
                    assertEquals(32, c.getAttribute(new ObjectName("org.astroport.constellation:type=Authors"), "MonitoredCount"));
                    ObjectName sink = new ObjectName("org.astroport.constellation:type=Sink");
                    assertEquals(229L, c.getAttribute(sink, "Written"));
                    assertEquals(Boolean.TRUE, c.getAttribute(sink, "Up"));
                    assertTrue(((String) c.getAttribute(new ObjectName("org.astroport.constellation:type=Backfill"), "NextRun")).contains("0 0 12 * * ?"));
                    // Camel's own MBeans show the per-peer route by name
                    Set<ObjectName> routes = c.queryNames(new ObjectName("org.apache.camel:type=routes,*"), null);
                    assertTrue(routes.stream().anyMatch(n -> n.toString().contains("peer-astroport.example-a.test")), routes.toString());
                    // operations
                    int before = peerA.connectionsAccepted();
                    assertEquals(Boolean.TRUE, c.invoke(peers, "reconnect", new Object[] {"astroport.example-a.test"}, new String[] {String.class.getName()}));
                    await("reconnected through JMX", 5_000, () -> peerA.connectionsAccepted() > before);
                    assertEquals(0, c.invoke(sink, "replaySpool", new Object[0], new String[0]));
                }

                HttpClient http = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + app.managementPort;
                await("metrics registered", 10_000, () -> get(http, base + "/observe/metrics").body().contains("constellation_events_filtered_total"));
                String metrics = get(http, base + "/observe/metrics").body();
                assertTrue(metrics.contains("constellation_events_received_total{peer=\"astroport.example-a.test\"}"), metrics);
                assertTrue(metrics.matches("(?s).*constellation_events_filtered_total\\{peer=\"astroport.example-a.test\",reason=\"content\"} [1-9].*"), metrics);
                assertTrue(metrics.contains("constellation_authors_monitored 32.0"), metrics);
                assertTrue(metrics.contains("constellation_peers_connected 2.0"), metrics);
                HttpResponse<String> health = get(http, base + "/observe/health");
                assertEquals(200, health.statusCode(), health.body());

                // the local relay goes away: events spool, and past the threshold health says DOWN
                local.stop();
                peerA.publish(org.astroport.constellation.nostr.EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 5, 1,
                        java.util.List.of(), "while the sink is down").toJson());
                org.astroport.constellation.sink.SinkRouter sr = app.bean("sinkRouter", org.astroport.constellation.sink.SinkRouter.class);
                try {
                    await("health DOWN", 10_000, () -> get(http, base + "/observe/health").statusCode() == 503);
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + " sink down since " + sr.downSinceMillis() + " spooled " + sr.spooled() + " health "
                            + get(http, base + "/observe/health?data=true").body());
                }
                assertTrue(get(http, base + "/observe/health").body().contains("DOWN"));
            }
        } finally {
            jmxServer.stop();
            logs.close();
        }
        String all = logs.text();
        assertTrue(all.contains("authenticated (NIP-42)"), "the station key was used");
        assertFalse(all.contains(Fixtures.keys().get("station").get("nsec").asText()), "nsec never logged");
        assertFalse(all.contains(Fixtures.secretOf("station")), "secret key never logged");
    }

    private static HttpResponse<String> get(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
