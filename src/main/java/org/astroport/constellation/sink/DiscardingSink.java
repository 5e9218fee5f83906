package org.astroport.constellation.sink;

import java.util.List;
import java.util.Map;

import org.astroport.constellation.ingest.SinkEvent;

/** Stores nothing and contacts nothing: for --DRYRUN, and for running discovery alone. */
public class DiscardingSink implements EventSink {

    @Override
    public Result write(List<SinkEvent> batch) {
        return new Result(0, Map.of("discarded", batch.size()));
    }

    @Override
    public boolean forwardsEphemeral() {
        return true;
    }

    @Override
    public String describe() {
        return "nothing (sink mode none)";
    }
}
