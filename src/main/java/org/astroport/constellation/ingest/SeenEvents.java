package org.astroport.constellation.ingest;

import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;

/**
 * The ids already forwarded, bounded (least recently used go first). Camel stops a route's
 * repository when the route stops, and the memory repository forgets everything then: this one
 * outlives route reloads, so a reloaded ingest route does not forward every event again.
 */
public class SeenEvents extends MemoryIdempotentRepository {

    public SeenEvents(int capacity) {
        setCacheSize(capacity);
    }

    @Override
    protected void doStop() {
        // kept on purpose: see the class comment
    }
}
