package org.astroport.constellation.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.nostr.NostrEvent;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.RecordingSocket;
import org.junit.jupiter.api.Test;

/**
 * A catch-up page answered with live events mixed in before its EOSE (relays may send a new event on a
 * subscription before they finish its stored ones; our test relay does). Seen in LiveSyncBench: a live
 * event 2,988 s old arrived among the newest stored page, the next page was asked from there, and the
 * stored events between the page and it (about 20,000) were never asked for.
 */
class PeerSessionPagingTest {

    private static final long NOW = Fixtures.REFERENCE_TIME;
    private static final ObjectMapper JSON = new ObjectMapper();

    static String frame(String subId, long age, String note) {
        NostrEvent e = EventSigner.sign(Fixtures.secretOf("member-1"), NOW - age, 1, List.of(), note + " " + age);
        return "[\"EVENT\",\"" + subId + "\"," + e.toJson() + "]";
    }

    @Test
    void aLiveEventBeforeEoseDoesNotMoveWhereTheNextPageStarts() throws Exception {
        RecordingSocket socket = new RecordingSocket("ws://127.0.0.2:7777");
        SyncPositions positions = new SyncPositions() {
            public Map<String, Long> positions(String peer) {
                return Map.of(); // none yet: from the live lookback on
            }

            public void checkpoint(String peer, long cycle, Map<String, Long> candidate) {
            }

            public long cycle() {
                return 0;
            }

            public CompletableFuture<Boolean> closeGap(String peer, String url, String authRelayUrl, long since, long until) {
                throw new AssertionError("no gap: the catch-up pages");
            }
        };
        PeerSession session = HandDrivenSessions.kindOne("paging-peer", "ws://127.0.0.2:7777",
                // the relay's page: 3 events per filter; pages enough to never hand the window to reconciliation
                new PeerSession.Timing(600, 3600, 3, 1000, 10), positions, new PeerSession.Delivery() {
                    public void deliver(String eventJson, String subscriptionId, boolean live) {
                    }

                    public void checkpoint(long cycle, Map<String, Long> candidate) {
                    }
                });

        session.onOpen(socket);
        List<String> reqs = socket.sent().stream().filter(f -> f.startsWith("[\"REQ\"")).toList();
        assertEquals(1, reqs.size());
        String subId = JSON.readTree(reqs.get(0)).get(1).asText();

        // the stored page, newest first (10, 20, 30 s old), with a new event 3,000 s old sent live among them
        session.onFrame(socket, frame(subId, 10, "stored"));
        session.onFrame(socket, frame(subId, 20, "stored"));
        session.onFrame(socket, frame(subId, 3000, "live, published meanwhile"));
        session.onFrame(socket, frame(subId, 30, "stored"));
        session.onFrame(socket, "[\"EOSE\",\"" + subId + "\"]");

        List<String> pages = socket.sent().stream().filter(f -> f.startsWith("[\"REQ\"")).skip(1).toList();
        assertEquals(1, pages.size(), "a full page may have been cut: the next one is asked for");
        JsonNode filter = JSON.readTree(pages.get(0)).get(2);
        assertEquals(NOW - 30, filter.get("until").asLong(),
                "the next page goes on from the page's own oldest stored event, not from the live one: " + filter);
        assertEquals(NOW - 3600, filter.get("since").asLong());
    }
}
