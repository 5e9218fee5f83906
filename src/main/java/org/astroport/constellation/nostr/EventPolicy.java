package org.astroport.constellation.nostr;

import java.time.Clock;
import java.util.Optional;

/** Rules a validly signed event must still pass before we store it: not from the future, not too big. */
public final class EventPolicy {

    /** strfry's default maxEventSize. */
    public static final int DEFAULT_MAX_EVENT_BYTES = 65_536;
    public static final long DEFAULT_MAX_FUTURE_SECONDS = 900;

    private final Clock clock;
    private final long maxFutureSeconds;
    private final int maxEventBytes;

    public EventPolicy() {
        this(Clock.systemUTC(), DEFAULT_MAX_FUTURE_SECONDS, DEFAULT_MAX_EVENT_BYTES);
    }

    public EventPolicy(Clock clock, long maxFutureSeconds, int maxEventBytes) {
        this.clock = clock;
        this.maxFutureSeconds = maxFutureSeconds;
        this.maxEventBytes = maxEventBytes;
    }

    public Optional<Rejection> check(NostrEvent e, int wireBytes) {
        if (wireBytes > maxEventBytes) {
            return Optional.of(new Rejection(RejectReason.TOO_LARGE, "event is " + wireBytes + " bytes, over the " + maxEventBytes + "-byte limit"));
        }
        long now = clock.millis() / 1000;
        if (e.createdAt() > now + maxFutureSeconds) {
            return Optional.of(new Rejection(RejectReason.FUTURE, "created_at " + e.createdAt() + " is " + (e.createdAt() - now) + " s in the future (limit " + maxFutureSeconds + " s)"));
        }
        return Optional.empty();
    }

    public int maxEventBytes() {
        return maxEventBytes;
    }
}
