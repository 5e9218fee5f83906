package org.astroport.constellation.sync;

import static org.astroport.constellation.testsupport.RunningApp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.nostr.NostrEvent;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.RunningApp;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Direction both, over real WebSockets: members' local events go to the peers, never back where they came from. */
class UpstreamTest {

    static final List<String> MEMBERS = List.of("member-1", "member-2", "member-3", "member-4", "captain", "umap-1", "geo-1", "geo-2");

    @Test
    void membersEventsGoToEveryPeerButTheOneTheyCameFrom(@TempDir Path tmp) throws Exception {
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").start();
             TestRelay peerB = new TestRelay().host("127.0.0.3").start();
             TestRelay local = new TestRelay().start()) {
            try (RunningApp app = startBoth(tmp, peerA, peerB, local)) {
                // the local subscription asks for the station's members only
                Set<String> asked = new TreeSet<>();
                for (String req : local.reqs()) {
                    JsonNode a = Fixtures.JSON.readTree(req);
                    for (int i = 2; i < a.size(); i++) {
                        a.get(i).path("authors").forEach(n -> asked.add(n.asText()));
                    }
                }
                Set<String> members = new TreeSet<>();
                MEMBERS.forEach(m -> members.add(Fixtures.pubkeyOf(m)));
                assertEquals(members, asked, "REQ authors on the local relay");

                // 1. a member publishes on the local relay: both peers get it, once
                NostrEvent mine = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 10, 1, List.of(), "published at home");
                local.publish(mine.toJson());
                await("both peers received the member's event", 10_000,
                        () -> ids(peerA.publishedByClients()).contains(mine.id()) && ids(peerB.publishedByClients()).contains(mine.id()));

                // 2. a member's event that came from peer A reaches the local relay through us: B gets it, A never
                NostrEvent fromA = EventSigner.sign(Fixtures.secretOf("member-2"), Fixtures.REFERENCE_TIME - 5, 1, List.of(), "published on peer A");
                peerA.publish(fromA.toJson());
                await("the local relay got it from peer A", 10_000, () -> local.storedIds().contains(fromA.id()));
                await("peer B received it", 10_000, () -> ids(peerB.publishedByClients()).contains(fromA.id()));
                Thread.sleep(500);
                assertFalse(ids(peerA.publishedByClients()).contains(fromA.id()), "never echoed back to the peer it came from");

                // 3. a friend's event on the local relay is not ours to push
                NostrEvent friend = EventSigner.sign(Fixtures.secretOf("amis-1"), Fixtures.REFERENCE_TIME - 4, 1, List.of(), "a friend of friends");
                local.publish(friend.toJson());
                Thread.sleep(500);
                assertFalse(ids(peerA.publishedByClients()).contains(friend.id()));
                assertFalse(ids(peerB.publishedByClients()).contains(friend.id()));

                List<String> toA = ids(peerA.publishedByClients());
                List<String> toB = ids(peerB.publishedByClients());
                assertEquals(1, toA.stream().filter(mine.id()::equals).count(), "each sent once: " + toA);
                assertEquals(List.of(mine.id(), fromA.id()), toB);
                Upstream up = app.bean("upstream", Upstream.class);
                assertTrue(up.echoesAvoided() >= 1, "the echo was avoided and counted");
                java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
                java.net.URI metrics = java.net.URI.create("http://127.0.0.1:" + app.managementPort + "/observe/metrics");
                await("upstream series on /observe/metrics", 15_000, () -> {
                    try {
                        String body = http.send(java.net.http.HttpRequest.newBuilder(metrics).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                        return body.contains("constellation_upstream_sent_total{peer=\"station-b.example.test\"} 2.0")
                                && body.contains("constellation_upstream_echoes_avoided_total 1.0");
                    } catch (Exception e) {
                        return false;
                    }
                });
            }
        }
    }

    /** A peer that never reads: what we queue for it stays bounded, the rest is counted, and other peers still get everything. */
    @Test
    void aPeerThatNeverReadsCannotGrowOurBuffers(@TempDir Path tmp) throws Exception {
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").start();
             TestRelay peerB = new TestRelay().host("127.0.0.3").start();
             TestRelay local = new TestRelay().start()) {
            try (RunningApp app = startBoth(tmp, peerA, peerB, local)) {
                peerA.freezeAll();
                String filler = "x".repeat(50_000);
                List<String> sent = new java.util.ArrayList<>();
                for (int i = 0; i < 400; i++) { // 18 MB of members' events
                    NostrEvent e = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 250 + i / 2, 1, List.of(), i + filler);
                    sent.add(e.id());
                    local.publish(e.toJson());
                }
                Upstream up = app.bean("upstream", Upstream.class);
                PeerRoutes routes = app.bean("peerRoutes", PeerRoutes.class);
                var connA = routes.consumer("peer-astroport.example-a.test").connection();
                long maxPending = 0;
                long start = System.currentTimeMillis();
                long deadline = start + 90_000;
                while (System.currentTimeMillis() < deadline && !ids(peerB.publishedByClients()).containsAll(sent)) {
                    maxPending = Math.max(maxPending, connA.pendingBytes());
                    Thread.sleep(5);
                }
                assertTrue(ids(peerB.publishedByClients()).containsAll(sent), "the reading peer got every event: " + peerB.publishedByClients().size()
                        + " of " + sent.size() + "; sent " + up.sentByPeer() + ", not reading " + up.peersNotReading() + ", offline " + up.peersOffline());
                System.out.println("frozen peer: " + (System.currentTimeMillis() - start) + " ms, sent " + up.sentByPeer() + ", held back " + up.peersNotReading());
                assertTrue(up.peersNotReading() > 0, "events held back from the frozen peer are counted");
                assertTrue(maxPending <= org.astroport.constellation.relay.SendWindow.MAX_UNWRITTEN_BYTES + 60_000, "unwritten bytes for the frozen peer: " + maxPending);
            }
        }
    }

    /** The daemon with direction both, once both peers and the local relay have its subscriptions. */
    static RunningApp startBoth(Path tmp, TestRelay peerA, TestRelay peerB, TestRelay local) throws Exception {
        Map<String, String> settings = LiveSyncTest.appSettings(tmp, local, false);
        settings.put("constellation.direction", "both");
        RunningApp app = RunningApp.start(ZenHome.withPeers(tmp, peerA.url(), peerB.url()), settings);
        await("both peers and the local relay are subscribed", 15_000,
                () -> peerA.liveConnections() == 1 && peerB.liveConnections() == 1 && !local.reqs().isEmpty());
        return app;
    }

    @Test
    void pullOnlyNeverSubscribesToTheLocalRelay(@TempDir Path tmp) throws Exception {
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").start();
             TestRelay local = new TestRelay().start()) {
            Path home = ZenHome.copyTo(tmp.resolve("zen"));
            ZenHome.setPeerRelay(home, ZenHome.PEER_A, peerA.url());
            try (RunningApp app = RunningApp.start(home, LiveSyncTest.appSettings(tmp, local, false))) {
                await("peer A subscribed", 15_000, () -> !peerA.reqs().isEmpty());
                NostrEvent mine = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 10, 1, List.of(), "published at home");
                local.publish(mine.toJson());
                Thread.sleep(800);
                assertTrue(local.reqs().isEmpty(), "no subscription on the local relay: " + local.reqs());
                assertFalse(ids(peerA.publishedByClients()).contains(mine.id()));
            }
        }
    }

    static List<String> ids(List<String> events) {
        return events.stream().map(e -> {
            try {
                return Fixtures.JSON.readTree(e).get("id").asText();
            } catch (Exception x) {
                throw new IllegalStateException(x);
            }
        }).toList();
    }
}
