package org.astroport.constellation.sink;

import java.util.List;
import java.util.Map;

/** Where accepted events end up: the local strfry. */
public interface EventSink {

    /** What happened to a batch: written (including ones the relay already had), refused by reason. */
    record Result(int written, Map<String, Integer> refused) {
    }

    /** Writes a batch or throws SinkUnavailableException, in which case none of it counts as written. */
    Result write(List<SinkEvent> batch) throws SinkUnavailableException;

    /** Whether ephemeral events can go through this sink (a relay can broadcast them; an import would store them). */
    boolean forwardsEphemeral();

    String describe();
}
