package org.astroport.constellation.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.nostr.NostrEvent;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.RecordingSocket;
import org.junit.jupiter.api.Test;

/**
 * A catch-up that pages past its limit while an earlier gap is still being reconciled: its window can
 * reach newer events than the running gap covers, so it must be reconciled too, after the running one,
 * and no position may move before both are done. (Seen in the mirror benchmark: a drain's REQ paged
 * back past the limit while the previous drain's gap ran, its window was dropped, the position moved
 * past it and ~12,000 events never arrived.)
 */
class PeerSessionGapTest {

    private static final long NOW = Fixtures.REFERENCE_TIME;

    record GapCall(long since, long until, CompletableFuture<Boolean> result) {
    }

    @Test
    void aWindowAskedForWhileAGapRunsIsReconciledAfterItBeforeAnyCheckpoint() {
        RecordingSocket socket = new RecordingSocket("ws://127.0.0.2:7777");
        List<String> sent = socket.sent();
        List<GapCall> gaps = new ArrayList<>();
        List<Map<String, Long>> checkpoints = new ArrayList<>();
        SyncPositions positions = new SyncPositions() {
            public Map<String, Long> positions(String peer) {
                return Map.of("cs-0", NOW - 10_000); // older than the live lookback: a gap to reconcile
            }

            public void checkpoint(String peer, long cycle, Map<String, Long> candidate) {
                checkpoints.add(candidate);
            }

            public long cycle() {
                return 0;
            }

            public CompletableFuture<Boolean> closeGap(String peer, String url, String authRelayUrl, long since, long until) {
                GapCall call = new GapCall(since, until, new CompletableFuture<>());
                gaps.add(call);
                return call.result();
            }
        };
        PeerSession session = HandDrivenSessions.kindOne("gap-peer", "ws://127.0.0.2:7777",
                // 3 events before EOSE may be a cut answer; no catch-up page allowed: the rest goes to reconciliation
                new PeerSession.Timing(600, 3600, 3, 1000, 0), positions, new PeerSession.Delivery() {
                    public void deliver(String eventJson, String subscriptionId, boolean live) {
                    }

                    public void checkpoint(long cycle, Map<String, Long> candidate) {
                        checkpoints.add(candidate);
                    }
                });

        session.onOpen(socket);
        assertEquals(1, gaps.size(), "the saved position is older than the lookback: one gap");
        GapCall first = gaps.get(0);
        assertEquals(NOW - 3600 + 600, first.until(), "the first gap ends where the live REQ's margin begins");
        String req = sent.stream().filter(f -> f.startsWith("[\"REQ\"")).findFirst().orElseThrow();
        String subId = req.split("\"")[3];

        // the live REQ answers 3 events newer than the first gap's end, then EOSE: it may have been cut
        for (long age : new long[] {100, 200, 300}) {
            NostrEvent e = EventSigner.sign(Fixtures.secretOf("member-1"), NOW - age, 1, List.of(), "note " + age);
            session.onFrame(socket, "[\"EVENT\",\"" + subId + "\"," + e.toJson() + "]");
        }
        session.onFrame(socket, "[\"EOSE\",\"" + subId + "\"]");
        session.tick();
        assertEquals(1, gaps.size(), "one gap at a time per peer");
        assertTrue(checkpoints.isEmpty(), "no position moves while a gap runs");

        first.result().complete(true);
        assertEquals(2, gaps.size(), "the window asked for meanwhile is reconciled once the first gap is closed");
        GapCall second = gaps.get(1);
        assertTrue(second.since() <= NOW - 3600 && second.until() >= NOW - 300,
                "the second gap covers the paged REQ's window up to its oldest event: " + second);
        session.tick();
        assertTrue(checkpoints.isEmpty(), "no position moves before the second gap is closed: " + checkpoints);

        second.result().complete(true);
        session.tick();
        assertEquals(List.of(Map.of("cs-0", NOW)), checkpoints, "once both are closed, the subscription is live and proposes now");
        assertEquals(2, gaps.size());
    }
}
