package org.astroport.constellation.relay;

/**
 * Connection tuning; the defaults suit a small station talking to strfry peers. receiveBufferBytes: the
 * socket's receive buffer (SO_RCVBUF; 0: the system's). It bounds what each connection has read ahead of
 * us: with the system's (~2 MB each under a flood), 50 flooding peers filled the JVM's direct memory and
 * the one event loop that reads them all slept in its allocation retries (FanInBench: 20-35 s; 9 s at 64 KiB).
 */
public record RelayOptions(long connectTimeoutMillis, long initialBackoffMillis, long maxBackoffMillis, long stableAfterMillis,
                           long pingIntervalMillis, long idleTimeoutMillis, int maxMessageBytes, int receiveBufferBytes) {

    public static RelayOptions defaults() {
        return new RelayOptions(10_000, 1_000, 60_000, 30_000, 30_000, 90_000, 1 << 20, 64 << 10);
    }

    public RelayOptions withBackoff(long initial, long max) {
        return new RelayOptions(connectTimeoutMillis, initial, max, stableAfterMillis, pingIntervalMillis, idleTimeoutMillis, maxMessageBytes, receiveBufferBytes);
    }

    public RelayOptions withIdle(long pingInterval, long idleTimeout) {
        return new RelayOptions(connectTimeoutMillis, initialBackoffMillis, maxBackoffMillis, stableAfterMillis, pingInterval, idleTimeout, maxMessageBytes, receiveBufferBytes);
    }

    public RelayOptions withStableAfter(long millis) {
        return new RelayOptions(connectTimeoutMillis, initialBackoffMillis, maxBackoffMillis, millis, pingIntervalMillis, idleTimeoutMillis, maxMessageBytes, receiveBufferBytes);
    }

    public RelayOptions withMaxMessageBytes(int bytes) {
        return new RelayOptions(connectTimeoutMillis, initialBackoffMillis, maxBackoffMillis, stableAfterMillis, pingIntervalMillis, idleTimeoutMillis, bytes, receiveBufferBytes);
    }
}
