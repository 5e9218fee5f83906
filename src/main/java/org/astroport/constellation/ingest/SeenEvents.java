package org.astroport.constellation.ingest;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.astroport.constellation.nostr.Hex;

/**
 * The ids already forwarded, bounded (least recently used go first).
 * <p>
 * Two reasons it is ours rather than Camel's memory repository: that one forgets everything when
 * its route stops, so a reloaded ingest route would forward every event again; and it keeps each
 * id as a 64-character String (about 200 bytes per entry with the map node), where 128 bits of the
 * id are enough to tell events apart and take about 80. At the default 200,000 ids that is the
 * difference between ~40 MB and ~16 MB of heap on a small station.
 */
public class SeenEvents extends ServiceSupport implements IdempotentRepository {

    /** The first 128 bits of an event id. A forged collision would take 2^64 work on the forger's own events. */
    record Id128(long hi, long lo) {
    }

    private final int capacity;
    private final Map<Object, Boolean> ids;

    public SeenEvents(int capacity) {
        this.capacity = capacity;
        this.ids = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Object, Boolean> eldest) {
                return size() > SeenEvents.this.capacity;
            }
        };
    }

    static Object keyOf(String id) {
        if (id != null && id.length() == 64) {
            // a table per digit: Long.parseUnsignedLong went through Character.digit for each (twice per event)
            long hi = 0;
            long lo = 0;
            int bad = 0;
            for (int i = 0; i < 16; i++) {
                int h = Hex.value(id.charAt(i));
                int l = Hex.value(id.charAt(16 + i));
                bad |= h | l;
                hi = hi << 4 | (h & 0xf);
                lo = lo << 4 | (l & 0xf);
            }
            if (bad >= 0) {
                return new Id128(hi, lo);
            }
        }
        return id; // not hex: kept as it is
    }

    @Override
    public synchronized boolean add(String key) {
        return ids.putIfAbsent(keyOf(key), Boolean.TRUE) == null;
    }

    @Override
    public synchronized boolean contains(String key) {
        return ids.get(keyOf(key)) != null;
    }

    @Override
    public synchronized boolean remove(String key) {
        return ids.remove(keyOf(key)) != null;
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public synchronized void clear() {
        ids.clear();
    }

    public synchronized int size() {
        return ids.size();
    }

    public int capacity() {
        return capacity;
    }
}
