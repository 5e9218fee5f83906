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
        PeerSession session = session(null, (since, until) -> {
            throw new AssertionError("no gap: the catch-up pages");
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
    static String frameBy(String member, String subId, long age, String note) {
        NostrEvent e = EventSigner.sign(Fixtures.secretOf(member), NOW - age, 1, List.of(), note + " " + age);
        return "[\"EVENT\",\"" + subId + "\"," + e.toJson() + "]";
    }

    /**
     * A second holding more events than the relay's page: {@code until} cannot page inside it, so the rest of
     * that second is asked for by halves of the filter (one author each), paging goes on below it, and a half
     * that still comes back full (one author, one kind: nothing left to cut) is handed to reconciliation. Before,
     * the page went on from the second before, and the rest of that second was never asked for.
     */
    @Test
    void aSecondHoldingMoreThanAPageIsAskedForInHalvesThenReconciled() throws Exception {
        String a = Fixtures.pubkeyOf("member-1");
        String b = Fixtures.pubkeyOf("member-2");
        RecordingSocket socket = new RecordingSocket("ws://127.0.0.2:7777");
        List<long[]> gaps = new java.util.ArrayList<>();
        PeerSession session = session(List.of(a, b), (since, until) -> {
            gaps.add(new long[] {since, until});
            return new CompletableFuture<>();
        });
        session.onOpen(socket);
        // the first page: full, its oldest 30 s back; the second, from there: full again, all of that one second
        String req = lastReq(socket);
        session.onFrame(socket, frameBy("member-1", req, 10, "stored"));
        session.onFrame(socket, frameBy("member-2", req, 30, "stored"));
        session.onFrame(socket, frameBy("member-1", req, 30, "stored"));
        session.onFrame(socket, "[\"EOSE\",\"" + req + "\"]");
        JsonNode second = filterOf(socket);
        assertEquals(NOW - 30, second.get("until").asLong());
        req = lastReq(socket);
        for (String m : List.of("member-1", "member-2", "member-2")) {
            session.onFrame(socket, frameBy(m, req, 30, "same second " + m));
        }
        session.onFrame(socket, "[\"EOSE\",\"" + req + "\"]");

        // the pages that follow, one at a time: member-1's half of that second comes back full, the rest empty
        List<JsonNode> asked = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            asked.add(filterOf(socket));
            req = lastReq(socket);
            if (i == 0) {
                for (int k = 0; k < 3; k++) {
                    session.onFrame(socket, frameBy("member-1", req, 30, "half " + k));
                }
            }
            session.onFrame(socket, "[\"EOSE\",\"" + req + "\"]");
        }
        assertEquals(List.of(a), authorsOf(asked.get(0)));
        assertEquals(List.of(b), authorsOf(asked.get(1)));
        for (JsonNode half : asked.subList(0, 2)) {
            assertEquals(NOW - 30, half.get("since").asLong(), "a half covers that one second: " + half);
            assertEquals(NOW - 30, half.get("until").asLong(), "a half covers that one second: " + half);
        }
        assertEquals(NOW - 31, asked.get(2).get("until").asLong(), "paging goes on below that second: " + asked.get(2));
        assertEquals(NOW - 3600, asked.get(2).get("since").asLong());
        assertEquals(1, gaps.size(), "one author's second that is still full goes to reconciliation");
        assertEquals(NOW - 30, gaps.get(0)[0]);
        assertEquals(NOW - 30, gaps.get(0)[1]);
        assertEquals(0, session.beyondReach());
    }

    /**
     * One author, one kind, a second holding more than a page: nothing left to cut, so reconciliation gets that
     * second. When the peer cannot reconcile, the catch-up pages everything by REQ, and the same second is then
     * logged and counted (beyond_reach in Peers.Connections), not skipped without a word.
     */
    @Test
    void aSecondNoFilterCanCutGoesToReconciliationAndIsCountedWhenThePeerCannot() throws Exception {
        RecordingSocket socket = new RecordingSocket("ws://127.0.0.2:7777");
        List<CompletableFuture<Boolean>> gaps = new java.util.ArrayList<>();
        PeerSession session = session(List.of(Fixtures.pubkeyOf("member-1")), (since, until) -> {
            assertEquals(NOW - 30, since);
            assertEquals(NOW - 30, until);
            CompletableFuture<Boolean> f = new CompletableFuture<>();
            gaps.add(f);
            return f;
        });
        session.onOpen(socket);
        fullSecondTwice(session, socket, "first");
        assertEquals(1, gaps.size(), "the second goes to reconciliation");
        assertEquals(0, session.beyondReach());

        gaps.get(0).complete(false); // the peer cannot reconcile: everything is paged by REQ from now on
        fullSecondTwice(session, socket, "again");
        assertEquals(1, gaps.size(), "no reconciliation is asked of a peer that cannot do it");
        assertEquals(1, session.beyondReach(), "the second REQ paging cannot reach whole is counted");
    }

    /** The REQ's first page and the page after it: 3 events each (a full page), all 30 s old. */
    private static void fullSecondTwice(PeerSession session, RecordingSocket socket, String note) throws Exception {
        for (int page = 0; page < 2; page++) {
            String req = lastReq(socket);
            for (int k = 0; k < 3; k++) {
                session.onFrame(socket, frameBy("member-1", req, 30, note + " " + page + "/" + k));
            }
            session.onFrame(socket, "[\"EOSE\",\"" + req + "\"]");
        }
    }

    /**
     * Kind 1 by these authors (null: anyone), no saved position (from the live lookback on), a relay page of 3
     * events, pages enough to never hand the window to reconciliation; gap closes go to {@code gaps}.
     */
    private static PeerSession session(List<String> authors, java.util.function.BiFunction<Long, Long, CompletableFuture<Boolean>> gaps) {
        SyncPositions positions = HandDrivenSessions.noPositions(gaps);
        return HandDrivenSessions.kindOneBy(authors, "paging-peer", "ws://127.0.0.2:7777", new PeerSession.Timing(600, 3600, 3, 1000, 10), positions,
                new PeerSession.Delivery() {
                    public void deliver(String eventJson, String subscriptionId, boolean live) {
                    }

                    public void checkpoint(long cycle, Map<String, Long> candidate) {
                    }
                });
    }

    private static String lastReq(RecordingSocket socket) throws Exception {
        List<String> reqs = socket.sent().stream().filter(f -> f.startsWith("[\"REQ\"")).toList();
        return JSON.readTree(reqs.get(reqs.size() - 1)).get(1).asText();
    }

    private static JsonNode filterOf(RecordingSocket socket) throws Exception {
        List<String> reqs = socket.sent().stream().filter(f -> f.startsWith("[\"REQ\"")).toList();
        return JSON.readTree(reqs.get(reqs.size() - 1)).get(2);
    }

    private static List<String> authorsOf(JsonNode filter) {
        List<String> out = new java.util.ArrayList<>();
        filter.get("authors").forEach(x -> out.add(x.asText()));
        return out;
    }
}
