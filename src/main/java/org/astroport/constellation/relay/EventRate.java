package org.astroport.constellation.relay;

/**
 * At most so many events per second handed on, with bursts of up to one second's worth: a peer
 * consumer asks before each batch how long to wait. Counted in events because a batch holds many
 * (the throttle EIP counts exchanges).
 */
final class EventRate {

    private static final long BURST_NANOS = 1_000_000_000L;

    private final long nanosPerEvent;
    // when everything handed on so far is paid for at the rate
    private long paidUntil = Long.MIN_VALUE / 2;

    /** @param perSecond events per second; 0 or less: no limit */
    EventRate(int perSecond) {
        this.nanosPerEvent = perSecond <= 0 ? 0 : 1_000_000_000L / perSecond;
    }

    /** Takes {@code events} from the budget; returns how many nanoseconds to wait before handing them on. */
    long reserve(int events, long nowNanos) {
        if (nanosPerEvent == 0) {
            return 0;
        }
        paidUntil = Math.max(paidUntil, nowNanos - BURST_NANOS) + events * nanosPerEvent;
        return Math.max(0, paidUntil - nowNanos);
    }
}
