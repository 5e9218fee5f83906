package org.astroport.constellation.sink;

import java.util.List;
import java.util.Map;

import org.astroport.constellation.ingest.SinkEvent;

/** Where accepted events end up: the local strfry. */
public interface EventSink {

    /**
     * What happened to a batch: written (including ones the relay already had), refused for good by
     * reason, and those the sink could not take yet (rate-limited, a transient error): they are spooled.
     */
    record Result(int written, Map<String, Integer> refused, List<SinkEvent> retryLater) {
        public Result(int written, Map<String, Integer> refused) {
            this(written, refused, List.of());
        }
    }

    /** Writes a batch or throws SinkUnavailableException, in which case none of it counts as written. */
    Result write(List<SinkEvent> batch) throws SinkUnavailableException;

    /** A batch handed to the sink, not acknowledged yet. */
    interface Pending {
        /** Waits for the acknowledgement: what {@link #write} would have returned or thrown. */
        Result await() throws SinkUnavailableException;
    }

    /**
     * Hands a batch over without waiting for it to be acknowledged, so that the next one can follow it
     * while it commits; batches are acknowledged in the order they were handed over. A sink that cannot
     * overlap writes writes it here.
     */
    default Pending submit(List<SinkEvent> batch) throws SinkUnavailableException {
        Result r = write(batch);
        return () -> r;
    }

    /**
     * A cheap check, on a timer, that a write could succeed now, so that health tells the truth
     * before any event arrives. Throws with the reason when it could not.
     */
    default void probe() throws SinkUnavailableException {
    }

    /** Whether ephemeral events can go through this sink (a relay can broadcast them; an import would store them). */
    boolean forwardsEphemeral();

    String describe();
}
