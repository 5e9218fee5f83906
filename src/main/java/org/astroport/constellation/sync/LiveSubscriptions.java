package org.astroport.constellation.sync;

import java.util.List;
import java.util.function.Supplier;

import org.astroport.constellation.discovery.AuthorRegistry;
import org.astroport.constellation.relay.PeerSession;

/** What every peer route subscribes to: the configured kinds, from the monitored authors. */
public class LiveSubscriptions implements PeerSession.Wants {

    private final Supplier<List<Integer>> kinds;
    private final AuthorRegistry authors;

    public LiveSubscriptions(Supplier<List<Integer>> kinds, AuthorRegistry authors) {
        this.kinds = kinds;
        this.authors = authors;
    }

    @Override
    public List<Integer> kinds() {
        return kinds.get();
    }

    @Override
    public List<String> authors() {
        return authors.authors();
    }

}
