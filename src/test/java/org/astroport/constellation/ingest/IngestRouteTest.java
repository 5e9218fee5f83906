package org.astroport.constellation.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
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
        // and nothing more for a while: not the copies, the stranger's, the greeting, the forgery
        sink.setAssertPeriod(500);
        // one peer's batch, as its consumer hands it on: the copy in the same batch passes screen() and is caught once verified
        List<ReceivedEvent> batch = new ArrayList<>();
        for (String json : List.of(wanted.toJson(), wanted.toJson(), stranger.toJson(), greeting.toJson(), forged)) {
            batch.add(ReceivedEvent.of(json));
        }
        template.sendBodyAndHeader("direct:ingest", batch, NostrRelayConstants.PEER, PEER);
        // one event alone, as text: already forwarded, dropped before its signature is checked
        template.sendBodyAndHeader("direct:ingest", wanted.toJson(), NostrRelayConstants.PEER, PEER);
        sink.assertIsSatisfied();
        List<?> forwarded = sink.getExchanges().get(0).getMessage().getBody(List.class);
        assertEquals(1, forwarded.size());
        assertEquals(wanted.id(), ((SinkEvent) forwarded.get(0)).id());
        assertEquals(PEER, ((SinkEvent) forwarded.get(0)).origin());

        PeerStats stats = context.getRegistry().lookupByNameAndType("syncStats", SyncStats.class).peer(PEER);
        assertEquals(6, stats.receivedCount());
        assertEquals(1, stats.acceptedCount());
        assertEquals(2, stats.duplicates());
        assertEquals(Map.of("author", 1L, "content", 1L), stats.filteredByReason());
        assertEquals(1, stats.invalidTotal(), "the forgery: " + stats.invalidByReason());
    }
}
