package org.astroport.constellation.ingest;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.astroport.constellation.nostr.Hex;

/**
 * The ids already forwarded, bounded (least recently used go first).
 * <p>
 * Two reasons it is ours rather than Camel's memory repository: that one forgets everything when
 * its route stops, so a reloaded ingest route would forward every event again; and it keeps each
 * id as a 64-character String (about 200 bytes per entry with the map node), where 128 bits of the
 * id are enough to tell events apart (a forged collision would take 2^64 work on the forger's own events).
 * <p>
 * The 128 bits live in primitive arrays, the recency order as slot numbers beside them, found through
 * an open-addressed table of slot numbers: about 35 bytes an id, and no object per id. A map of small
 * objects took ~72 bytes an id (14 MB at the default 200,000), and in a burst each id became two
 * objects that reached the old generation, that every full collection marked again, and that every
 * lookup re-linked (dirtying old-generation cards that each young collection then scanned).
 * Keys that are not 64 hex digits (no event id is) are kept as they are in a small map, bounded alike.
 */
public class SeenEvents extends ServiceSupport implements IdempotentRepository {

    private static final int NONE = -1;
    private static final int FIRST_SLOTS = 1024;

    private final int capacity;
    /** Per instance: a peer that grinds ids to share their low bits cannot line them up in one probe run. */
    private final long seed = ThreadLocalRandom.current().nextLong();

    // guarded by this. Slot i holds an id's two halves and its neighbours in recency order (head: least recent)
    private long[] his = new long[0];
    private long[] los = new long[0];
    private int[] prev = new int[0];
    private int[] next = new int[0];
    /** Open addressing, linear probing: slot + 1, or 0 for none; at most half full. */
    private int[] table = new int[0];
    private int size;
    private int used;
    private int head = NONE;
    private int tail = NONE;
    /** Slots freed by remove(), chained through next. */
    private int free = NONE;
    private final Map<String, Boolean> oddKeys;

    public SeenEvents(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("constellation.dedupe.capacity must be at least 1, not " + capacity);
        }
        this.capacity = capacity;
        this.oddKeys = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > SeenEvents.this.capacity;
            }
        };
    }

    /** 64 characters of which the first 32 are hex digits (either case): what an event id starts with. */
    private static boolean isId(String key) {
        if (key == null || key.length() != 64) {
            return false;
        }
        int bad = 0;
        for (int i = 0; i < 32; i++) {
            bad |= Hex.value(key.charAt(i));
        }
        return bad >= 0;
    }

    /** 64 bits from 16 hex digits; a table per digit (Long.parseUnsignedLong went through Character.digit). */
    private static long bits(String id, int from) {
        long v = 0;
        for (int i = from; i < from + 16; i++) {
            v = v << 4 | Hex.value(id.charAt(i));
        }
        return v;
    }

    private int home(long hi, long lo) {
        long x = hi ^ seed;
        x = (x ^ (x >>> 33)) * 0xff51afd7ed558ccdL + lo;
        x = (x ^ (x >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return (int) (x ^ (x >>> 33)) & (table.length - 1);
    }

    /** The table position holding the id, or -(the empty position where it would go) - 1. */
    private int find(long hi, long lo) {
        if (table.length == 0) {
            return -1;
        }
        int mask = table.length - 1;
        for (int at = home(hi, lo); ; at = (at + 1) & mask) {
            int v = table[at];
            if (v == 0) {
                return -at - 1;
            }
            if (his[v - 1] == hi && los[v - 1] == lo) {
                return at;
            }
        }
    }

    @Override
    public boolean add(String key) {
        return isId(key) ? addId(bits(key, 0), bits(key, 16)) : addOdd(key);
    }

    @Override
    public boolean contains(String key) {
        return isId(key) ? containsId(bits(key, 0), bits(key, 16)) : containsOdd(key);
    }

    @Override
    public boolean remove(String key) {
        return isId(key) ? removeId(bits(key, 0), bits(key, 16)) : removeOdd(key);
    }

    private synchronized boolean addId(long hi, long lo) {
        int at = find(hi, lo);
        if (at >= 0) {
            touch(table[at] - 1);
            return false;
        }
        int slot;
        if (size == capacity) {
            slot = head;
            unlinkAndForget(slot);
        } else if (free != NONE) {
            slot = free;
            free = next[slot];
        } else {
            if (used == his.length) {
                grow();
            }
            slot = used++;
        }
        his[slot] = hi;
        los[slot] = lo;
        linkAtTail(slot);
        at = find(hi, lo); // an eviction or a new table moved the place
        table[-at - 1] = slot + 1;
        size++;
        return true;
    }

    private synchronized boolean containsId(long hi, long lo) {
        int at = find(hi, lo);
        if (at >= 0) {
            touch(table[at] - 1);
        }
        return at >= 0;
    }

    private synchronized boolean removeId(long hi, long lo) {
        int at = find(hi, lo);
        if (at < 0) {
            return false;
        }
        int slot = table[at] - 1;
        unlinkAndForget(slot);
        next[slot] = free;
        free = slot;
        return true;
    }

    private synchronized boolean addOdd(String key) {
        return oddKeys.putIfAbsent(key, Boolean.TRUE) == null;
    }

    private synchronized boolean containsOdd(String key) {
        return oddKeys.get(key) != null;
    }

    private synchronized boolean removeOdd(String key) {
        return oddKeys.remove(key) != null;
    }

    /** Most recently used now. */
    private void touch(int slot) {
        if (slot != tail) {
            unlink(slot);
            linkAtTail(slot);
        }
    }

    private void linkAtTail(int slot) {
        prev[slot] = tail;
        next[slot] = NONE;
        if (tail != NONE) {
            next[tail] = slot;
        } else {
            head = slot;
        }
        tail = slot;
    }

    private void unlink(int slot) {
        int p = prev[slot];
        int n = next[slot];
        if (p != NONE) {
            next[p] = n;
        } else {
            head = n;
        }
        if (n != NONE) {
            prev[n] = p;
        } else {
            tail = p;
        }
    }

    /** Out of the recency order and the table (it must be in both); its slot is the caller's to reuse. */
    private void unlinkAndForget(int slot) {
        unlink(slot);
        int mask = table.length - 1;
        int gap = find(his[slot], los[slot]);
        // backward-shift deletion: an entry further along the probe run moves into the gap unless its home lies after the gap
        for (int at = (gap + 1) & mask; table[at] != 0; at = (at + 1) & mask) {
            int v = table[at];
            int h = home(his[v - 1], los[v - 1]);
            boolean movable = gap <= at ? h <= gap || h > at : h <= gap && h > at;
            if (movable) {
                table[gap] = v;
                gap = at;
            }
        }
        table[gap] = 0;
        size--;
    }

    /** Twice the slots (up to the capacity), and a new table for them, at most half full once they are all used. */
    private void grow() {
        int slots = (int) Math.min(capacity, Math.max(FIRST_SLOTS, 2L * his.length));
        his = Arrays.copyOf(his, slots);
        los = Arrays.copyOf(los, slots);
        prev = Arrays.copyOf(prev, slots);
        next = Arrays.copyOf(next, slots);
        table = new int[Integer.highestOneBit(slots) << 2];
        for (int slot = head; slot != NONE; slot = next[slot]) {
            int at = find(his[slot], los[slot]);
            table[-at - 1] = slot + 1;
        }
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public synchronized void clear() {
        his = new long[0];
        los = new long[0];
        prev = new int[0];
        next = new int[0];
        table = new int[0];
        size = 0;
        used = 0;
        head = NONE;
        tail = NONE;
        free = NONE;
        oddKeys.clear();
    }

    public synchronized int size() {
        return size + oddKeys.size();
    }

    public int capacity() {
        return capacity;
    }
}
