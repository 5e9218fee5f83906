package org.astroport.constellation.backfill;

import java.util.Collection;
import java.util.Set;

/** What the local strfry already holds, as far as the backfill needs to know. */
public interface LocalStore {

    /** Of these authors, those with at least one kind-0 (profile) event stored locally. */
    Set<String> authorsWithProfile(Collection<String> authors) throws Exception;

    /** Number of events stored, or -1 when unknown. */
    long eventCount();

    /** Size of the database, human readable, or null when unknown. */
    String databaseSize();

    String describe();
}
