package org.astroport.constellation.backfill;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.vertx.core.Vertx;
import org.astroport.constellation.negentropy.NegentropyItems;
import org.astroport.constellation.nostr.Filter;
import org.astroport.constellation.relay.EventPeek;

/** The local relay asked over WebSocket (REQ), for stations that use the relay sink. */
public class RelayLocalStore implements LocalStore {

    private final Vertx vertx;
    private final String url;
    private final long timeoutMillis;

    public RelayLocalStore(Vertx vertx, String url, long timeoutMillis) {
        this.vertx = vertx;
        this.url = url;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public Set<String> authorsWithProfile(Collection<String> authors) throws Exception {
        Set<String> found = new HashSet<>();
        List<String> all = new ArrayList<>(authors);
        try (PeerFetch fetch = new PeerFetch(vertx, url, url, null, Clock.systemUTC(), timeoutMillis)) {
            fetch.open();
            for (int i = 0; i < all.size(); i += 200) {
                Filter f = Filter.builder().kinds(List.of(0)).authors(all.subList(i, Math.min(all.size(), i + 200))).build();
                fetch.fetchAll(f, 500, e -> {
                    String pk = EventPeek.of(e).pubkey();
                    if (pk != null) {
                        found.add(pk);
                    }
                }, null);
            }
        }
        return found;
    }

    @Override
    public void scan(Filter filter, java.util.function.Consumer<String> events) throws Exception {
        try (PeerFetch fetch = new PeerFetch(vertx, url, url, null, Clock.systemUTC(), timeoutMillis)) {
            fetch.open();
            fetch.fetchAll(filter.withLimit(null), 500, events, null);
        }
    }

    /** Our side of a reconciliation, read off the relay's frames (see {@link PeerFetch#listItems}). */
    @Override
    public NegentropyItems items(Filter filter) throws Exception {
        try (PeerFetch fetch = new PeerFetch(vertx, url, url, null, Clock.systemUTC(), timeoutMillis)) {
            fetch.open();
            return fetch.listItems(filter.withLimit(null), 500);
        }
    }

    @Override
    public long eventCount() {
        return -1;
    }

    @Override
    public String databaseSize() {
        return null;
    }

    @Override
    public String describe() {
        return "local relay " + url;
    }
}
