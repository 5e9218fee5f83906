package org.astroport.constellation.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.nostr.NostrEvent;
import org.astroport.constellation.relay.NostrRelayConstants;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.RouteFilesTestSupport;
import org.junit.jupiter.api.Test;

/** routes/ingest.camel.yaml on the real event gate and dedupe memory; the sink replaced by a mock. */
class IngestRouteTest extends RouteFilesTestSupport {

    static final String PEER = "peer-a";
    static final String STRANGER = "0101010101010101010101010101010101010101010101010101010101010101";

    IngestRouteTest() {
        super("ingest.camel.yaml");
    }

    @Test
    void onlyNewValidWantedEventsReachTheSinkOnceEach() throws Exception {
        AdviceWith.adviceWith(context, "ingest", route -> route.weaveByToUri("direct:sink").replace().to("mock:sink"));
        context.start();
        long at = Fixtures.REFERENCE_TIME - 10;
        NostrEvent wanted = EventSigner.sign(Fixtures.secretOf("member-1"), at, 1, List.of(), "a member's note");
        NostrEvent stranger = EventSigner.sign(STRANGER, at, 1, List.of(), "nobody here follows me");
        NostrEvent greeting = EventSigner.sign(Fixtures.secretOf("member-2"), at, 1, List.of(), "Hello NOSTR visitor. Welcome!");
        // another member's event, its content changed after signing: the id no longer matches
        String forged = EventSigner.sign(Fixtures.secretOf("member-3"), at, 1, List.of(), "as signed").toJson().replace("as signed", "as forged");

        MockEndpoint sink = getMockEndpoint("mock:sink");
        sink.expectedMessageCount(1);
        sink.expectedHeaderReceived(EventGate.EVENT_ID, wanted.id());
        // and nothing more for a while: not the copy, the stranger's, the greeting, the forgery
        sink.setAssertPeriod(500);
        for (String json : List.of(wanted.toJson(), wanted.toJson(), stranger.toJson(), greeting.toJson(), forged)) {
            template.sendBodyAndHeader("direct:ingest", json, NostrRelayConstants.PEER, PEER);
        }
        sink.assertIsSatisfied();

        PeerStats stats = context.getRegistry().lookupByNameAndType("syncStats", SyncStats.class).peer(PEER);
        assertEquals(5, stats.receivedCount());
        assertEquals(1, stats.acceptedCount());
        assertEquals(1, stats.duplicates());
        assertEquals(Map.of("author", 1L, "content", 1L), stats.filteredByReason());
        assertEquals(1, stats.invalidTotal(), "the forgery: " + stats.invalidByReason());
    }
}
