package org.astroport.constellation.fuzz;

import static org.astroport.constellation.testsupport.RunningApp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.astroport.constellation.ingest.PeerStats;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.nostr.NostrEvent;
import org.astroport.constellation.relay.NostrRelayConsumer;
import org.astroport.constellation.sync.LiveSyncTest;
import org.astroport.constellation.sync.PeerRoutes;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.RunningApp;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer sends thousands of mutated frames over the wire: the daemon reads every one, decides every
 * event it delivers, throws nothing, and still takes the next good event (no stall).
 */
class HostilePeerFuzzTest {

    static final int FRAMES = Integer.getInteger("fuzz.wire-frames", 3000);

    @Test
    void mutatedFramesOverTheWire(@TempDir Path tmp) throws Exception {
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").recordFrames(false).start();
             TestRelay local = new TestRelay().start()) {
            Map<String, String> settings = LiveSyncTest.appSettings(tmp, local, false);
            settings.put("constellation.live.checkpoint-millis", "200");
            try (RunningApp app = RunningApp.start(ZenHome.withPeers(tmp, peerA.url(), "ws://127.0.0.3:1"), settings)) {
                PeerRoutes routes = app.bean("peerRoutes", PeerRoutes.class);
                await("caught up with peer A", 15_000, () -> {
                    NostrRelayConsumer c = routes.consumer("peer-astroport.example-a.test");
                    return c != null && c.session() != null && c.session().caughtUp();
                });
                NostrRelayConsumer consumer = routes.consumer("peer-astroport.example-a.test");
                PeerStats stats = app.bean("syncStats", SyncStats.class).peer("astroport.example-a.test");
                long framesBefore = consumer.framesSeen();
                FrameMutator mutator = new FrameMutator(42L, "cs-0");
                for (int i = 0; i < FRAMES; i++) {
                    peerA.sendRaw(mutator.next());
                }
                await("every frame read", 60_000, () -> consumer.framesSeen() - framesBefore >= FRAMES);
                // a good event after the storm arrives (a forged CLOSED may have ended our subscription: we ask again)
                NostrEvent fresh = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 5, 1, List.of(), "after the storm");
                peerA.publish(fresh.toJson());
                await("the next good event reaches the local relay", 60_000, () -> local.storedIds().contains(fresh.id()));
                await("the pipeline is idle", 10_000, () -> consumer.queued() == 0);
                Map<String, Long> invalid = stats.invalidByReason();
                long refusedFrames = invalid.getOrDefault("malformed-frame", 0L) + invalid.getOrDefault("unknown-subscription", 0L)
                        + invalid.getOrDefault("frame-error", 0L);
                System.out.println("wire fuzz: " + (consumer.framesSeen() - framesBefore) + " frames read, " + stats.receivedCount()
                        + " events received, refused " + invalid + ", filtered " + stats.filteredByReason() + ", duplicates " + stats.duplicates());
                assertEquals(stats.receivedCount() + refusedFrames, stats.decided(), "every delivered event decided, every refused frame counted");
                assertEquals(0, consumer.frameErrors(), "no frame made the session throw");
                assertEquals(0, consumer.routeErrors(), "no event made the route throw");
            }
        }
    }

    /** A relay that ends our subscription is asked again a few seconds later: the peer does not go silent until a reconnect. */
    @Test
    void aClosedSubscriptionIsAskedForAgain(@TempDir Path tmp) throws Exception {
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").start();
             TestRelay local = new TestRelay().start()) {
            try (RunningApp app = RunningApp.start(ZenHome.withPeers(tmp, peerA.url(), "ws://127.0.0.3:1"), LiveSyncTest.appSettings(tmp, local, false))) {
                await("subscribed", 15_000, () -> peerA.reqs().size() == 1);
                peerA.sendRaw("[\"CLOSED\",\"cs-0\",\"error: shutting down\"]");
                peerA.closeSubscriptions(); // the relay forgets it too, as a real one does
                NostrEvent later = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 5, 1, List.of(), "after the CLOSED");
                peerA.publish(later.toJson());
                await("subscribed again", 20_000, () -> peerA.reqs().size() == 2);
                await("the event published meanwhile arrives", 10_000, () -> local.storedIds().contains(later.id()));
                assertEquals(1, peerA.connectionsAccepted(), "without reconnecting");
            }
        }
    }
}
