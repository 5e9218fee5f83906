package org.astroport.constellation.sink;

import java.util.Arrays;

/** Receipt-to-sink latencies of recent events, for percentiles (a fixed ring: no growth). */
public final class LatencyRecorder {

    private final long[] samples;
    private long count;

    public LatencyRecorder(int capacity) {
        samples = new long[capacity];
    }

    public synchronized void record(long nanos) {
        samples[(int) (count++ % samples.length)] = nanos;
    }

    /** p in 0..100, in milliseconds; -1 with no sample. */
    public synchronized double percentileMillis(double p) {
        int n = (int) Math.min(count, samples.length);
        if (n == 0) {
            return -1;
        }
        long[] copy = Arrays.copyOf(samples, n);
        Arrays.sort(copy);
        int idx = (int) Math.min(n - 1, Math.max(0, Math.ceil(p / 100.0 * n) - 1));
        return copy[idx] / 1_000_000.0;
    }

    public synchronized long count() {
        return count;
    }

    public synchronized void reset() {
        count = 0;
    }
}
