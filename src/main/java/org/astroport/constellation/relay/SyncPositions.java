package org.astroport.constellation.relay;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each subscription of a peer stands: the epoch second before which every event it matches has
 * been received and safely taken downstream. Sessions propose checkpoints; this decides when they hold
 * and keeps them. A session resumes from here after a reconnect or a restart.
 */
public interface SyncPositions {

    /** The peer's positions, subscription id to epoch second; empty when it was never synced. */
    Map<String, Long> positions(String peer);

    /**
     * Called on the peer's worker thread once every event received before the checkpoint has gone
     * through the route: the candidate positions hold once those events are safe. {@code cycle} is the
     * value of {@link #cycle()} when the session's catch-up began.
     */
    void checkpoint(String peer, long cycle, Map<String, Long> candidate);

    /** Changes when accepted events were lost downstream: sessions of an older cycle must catch up again. */
    long cycle();

    /**
     * Closes a long gap (everything the peer has between since and until) by set reconciliation;
     * completes with true once those events are safe, false when it could not.
     */
    CompletableFuture<Boolean> closeGap(String peer, String url, String authRelayUrl, long since, long until);

    /** Positions that hold as soon as they are proposed, kept in memory: for consumers with no sink behind them. */
    static SyncPositions inMemory() {
        return new SyncPositions() {
            private final Map<String, Map<String, Long>> all = new ConcurrentHashMap<>();

            @Override
            public Map<String, Long> positions(String peer) {
                return Map.copyOf(all.getOrDefault(peer, Map.of()));
            }

            @Override
            public void checkpoint(String peer, long cycle, Map<String, Long> candidate) {
                all.compute(peer, (k, v) -> {
                    Map<String, Long> m = v == null ? new HashMap<>() : new HashMap<>(v);
                    candidate.forEach((sub, t) -> m.merge(sub, t, Math::max));
                    return m;
                });
            }

            @Override
            public long cycle() {
                return 0;
            }

            @Override
            public CompletableFuture<Boolean> closeGap(String peer, String url, String authRelayUrl, long since, long until) {
                return CompletableFuture.completedFuture(false);
            }
        };
    }
}
