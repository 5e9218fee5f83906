package org.astroport.constellation.relay;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.astroport.constellation.testsupport.Fixtures;

/** A PeerSession to drive by hand (a RecordingSocket, frames fed in): kind 1 from anyone, the clock at the fixtures' now. */
final class HandDrivenSessions {

    private HandDrivenSessions() {
    }

    /** No saved position (from the live lookback on), checkpoints dropped; gap closes go to {@code gaps}. */
    static SyncPositions noPositions(java.util.function.BiFunction<Long, Long, java.util.concurrent.CompletableFuture<Boolean>> gaps) {
        return new SyncPositions() {
            public java.util.Map<String, Long> positions(String peer) {
                return java.util.Map.of();
            }

            public void checkpoint(String peer, long cycle, java.util.Map<String, Long> candidate) {
            }

            public long cycle() {
                return 0;
            }

            public java.util.concurrent.CompletableFuture<Boolean> closeGap(String peer, String url, String authRelayUrl, long since, long until) {
                return gaps.apply(since, until);
            }
        };
    }

    static PeerSession kindOne(String peer, String url, PeerSession.Timing timing, SyncPositions positions, PeerSession.Delivery delivery) {
        return kindOneBy(null, peer, url, timing, positions, delivery);
    }

    /** The same, for these authors only (null: anyone). */
    static PeerSession kindOneBy(List<String> authors, String peer, String url, PeerSession.Timing timing, SyncPositions positions,
                                 PeerSession.Delivery delivery) {
        return new PeerSession(peer, url, url, new PeerSession.Wants() {
            public List<Integer> kinds() {
                return List.of(1);
            }

            public List<String> authors() {
                return authors;
            }
        }, new SubscriptionPlanner(SubscriptionPlanner.Limits.strfryDefaults()), null,
                Clock.fixed(Instant.ofEpochSecond(Fixtures.REFERENCE_TIME), ZoneOffset.UTC), timing, positions, delivery);
    }
}
