package org.astroport.constellation.ingest;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.astroport.constellation.nostr.NostrEvent;

/**
 * NIP-09 as we forward: a kind-5 from author A removes A's referenced events, never anyone else's.
 * Recent deletions are remembered (bounded) so a target arriving after its deletion is dropped; a
 * target already forwarded is removed by the relay itself when the deletion reaches it.
 */
public final class DeletionTracker {

    private final int capacity;
    // target event id -> pubkeys of authors who deleted it (only the target's own author counts)
    private final Map<String, Set<String>> deletedBy;

    public DeletionTracker(int capacity) {
        this.capacity = capacity;
        this.deletedBy = new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Set<String>> eldest) {
                return size() > DeletionTracker.this.capacity;
            }
        };
    }

    /** Records the e-tag targets of a deletion; returns how many it names. */
    public synchronized int record(NostrEvent deletion) {
        if (deletion.kind() != 5) {
            return 0;
        }
        int n = 0;
        for (String target : deletion.tagValues("e")) {
            if (target.length() == 64) {
                deletedBy.computeIfAbsent(target, k -> new HashSet<>(2)).add(deletion.pubkey());
                n++;
            }
        }
        return n;
    }

    /** True when the event's own author has deleted it. */
    public synchronized boolean isDeleted(String id, String pubkey) {
        Set<String> by = deletedBy.get(id);
        return by != null && by.contains(pubkey);
    }

    public boolean isDeleted(NostrEvent e) {
        return isDeleted(e.id(), e.pubkey());
    }

    /** Drops from a batch the events deleted by their own author (the deletion may sit later in the batch). */
    public List<SinkEvent> prune(Collection<SinkEvent> batch) {
        List<SinkEvent> kept = new ArrayList<>(batch.size());
        for (SinkEvent e : batch) {
            if (!isDeleted(e.id(), e.pubkey())) {
                kept.add(e);
            }
        }
        return kept;
    }

    public synchronized int size() {
        return deletedBy.size();
    }

    /** For tests and JMX: who deleted what. */
    public synchronized Map<String, Set<String>> snapshot() {
        return new HashMap<>(deletedBy);
    }
}
