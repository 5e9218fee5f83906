package org.astroport.constellation.backfill;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import org.astroport.constellation.negentropy.NegentropyItems;
import org.astroport.constellation.nostr.Filter;

/** What the local strfry already holds, as far as the backfill needs to know. */
public interface LocalStore {

    /** Of these authors, those with at least one kind-0 (profile) event stored locally. */
    Set<String> authorsWithProfile(Collection<String> authors) throws Exception;

    /** Number of events stored, or -1 when unknown. */
    long eventCount();

    /** Size of the database, human readable, or null when unknown. */
    String databaseSize();

    String describe();

    /** Every stored event matching the filter (no limit), handed over as JSON text. */
    void scan(Filter filter, Consumer<String> events) throws Exception;

    /** Events stored under these ids, as JSON text (for peers that lack them). */
    default List<String> events(List<String> ids) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < ids.size(); i += 500) {
            scan(Filter.builder().ids(ids.subList(i, Math.min(ids.size(), i + 500))).build(), out::add);
        }
        return out;
    }

    /** (created_at, id) of the stored events matching the filter: our side of a negentropy reconciliation. */
    default NegentropyItems items(Filter filter) throws Exception {
        StoredItems items = new StoredItems();
        scan(filter, items::add);
        return items.seal();
    }
}
