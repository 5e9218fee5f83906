package org.astroport.constellation.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.astroport.constellation.testsupport.RouteFilesTestSupport;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Test;

/**
 * routes/discovery.camel.yaml on the real registries: what the station-files routes make of a changed
 * descriptor and a new key list. Where they send it (direct:peer-changed, direct:authors-changed, the
 * live-sync routes) is mocked.
 */
class DiscoveryRouteTest extends RouteFilesTestSupport {

    static final String NEW_KEY = "4f0c1e2d3b4a59687766554433221100ffeeddccbbaa99887766554433221100";

    DiscoveryRouteTest() {
        super("discovery.camel.yaml");
    }

    @Override
    protected void settings(Properties settings) {
        settings.setProperty("constellation.discovery.poll-millis", "100");
    }

    @Override
    public void configureContext(CamelContextConfiguration context) {
        super.configureContext(context);
        context.withMockEndpointsAndSkip("direct:(peer|authors)-changed");
    }

    @Test
    void aDescriptorPointingElsewhereChangesThePeer() throws Exception {
        context.start();
        MockEndpoint peerChanged = getMockEndpoint("mock:direct:peer-changed");
        peerChanged.expectedMessagesMatches(e -> e.getMessage().getBody() instanceof PeerChange c && c.type() == PeerChange.Type.CHANGED
                && c.peer().id().equals(ZenHome.PEER_A) && "ws://127.0.0.9:7777".equals(c.peer().dialUrl()));
        // the exchange starts in the station-files route that polls tmp/swarm, then goes to discover-descriptor-file
        NotifyBuilder read = new NotifyBuilder(context).fromRoute("discover-swarm").whenCompleted(1).create();

        ZenHome.setPeerRelay(home, ZenHome.PEER_A, "ws://127.0.0.9:7777");

        assertTrue(read.matches(10, TimeUnit.SECONDS), "the tmp/swarm route read the changed descriptor");
        peerChanged.assertIsSatisfied(5_000);
        assertEquals("ws://127.0.0.9:7777", context.getRegistry().findSingleByType(PeerRegistry.class).peer(ZenHome.PEER_A).dialUrl());
    }

    @Test
    void aNewMembersKeyIsMonitoredAndAnnouncedOnce() throws Exception {
        context.start();
        MockEndpoint authorsChanged = getMockEndpoint("mock:direct:authors-changed");
        authorsChanged.expectedMessageCount(1);
        // debounced: one announcement for the change, none after it
        authorsChanged.setAssertPeriod(1_000);
        NotifyBuilder read = new NotifyBuilder(context).fromRoute("discover-multipass").whenCompleted(1).create();

        Path hex = home.resolve("game/nostr/newcomer@example.test/HEX");
        Files.createDirectories(hex.getParent());
        Files.writeString(hex, NEW_KEY + "\n");

        assertTrue(read.matches(10, TimeUnit.SECONDS), "the game/nostr route read the new key file");
        authorsChanged.assertIsSatisfied(5_000);
        assertTrue(context.getRegistry().findSingleByType(AuthorRegistry.class).isMonitored(NEW_KEY));
    }
}
