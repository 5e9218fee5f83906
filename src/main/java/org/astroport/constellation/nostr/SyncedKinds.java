package org.astroport.constellation.nostr;

import java.util.List;
import java.util.function.Supplier;

/** The kinds this station syncs (constellation.kinds, constellation.no-dms), fixed at start. */
public record SyncedKinds(List<Integer> list) implements Supplier<List<Integer>> {

    public static SyncedKinds of(String configured, boolean noDms) {
        return new SyncedKinds(Kinds.selected(configured, noDms));
    }

    @Override
    public List<Integer> get() {
        return list;
    }
}
