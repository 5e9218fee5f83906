package org.astroport.constellation.sync;

import static org.astroport.constellation.testsupport.RunningApp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Path;

import org.astroport.constellation.discovery.Peer;
import org.astroport.constellation.discovery.PeerChange;
import org.astroport.constellation.discovery.PeerState;
import org.astroport.constellation.relay.NostrRelayConsumer;
import org.astroport.constellation.relay.NostrRelayEndpoint;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.RunningApp;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A peer's URL reaches its route as an object: whatever it spells, it sets no endpoint option. */
class PeerRouteTargetTest {

    static final String ID = "12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo";

    @Test
    void aRelayUrlSpellingEndpointOptionsSetsNone(@TempDir Path tmp) throws Exception {
        try (TestRelay local = new TestRelay().start();
             TestRelay relay = new TestRelay().host("127.0.0.2").start()) {
            Path home = ZenHome.withPeers(tmp, "ws://127.0.0.2:1", "ws://127.0.0.3:1"); // the fixture's peers: down
            try (RunningApp app = RunningApp.start(home, LiveSyncTest.appSettings(tmp, local, false))) {
                PeerRoutes routes = app.bean("peerRoutes", PeerRoutes.class);
                // discovery refuses such a URL; were one to get through, the route still takes it as one URL
                String url = relay.url() + "/?v=1&maxMessageBytes=64";
                Peer p = new Peer(ID, ID, url, "injected", null, null, null, Fixtures.REFERENCE_TIME, 0, PeerState.ROUTABLE, "routable", "", 0, null);
                routes.onPeerChange(new PeerChange(PeerChange.Type.ADDED, p, null));
                NostrRelayConsumer consumer = routes.consumer("peer-injected");
                assertNotNull(consumer, "route made: " + routes.routes());
                NostrRelayEndpoint endpoint = (NostrRelayEndpoint) consumer.getEndpoint();
                assertEquals(url, endpoint.getConfiguration().dialUrl());
                assertEquals(1 << 20, endpoint.getConfiguration().getMaxMessageBytes());
                assertEquals(50, endpoint.getConfiguration().getInitialBackoffMillis(), "the setting, not the URL's");
                assertFalse(endpoint.getEndpointUri().contains("maxMessageBytes"), endpoint.getEndpointUri());
                await("it dials that URL", 5000, () -> relay.connectionsAccepted() >= 1);
            }
        }
    }
}
