package org.astroport.constellation.relay;

import java.util.PriorityQueue;

/**
 * Where paging back goes on from after a page: the {@code pageSize}-th newest created_at the page brought.
 * The relay's stored answer holds at most {@code pageSize} events, so its oldest is never newer than this.
 * A relay may also send events published meanwhile before its EOSE, with any created_at, and paging back
 * from the oldest of those skipped the stored events between (a TestRelay burst lost 20,000 that way).
 * Holds at most {@code pageSize} values, whatever the relay sends.
 */
public final class PageFloor {
    private final int pageSize;
    private final PriorityQueue<Long> newest = new PriorityQueue<>();

    public PageFloor(int pageSize) {
        this.pageSize = Math.max(1, pageSize);
    }

    public void seen(long createdAt) {
        if (newest.size() < pageSize) {
            newest.add(createdAt);
        } else if (createdAt > newest.peek()) {
            newest.poll();
            newest.add(createdAt);
        }
    }

    /** Long.MAX_VALUE when nothing was seen. */
    public long floor() {
        return newest.isEmpty() ? Long.MAX_VALUE : newest.peek();
    }
}
