package org.astroport.constellation.ingest;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one peer's stream, read by JMX and the metrics endpoint. */
public final class PeerStats {

    private final String peer;
    final LongAdder received = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder forwarded = new LongAdder();
    final LongAdder acceptedEvents = new LongAdder();
    final LongAdder spooled = new LongAdder();
    final LongAdder reconnects = new LongAdder();
    final LongAdder pauses = new LongAdder();
    final LongAdder drainCloses = new LongAdder();
    final Map<String, LongAdder> invalid = new ConcurrentHashMap<>();
    final Map<String, LongAdder> filtered = new ConcurrentHashMap<>();
    private final AtomicLong lastEventCreatedAt = new AtomicLong(-1);
    private final AtomicLong lastEventReceivedMillis = new AtomicLong(-1);

    public PeerStats(String peer) {
        this.peer = peer;
    }

    public String peer() {
        return peer;
    }

    public void countReceived() {
        received.increment();
        lastEventReceivedMillis.set(System.currentTimeMillis());
    }

    public void invalid(String reason) {
        invalid.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    public void filtered(String reason) {
        filtered.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    public void duplicate() {
        duplicates.increment();
    }

    public void forwarded() {
        forwarded.increment();
    }

    public void spooled(long n) {
        spooled.add(n);
    }

    public void reconnected() {
        reconnects.increment();
    }

    /** The peer's socket was paused: it kept sending past the hard cap of the queue. */
    public void paused() {
        pauses.increment();
    }

    /** The peer's live subscriptions were closed until the queue drained. */
    public void closedToDrain() {
        drainCloses.increment();
    }

    /** Newest created_at accepted from this peer: the resume point of its subscription. */
    public void accepted(long createdAt) {
        acceptedEvents.increment();
        lastEventCreatedAt.accumulateAndGet(createdAt, Math::max);
    }

    public long lastEventCreatedAt() {
        return lastEventCreatedAt.get();
    }

    public long lastEventReceivedMillis() {
        return lastEventReceivedMillis.get();
    }

    public long receivedCount() {
        return received.sum();
    }

    public long acceptedCount() {
        return acceptedEvents.sum();
    }

    /** Every event or frame this peer sent that reached a decision. */
    public long decided() {
        return acceptedCount() + invalidTotal() + filteredTotal() + duplicates();
    }

    public long duplicates() {
        return duplicates.sum();
    }

    public long forwardedCount() {
        return forwarded.sum();
    }

    public long spooledCount() {
        return spooled.sum();
    }

    public long reconnects() {
        return reconnects.sum();
    }

    public long pauses() {
        return pauses.sum();
    }

    public long drainCloses() {
        return drainCloses.sum();
    }

    public Map<String, Long> invalidByReason() {
        return snapshot(invalid);
    }

    public Map<String, Long> filteredByReason() {
        return snapshot(filtered);
    }

    public long invalidTotal() {
        return invalid.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public long filteredTotal() {
        return filtered.values().stream().mapToLong(LongAdder::sum).sum();
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
