package org.astroport.constellation.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.nostr.NostrEvent;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.RecordingSocket;
import org.junit.jupiter.api.Test;

/**
 * The backlog a peer holds for us, measured before closing to drain: a probe REQ (an id no event has)
 * whose EOSE comes behind what the peer buffered, the chars read before it, and the growth between
 * two answers.
 */
class PeerSessionBacklogTest {

    private static final long NOW = Fixtures.REFERENCE_TIME;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RecordingSocket socket = new RecordingSocket("ws://127.0.0.2:7777");
    private final PeerSession session = HandDrivenSessions.kindOne("backlog-peer", "ws://127.0.0.2:7777", new PeerSession.Timing(600, 3600, 500, 1000, 10),
            HandDrivenSessions.noPositions((since, until) -> {
                throw new AssertionError("no gap here");
            }), new PeerSession.Delivery() {
                public void deliver(String eventJson, String subscriptionId, boolean live) {
                }

                public void checkpoint(long cycle, Map<String, Long> candidate) {
                }
            });
    private int notes;

    /** Live: the subscription's stored events ended (EOSE). Returns its id. */
    private String live() throws Exception {
        session.onOpen(socket);
        String sub = JSON.readTree(socket.sent().get(0)).get(1).asText();
        session.onFrame(socket, "[\"EOSE\",\"" + sub + "\"]");
        return sub;
    }

    /** Live events on the subscription; returns the chars fed. */
    private long events(String sub, int n) {
        long chars = 0;
        for (int i = 0; i < n; i++) {
            NostrEvent e = EventSigner.sign(Fixtures.secretOf("member-1"), NOW - 5, 1, List.of(), "live note " + (++notes));
            String frame = "[\"EVENT\",\"" + sub + "\"," + e.toJson() + "]";
            session.onFrame(socket, frame);
            chars += frame.length();
        }
        return chars;
    }

    private List<String> sent(String type) {
        return socket.sent().stream().filter(f -> f.startsWith("[\"" + type + "\"")).toList();
    }

    /** The probe asked last: its id, after checking it asks for one id that no event has. */
    private String probe() throws Exception {
        List<String> reqs = sent("REQ");
        JsonNode req = JSON.readTree(reqs.get(reqs.size() - 1));
        assertTrue(req.get(1).asText().startsWith("probe~"), "a probe REQ: " + req);
        assertEquals("0".repeat(64), req.get(2).get("ids").get(0).asText(), "for an id no event has: " + req);
        return req.get(1).asText();
    }

    private long answer(String probe) {
        String eose = "[\"EOSE\",\"" + probe + "\"]";
        session.onFrame(socket, eose);
        return eose.length();
    }

    @Test
    void aBacklogUnderTheLimitKeepsTheSubscriptionOpenAndEachProbeIsClosedOnceAnswered() throws Exception {
        String sub = live();
        assertFalse(session.closeToDrain(100_000), "nothing measured yet: a probe goes out, nothing is closed");
        String first = probe();
        long backlog = events(sub, 20) + answer(first);
        assertTrue(sent("CLOSE").contains("[\"CLOSE\",\"" + first + "\"]"), "the answered probe is closed (a REQ outlives its EOSE)");
        assertEquals(backlog, session.lastBacklogChars(), "what was read before its EOSE");
        assertFalse(session.measuringBacklog());

        assertFalse(session.closeToDrain(100_000), "the peer held under the limit for us");
        String second = probe();
        assertTrue(!second.equals(first) && session.measuringBacklog(), "the next measure has a probe of its own");
        assertFalse(sent("CLOSE").contains("[\"CLOSE\",\"" + sub + "\"]"), "the live subscription stays open");
    }

    @Test
    void pastTheLimitReadBeforeTheProbesAnswerTheSubscriptionIsClosed() throws Exception {
        String sub = live();
        assertFalse(session.closeToDrain(5_000));
        String probe = probe();
        long read = events(sub, 2);
        assertTrue(read < 5_000);
        assertFalse(session.closeToDrain(5_000), "under the limit so far");
        while (read <= 5_000) {
            read += events(sub, 1);
        }
        assertTrue(session.closeToDrain(5_000), "over the limit read and no EOSE yet: the peer held at least that much");
        assertTrue(sent("CLOSE").contains("[\"CLOSE\",\"" + sub + "\"]"), "the live subscription is closed");
        assertTrue(session.lastBacklogChars() > 5_000);
        answer(probe);
        assertTrue(sent("CLOSE").contains("[\"CLOSE\",\"" + probe + "\"]"), "its late answer is closed too");
        assertFalse(session.closeToDrain(5_000), "closed already, until drained");
    }

    /**
     * Two probes answered, the first after n1 events, the second, 10 ms later, after n2 events and 100 ms (ten
     * times the gap before it); returns the two backlogs measured.
     */
    private long[] twoAnswers(String sub, int n1, int n2) throws Exception {
        session.closeToDrain(1_000_000);
        long first = events(sub, n1) + answer(probe());
        Thread.sleep(10);
        session.closeToDrain(1_000_000);
        String probe = probe();
        long second = events(sub, n2);
        Thread.sleep(100);
        return new long[] {first, second + answer(probe)};
    }

    @Test
    void aBacklogGrowingBetweenTwoAnswersIsClosedBeforeAnyMeasureReachesTheLimit() throws Exception {
        String sub = live();
        long[] answers = twoAnswers(sub, 5, 40);
        long first = answers[0];
        long second = answers[1];
        assertTrue(second > first);
        // growth since the first answer, times the second's latency (at least a quarter of the time between answers)
        long limit = second + (second - first) / 4;
        assertFalse(sent("CLOSE").contains("[\"CLOSE\",\"" + sub + "\"]"));
        assertTrue(session.closeToDrain(limit), "projected past the limit by the next answer: closed now, though each measure was under it");
        assertTrue(sent("CLOSE").contains("[\"CLOSE\",\"" + sub + "\"]"));
    }

    @Test
    void aBacklogThatDoesNotGrowIsNotProjected() throws Exception {
        String sub = live();
        long[] answers = twoAnswers(sub, 20, 10);
        long first = answers[0];
        assertTrue(answers[1] < first);
        assertFalse(session.closeToDrain(first + 1), "a shrinking backlog under the limit: the subscription stays open");
        assertFalse(sent("CLOSE").contains("[\"CLOSE\",\"" + sub + "\"]"));
    }
}
