package org.astroport.constellation.sink;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.processor.aggregate.GroupedBodyAggregationStrategy;

import org.astroport.constellation.ingest.SinkEvent;

/**
 * The sink route's batches, bounded in bytes as well as in events: 5,000 events of strfry's 64 KB
 * would be 320 MB on a 160 MB heap. A batch is complete once one more event could take it past
 * {@code maxBytes} (no event is longer than {@code maxEventChars}: longer frames are refused unparsed).
 * It marks the group complete rather than pre-completing it: in pre-completion mode Camel ignores the
 * route's completionSize, and batches closed only by bytes or by time (SinkRouteTest).
 */
public class SinkBatchAggregation extends GroupedBodyAggregationStrategy {

    static final String BYTES = "ConstellationBatchBytes";

    private final long maxBytes;
    private final long maxEventChars;

    public SinkBatchAggregation(long maxBytes, long maxEventChars) {
        this.maxBytes = maxBytes;
        this.maxEventChars = maxEventChars;
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        long bytes = (oldExchange == null ? 0 : bytesSoFar(oldExchange)) + bytesOf(newExchange);
        Exchange result = super.aggregate(oldExchange, newExchange);
        result.setProperty(BYTES, bytes);
        if (bytes + maxEventChars > maxBytes) {
            result.setProperty(ExchangePropertyKey.AGGREGATION_COMPLETE_CURRENT_GROUP, true);
        }
        return result;
    }

    public long maxBytes() {
        return maxBytes;
    }

    private static long bytesSoFar(Exchange group) {
        Long b = group.getProperty(BYTES, Long.class);
        return b == null ? 0 : b;
    }

    private static long bytesOf(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        return body instanceof SinkEvent e ? e.json().length() : 1024;
    }
}
