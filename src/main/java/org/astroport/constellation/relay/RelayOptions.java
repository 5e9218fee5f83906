package org.astroport.constellation.relay;

/** Connection tuning; the defaults suit a small station talking to strfry peers. */
public record RelayOptions(long connectTimeoutMillis, long initialBackoffMillis, long maxBackoffMillis, long stableAfterMillis,
                           long pingIntervalMillis, long idleTimeoutMillis, int maxMessageBytes) {

    public static RelayOptions defaults() {
        return new RelayOptions(10_000, 1_000, 60_000, 30_000, 30_000, 90_000, 1 << 20);
    }

    public RelayOptions withBackoff(long initial, long max) {
        return new RelayOptions(connectTimeoutMillis, initial, max, stableAfterMillis, pingIntervalMillis, idleTimeoutMillis, maxMessageBytes);
    }

    public RelayOptions withIdle(long pingInterval, long idleTimeout) {
        return new RelayOptions(connectTimeoutMillis, initialBackoffMillis, maxBackoffMillis, stableAfterMillis, pingInterval, idleTimeout, maxMessageBytes);
    }

    public RelayOptions withStableAfter(long millis) {
        return new RelayOptions(connectTimeoutMillis, initialBackoffMillis, maxBackoffMillis, millis, pingIntervalMillis, idleTimeoutMillis, maxMessageBytes);
    }

    public RelayOptions withMaxMessageBytes(int bytes) {
        return new RelayOptions(connectTimeoutMillis, initialBackoffMillis, maxBackoffMillis, stableAfterMillis, pingIntervalMillis, idleTimeoutMillis, bytes);
    }
}
