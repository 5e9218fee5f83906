package org.astroport.constellation.ops;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

import org.astroport.constellation.ingest.PeerStats;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.sink.SinkRouter;

/**
 * What moved since the last call, as one log line (the progress route calls it on a timer): events
 * each peer sent, how many were new, already had, refused (by reason) or filtered out, and what the
 * sink wrote and spooled. Null when nothing moved, so that a quiet station's log stays quiet.
 */
public class ProgressReport {

    private final SyncStats stats;
    private final SinkRouter sink;
    private final LongSupplier clockMillis;
    private final Map<String, Counts> lastByPeer = new HashMap<>();
    private long lastWritten;
    private long lastSpooled;
    private Map<String, Long> lastRefused = Map.of();
    private long lastMillis;

    /** A peer's counters at one moment. */
    private record Counts(long received, long accepted, long duplicates, long filtered, long drainCloses, long reconnects, Map<String, Long> invalid) {
        static Counts of(PeerStats p) {
            return new Counts(p.receivedCount(), p.acceptedCount(), p.duplicates(), p.filteredTotal(), p.drainCloses(), p.reconnects(), p.invalidByReason());
        }
    }

    public ProgressReport(SyncStats stats, SinkRouter sink) {
        this(stats, sink, System::currentTimeMillis);
    }

    ProgressReport(SyncStats stats, SinkRouter sink, LongSupplier clockMillis) {
        this.stats = stats;
        this.sink = sink;
        this.clockMillis = clockMillis;
        this.lastMillis = clockMillis.getAsLong();
    }

    /** The line for what moved since the previous call, or null when nothing did. */
    public synchronized String sinceLast() {
        long now = clockMillis.getAsLong();
        long seconds = Math.max(1, Math.round((now - lastMillis) / 1000.0));
        lastMillis = now;
        long received = 0, accepted = 0, duplicates = 0, filtered = 0, drainCloses = 0, reconnects = 0;
        Map<String, Long> invalid = new TreeMap<>();
        List<Map.Entry<String, Long>> peers = new ArrayList<>();
        for (PeerStats p : stats.all()) {
            Counts now_ = Counts.of(p);
            Counts before = lastByPeer.getOrDefault(p.peer(), new Counts(0, 0, 0, 0, 0, 0, Map.of()));
            lastByPeer.put(p.peer(), now_);
            long r = now_.received() - before.received();
            received += r;
            accepted += now_.accepted() - before.accepted();
            duplicates += now_.duplicates() - before.duplicates();
            filtered += now_.filtered() - before.filtered();
            drainCloses += now_.drainCloses() - before.drainCloses();
            reconnects += now_.reconnects() - before.reconnects();
            addDelta(invalid, now_.invalid(), before.invalid());
            if (r > 0) {
                peers.add(Map.entry(p.peer(), r));
            }
        }
        long written = sink.written() - lastWritten;
        long spooled = sink.spooled() - lastSpooled;
        Map<String, Long> refusedNow = sink.refusedByReason();
        Map<String, Long> refused = new TreeMap<>();
        addDelta(refused, refusedNow, lastRefused);
        lastWritten += written;
        lastSpooled += spooled;
        lastRefused = refusedNow;
        long invalidTotal = invalid.values().stream().mapToLong(Long::longValue).sum();
        long refusedTotal = refused.values().stream().mapToLong(Long::longValue).sum();
        if (received == 0 && written == 0 && spooled == 0 && invalidTotal == 0 && refusedTotal == 0 && drainCloses == 0 && reconnects == 0) {
            return null;
        }
        StringBuilder line = new StringBuilder(String.format("last %d s: %,d event(s) received", seconds, received));
        if (!peers.isEmpty()) {
            // the five that sent the most (50 peers repeating one burst would not fit a line)
            peers.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
            List<String> top = peers.stream().limit(5).map(e -> e.getKey() + " " + String.format("%,d", e.getValue())).toList();
            line.append(" (").append(String.join(", ", top)).append(peers.size() > 5 ? String.format(" and %d more peer(s)", peers.size() - 5) : "").append(')');
        }
        line.append(String.format(": %,d new, %,d already had", accepted, duplicates));
        if (filtered > 0) {
            line.append(String.format(", %,d not wanted (kind, author, content)", filtered));
        }
        if (invalidTotal > 0) {
            line.append(String.format(", %,d refused %s", invalidTotal, invalid));
        }
        line.append(String.format("; sink: %,d written", written));
        if (spooled > 0) {
            line.append(String.format(", %,d spooled (the sink is down: replayed when it is back)", spooled));
        }
        if (refusedTotal > 0) {
            line.append(String.format(", %,d refused by the local relay %s", refusedTotal, refused));
        }
        if (drainCloses > 0) {
            line.append(String.format("; live subscriptions closed %,d time(s) to let the queue drain", drainCloses));
        }
        if (reconnects > 0) {
            line.append(String.format("; %,d reconnection(s)", reconnects));
        }
        return line.toString();
    }

    private static void addDelta(Map<String, Long> into, Map<String, Long> now, Map<String, Long> before) {
        now.forEach((reason, n) -> {
            long d = n - before.getOrDefault(reason, 0L);
            if (d > 0) {
                into.merge(reason, d, Long::sum);
            }
        });
    }
}
