package org.astroport.constellation.app;

import static org.astroport.constellation.testsupport.RunningApp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.camel.Route;
import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.relay.NostrRelayEndpoint;
import org.astroport.constellation.sync.LiveSyncTest;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.LogCapture;
import org.astroport.constellation.testsupport.RunningApp;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Editing a route YAML or the settings file in {@code <home>/constellation-sync/} while the daemon
 * runs: the change applies, and the peer routes made at runtime come back built from it.
 */
class HotReloadTest {

    static final String PEER_ROUTE = "peer-astroport.example-a.test";

    @Test
    void anEditedRouteAndAnEditedSettingApplyAndPeerRoutesSurvive(@TempDir Path tmp) throws Exception {
        reloadScenario(tmp, true);
    }

    @Test
    void anEditedSettingAppliesToTheBuiltInRoutes(@TempDir Path tmp) throws Exception {
        reloadScenario(tmp, false);
    }

    /**
     * The operator's order (issue 16): the daemon runs on the built-in routes; {@code constellation-sync
     * routes} copies them; a log step is added to the copied ingest route and saved. The next event a
     * peer sends goes through the edited route, once.
     */
    @Test
    void routesCopiedWhileTheDaemonRunsThenEditedApplyToTheNextEvent(@TempDir Path tmp) throws Exception {
        String early = anEventTheStationImports();
        String late = aNoteWrittenNow("written after the edit");
        String lateId = Fixtures.JSON.readTree(late).get("id").asText();
        String marker = "operator-edit-" + java.util.UUID.randomUUID();
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").start();
             TestRelay peerB = new TestRelay().host("127.0.0.3").start();
             TestRelay local = new TestRelay().start();
             LogCapture logs = new LogCapture()) {
            peerA.storeOnly(early);
            Path home = ZenHome.withPeers(tmp, peerA.url(), peerB.url());
            try (RunningApp app = RunningApp.start(home, LiveSyncTest.appSettings(tmp, local, false))) {
                await("the first event reached the local relay", 15_000, () -> local.storedCount() == 1);
                assertTrue(ingestSource(app).startsWith("classpath:"), "built-in ingest route at start: " + ingestSource(app));

                // 1. the copies, made while the daemon runs; each file saved reloads them all, then the peer
                // routes are rebuilt: settled before the edit, so that a reconnection after it is the edit's
                copyTheRoutes(home);
                await("the copies are in force", 15_000, () -> ingestSource(app).startsWith("file:"));
                int connectionsAtEdit = awaitSettled(peerA);
                // 2. the edit: a log step on the path of every event forwarded to the sink
                Path ingest = OperatorRoutes.routesDirectory(home.resolve("constellation-sync")).resolve("ingest.camel.yaml");
                String yaml = Files.readString(ingest);
                String toSink = yaml.lines().filter(l -> l.trim().equals("- to: direct:sink")).findFirst().orElseThrow();
                String indent = toSink.substring(0, toSink.indexOf('-'));
                Files.writeString(ingest, yaml.replace(toSink, indent + "- log:\n" + indent + "    message: \"" + marker + " ${body[0].id}\"\n" + toSink));

                await("the edited ingest route runs", 15_000, () -> ingestDefinition(app).contains(marker));
                assertEquals("file:" + ingest, ingestSource(app), "loaded from the operator's copy");
                await("the peer routes are rebuilt after the edit and peer A subscribed again", 30_000,
                        () -> peerA.connectionsAccepted() > connectionsAtEdit && peerA.liveConnections() == 1);
                // each copied file is reloaded in turn (its routes removed and added again): awaited, not sampled
                for (String id : List.of("sink", "peer-changed", "authors-changed", "discover-swarm", "sync-positions", PEER_ROUTE, "peer-station-b.example.test")) {
                    await("route " + id + " is there after the reloads", 15_000, () -> app.context().getRoute(id) != null);
                }

                // 3. the next event from the peer goes through the edited route, once
                Thread.sleep(300);
                peerA.publish(late);
                await("the event published after the edit reached the local relay", 15_000, () -> local.storedIds().contains(lateId));
                Thread.sleep(300);
                assertEquals(1, logs.count(marker + " " + lateId), "the edited route logged the event once:\n" + logs.text().lines().filter(l -> l.contains(marker)).toList());
                Map<String, Integer> sent = LiveSyncTest.deliveries(local);
                assertEquals(2, sent.size(), "only the two events: " + sent.keySet());
                assertTrue(sent.values().stream().allMatch(c -> c == 1), "each sent once: " + sent);

                // 4. deleting the copy brings the built-in route back
                Files.delete(ingest);
                await("the built-in ingest route is back", 15_000, () -> ingestSource(app).startsWith("classpath:") && !ingestDefinition(app).contains(marker));
            }
        }
    }

    /**
     * Peer A's connection count once it has not moved for three seconds (the rebuild comes a second after
     * the last reload) with one live connection.
     */
    static int awaitSettled(TestRelay peer) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        int seen = peer.connectionsAccepted();
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(100);
            int now = peer.connectionsAccepted();
            if (now != seen || peer.liveConnections() != 1) {
                seen = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since >= 3_000_000_000L) {
                return seen;
            }
        }
        throw new AssertionError("the reloads did not settle in 30 s: peer A accepted " + seen + " connections, " + peer.liveConnections() + " live");
    }

    static String fileRouteUri(RunningApp app, String routeId) {
        Route r = app.context().getRoute(routeId);
        return r == null ? "" : r.getEndpoint().getEndpointUri();
    }

    static String anEventTheStationImports() throws Exception {
        Set<String> importIds = Set.copyOf(LiveSyncTest.expectedImport(false));
        for (String line : Fixtures.validLines()) {
            if (importIds.contains(Fixtures.JSON.readTree(line).get("id").asText())) {
                return line;
            }
        }
        throw new AssertionError("the fixture imports no event");
    }

    /**
     * A note as the peer receives it while we are connected: a rebuilt peer route resubscribes from its
     * sync position (minus a margin), so an event days old would rightly not come live.
     */
    static String aNoteWrittenNow(String text) {
        return EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 5, 1, List.of(), text).toJson();
    }

    /** {@code constellation-sync routes}, as the operator runs it. */
    static void copyTheRoutes(Path home) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int status = CommandLine.run(new String[] {"--home", home.toString(), "--node-id", Fixtures.LOCAL_NODE_ID, "routes"}, Map.of(),
                new java.io.PrintStream(out, true), System.err);
        assertEquals(0, status);
        assertEquals(OperatorRoutes.BUILT_IN.size(), out.toString().lines().filter(l -> l.startsWith("wrote ")).count(), out.toString());
        for (String name : OperatorRoutes.BUILT_IN) {
            assertTrue(Files.isRegularFile(OperatorRoutes.routesDirectory(home.resolve("constellation-sync")).resolve(name)), name);
        }
    }

    static String ingestSource(RunningApp app) {
        Route r = app.context().getRoute("ingest");
        return r == null ? "" : r.getSourceResource().getLocation();
    }

    static String ingestDefinition(RunningApp app) {
        // the reload thread may be rebuilding the definition while we print it: read it again
        for (int attempt = 0; ; attempt++) {
            try {
                org.apache.camel.model.RouteDefinition d = app.context().getCamelContextExtension().getContextPlugin(org.apache.camel.model.Model.class).getRouteDefinition("ingest");
                return d == null ? "" : d.toString();
            } catch (java.util.ConcurrentModificationException e) {
                if (attempt == 20) {
                    throw e;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
            }
        }
    }

    void reloadScenario(Path tmp, boolean editRoutes) throws Exception {
        String early = anEventTheStationImports();
        String late = aNoteWrittenNow("written after the reloads");
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").start();
             TestRelay peerB = new TestRelay().host("127.0.0.3").start();
             TestRelay local = new TestRelay().start()) {
            peerA.storeOnly(early);
            Path home = ZenHome.withPeers(tmp, peerA.url(), peerB.url());
            Path operator = home.resolve("constellation-sync");
            if (editRoutes) {
                copyTheRoutes(home);
                Files.move(operator.resolve("routes/live-sync.camel.yaml"), operator.resolve("routes/live-sync.yaml"));
            }
            Map<String, String> settings = LiveSyncTest.appSettings(tmp, local, false);
            try (RunningApp app = RunningApp.start(home, settings)) {
                await("the first event reached the local relay", 15_000, () -> local.storedCount() == 1);
                assertEquals(2000, endpoint(app).getConfiguration().getQueueHighWatermark());
                assertEquals(500, endpoint(app).getConfiguration().getPageThreshold());
                int connectionsBefore = peerA.connectionsAccepted();

                int watermark = 2000;
                if (editRoutes) {
                    // 1. an edited route: the template now pins the queue watermark (in a copy named as
                    // copies were before *.camel.yaml, which still stands for the built-in file)
                    Path liveSync = operator.resolve("routes/live-sync.yaml");
                    String yaml = Files.readString(liveSync);
                    String target = "target: \"#{{peerTarget}}\"";
                    assertTrue(yaml.contains(target));
                    String indent = yaml.lines().filter(l -> l.contains(target)).findFirst().orElseThrow().replace(target, "");
                    Files.writeString(liveSync, yaml.replace(target, target + "\n" + indent + "queueHighWatermark: \"777\""));
                    watermark = 777;
                    await("the peer route is rebuilt from the edited template", 15_000,
                            () -> endpointOrNull(app) != null && endpointOrNull(app).getConfiguration().getQueueHighWatermark() == 777);
                    await("the rebuilt route reconnects", 10_000, () -> peerA.connectionsAccepted() > connectionsBefore && peerA.liveConnections() == 1);
                    // a save can be seen as two writes, hence two reloads: awaited, not sampled
                    for (String id : List.of("sink", "ingest", "peer-changed", "authors-changed", "peer-station-b.example.test")) {
                        await("route " + id + " is there after the reload", 15_000, () -> app.context().getRoute(id) != null);
                    }

                    // and a route made by a templatedRoute, which Camel's reload alone leaves as it was
                    Path discovery = operator.resolve("routes/discovery.camel.yaml");
                    String lists = "\"amisOfAmis.txt,blacklist.txt\"";
                    assertTrue(Files.readString(discovery).contains(lists), "the station lists' pattern");
                    Files.writeString(discovery, Files.readString(discovery).replace(lists, "\"amisOfAmis.txt,blacklist.txt,extra-keys.txt\""));
                    await("the station lists' route watches the edited pattern", 15_000, () -> fileRouteUri(app, "discover-station-lists").contains("extra-keys.txt"));
                }

                // 2. an edited setting used by the routes (the tests pin the discovery poll rate, so the
                // station file routes show it as routes made anew, with the settings of now)
                Map<String, Route> fileRoutes = new java.util.HashMap<>();
                for (String id : List.of("discover-swarm", "discover-swarm-amis", "discover-multipass", "discover-geokeys", "discover-station-lists")) {
                    fileRoutes.put(id, app.context().getRoute(id));
                }
                Files.writeString(operator.resolve(Daemon.SETTINGS_FILE), "constellation.live.page-threshold = 450\n");
                await("every station file route is made again", 15_000, () -> fileRoutes.entrySet().stream()
                        .allMatch(r -> app.context().getRoute(r.getKey()) != null && app.context().getRoute(r.getKey()) != r.getValue()));
                assertEquals(editRoutes, fileRouteUri(app, "discover-station-lists").contains("extra-keys.txt"), "the edited pattern is kept");
                // a reload adds the template beside the old one, then drops the old: one once the reloads settle
                // (a save can be seen as two writes, hence two reloads, and the second may still be under way)
                await("one station-files template, the reloaded one", 15_000, () -> app.context().getCamelContextExtension()
                        .getContextPlugin(org.apache.camel.model.Model.class).getRouteTemplateDefinitions().stream()
                        .filter(t -> t.getId().equals("station-files")).count() == 1);
                await("the peer route follows the new setting", 15_000,
                        () -> endpointOrNull(app) != null && endpointOrNull(app).getConfiguration().getPageThreshold() == 450);
                assertEquals(watermark, endpoint(app).getConfiguration().getQueueHighWatermark(), "the edited template is kept");
                assertNotNull(app.context().getRoute("peer-station-b.example.test"), "the other peer's route is there");

                // 3. the stream goes on: an event published after the reloads arrives, once
                await("peer A is subscribed again", 10_000, () -> peerA.liveConnections() == 1);
                Thread.sleep(300);
                peerA.publish(late);
                String lateId = Fixtures.JSON.readTree(late).get("id").asText();
                await("the event published after the reloads reached the local relay", 15_000, () -> local.storedIds().contains(lateId));
                Thread.sleep(300);
                Map<String, Integer> sent = LiveSyncTest.deliveries(local);
                assertEquals(2, sent.size(), "only the two events: " + sent.keySet());
                assertTrue(sent.values().stream().allMatch(c -> c == 1), "each sent once: " + sent);
            }
        }
    }

    static NostrRelayEndpoint endpoint(RunningApp app) {
        NostrRelayEndpoint e = endpointOrNull(app);
        assertNotNull(e, "route " + PEER_ROUTE + " exists");
        return e;
    }

    static NostrRelayEndpoint endpointOrNull(RunningApp app) {
        Route r = app.context().getRoute(PEER_ROUTE);
        return r != null && r.getEndpoint() instanceof NostrRelayEndpoint e ? e : null;
    }
}
