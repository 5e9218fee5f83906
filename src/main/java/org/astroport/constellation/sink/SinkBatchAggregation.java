package org.astroport.constellation.sink;

import org.apache.camel.Exchange;
import org.apache.camel.processor.aggregate.GroupedBodyAggregationStrategy;

/**
 * The sink route's batches, bounded in bytes as well as in events: 5,000 events of strfry's 64 KB
 * would be 320 MB on a 160 MB heap. A batch that would grow past {@code maxBytes} is completed first,
 * and the event starts the next one.
 */
public class SinkBatchAggregation extends GroupedBodyAggregationStrategy {

    static final String BYTES = "ConstellationBatchBytes";

    private final long maxBytes;

    public SinkBatchAggregation(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public boolean canPreComplete() {
        return true;
    }

    @Override
    public boolean preComplete(Exchange oldExchange, Exchange newExchange) {
        return oldExchange != null && bytesSoFar(oldExchange) + bytesOf(newExchange) > maxBytes;
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        long before = oldExchange == null ? 0 : bytesSoFar(oldExchange);
        Exchange result = super.aggregate(oldExchange, newExchange);
        result.setProperty(BYTES, before + bytesOf(newExchange));
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
