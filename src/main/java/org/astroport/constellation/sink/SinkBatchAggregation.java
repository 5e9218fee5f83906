package org.astroport.constellation.sink;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;

import org.astroport.constellation.ingest.SinkEvent;

/**
 * The sink route's batches: the lists ingest sends (one peer's accepted events each) joined into one
 * list, bounded in bytes as well as in events: 5,000 events of strfry's 64 KB would be 320 MB on a
 * 160 MB heap. A batch is complete once one more event could take it past {@code maxBytes} (no event is
 * longer than {@code maxEventChars}: longer frames are refused unparsed). It marks the group complete
 * rather than pre-completing it: in pre-completion mode Camel ignores the route's other completions,
 * and batches closed only by bytes or by time (SinkRouteTest). The joined list is a new one: the
 * incoming lists stay the bodies of their own exchanges.
 */
public class SinkBatchAggregation implements AggregationStrategy {

    static final String BYTES = "ConstellationBatchBytes";
    /** Exchange property: events in the batch so far (the route's completion predicate reads it, not the body through OGNL, a reflective call). */
    public static final String EVENTS = "ConstellationBatchEvents";

    private final long maxBytes;
    private final long maxEventChars;

    public SinkBatchAggregation(long maxBytes, long maxEventChars) {
        this.maxBytes = maxBytes;
        this.maxEventChars = maxEventChars;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        List<SinkEvent> incoming = events(newExchange);
        Exchange result = oldExchange;
        List<SinkEvent> joined;
        if (result == null) {
            result = newExchange;
            joined = new ArrayList<>(incoming);
            result.getMessage().setBody(joined);
        } else {
            joined = result.getMessage().getBody(List.class);
            joined.addAll(incoming);
        }
        result.setProperty(EVENTS, joined.size());
        long bytes = bytesSoFar(result);
        for (SinkEvent e : incoming) {
            bytes += e.size();
        }
        result.setProperty(BYTES, bytes);
        if (bytes + maxEventChars > maxBytes) {
            result.setProperty(ExchangePropertyKey.AGGREGATION_COMPLETE_CURRENT_GROUP, true);
        }
        return result;
    }

    public long maxBytes() {
        return maxBytes;
    }

    @SuppressWarnings("unchecked")
    static List<SinkEvent> events(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        if (body instanceof SinkEvent one) {
            return List.of(one);
        }
        return body == null ? List.of() : (List<SinkEvent>) body;
    }

    private static long bytesSoFar(Exchange group) {
        Long b = group.getProperty(BYTES, Long.class);
        return b == null ? 0 : b;
    }
}
