package org.astroport.constellation.untrusted;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Caps how often peers can make us log: at most {@code perPeer} lines a minute for each peer and
 * kind of line (NOTICE, CLOSED, descriptor, ...) and {@code perKind} a minute for each kind across
 * all peers, so that a flood (a relay sending NOTICEs in a loop, thousands of rewritten descriptors)
 * cannot rotate the log history away. What was held back is counted and reported on the next line
 * let through.
 */
public final class PeerLogLimiter {

    private static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int MAX_TRACKED = 10_000;
    private static final PeerLogLimiter SHARED = new PeerLogLimiter(10, 300, System::nanoTime);

    private final int perPeer;
    private final int perKind;
    private final LongSupplier nanoTime;
    private final Map<String, Window> windows = new HashMap<>();

    private static final class Window {
        long start;
        int lines;
        long heldBack;

        Window(long start) {
            this.start = start;
        }
    }

    public PeerLogLimiter(int perPeer, int perKind, LongSupplier nanoTime) {
        this.perPeer = perPeer;
        this.perKind = perKind;
        this.nanoTime = nanoTime;
    }

    /** The process-wide limiter (10 lines a minute per peer and kind, 300 per kind), for every peer's text. */
    public static PeerLogLimiter shared() {
        return SHARED;
    }

    /**
     * Whether this peer may log a line of this kind now. Null: do not log it (it is counted). Otherwise
     * log it with the returned note appended: empty, or how many lines were held back before it.
     */
    public synchronized String admit(String peer, String kind) {
        long now = nanoTime.getAsLong();
        if (windows.size() > MAX_TRACKED) {
            // peers' windows only: the per-kind ones are few and hold the totals
            windows.entrySet().removeIf(e -> e.getKey().indexOf('\0') >= 0 && now - e.getValue().start >= WINDOW_NANOS);
        }
        Window own = window(kind + '\0' + peer, now);
        Window all = window(kind, now);
        if (own.lines >= perPeer || all.lines >= perKind) {
            own.heldBack++;
            all.heldBack++;
            return null;
        }
        own.lines++;
        all.lines++;
        StringBuilder note = new StringBuilder();
        if (own.heldBack > 0) {
            note.append(" [").append(own.heldBack).append(" more ").append(kind).append(" line(s) from this peer held back]");
            own.heldBack = 0;
        }
        if (all.lines == 1 && all.heldBack > 0) {
            // the first line of a new minute also tells what the cap across peers held back before
            note.append(" [").append(all.heldBack).append(' ').append(kind).append(" line(s) held back across peers before this minute]");
            all.heldBack = 0;
        }
        return note.toString();
    }

    private Window window(String key, long now) {
        Window w = windows.computeIfAbsent(key, k -> new Window(now));
        if (now - w.start >= WINDOW_NANOS) {
            w.start = now;
            w.lines = 0;
        }
        return w;
    }
}
