package org.astroport.constellation.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.model.BeanDefinition;
import org.astroport.constellation.ingest.SinkEvent;
import org.astroport.constellation.testsupport.RouteFilesTestSupport;
import org.junit.jupiter.api.Test;

/** routes/sink.camel.yaml: its micro-batches, closed by count, by byte budget and by time; the write replaced by a mock. */
class SinkRouteTest extends RouteFilesTestSupport {

    static final long BATCH_MILLIS = 300;

    SinkRouteTest() {
        super("sink.camel.yaml");
    }

    @Override
    protected void settings(Properties settings) {
        settings.setProperty("constellation.sink.batch-size", "3");
        settings.setProperty("constellation.sink.batch-millis", String.valueOf(BATCH_MILLIS));
        settings.setProperty("constellation.sink.batch-max-bytes", "2500");
        // no event is longer than this here: a batch is complete once one more could take it past 2,500
        settings.setProperty("constellation.frame.max-bytes", "1000");
    }

    @Test
    void batchesCloseAtTheirSizeTheirByteBudgetOrTheirInterval() throws Exception {
        AdviceWith.adviceWith(context, "sink", route -> route.weaveByType(BeanDefinition.class).replace().to("mock:batches"));
        context.start();
        MockEndpoint batches = getMockEndpoint("mock:batches");
        // 3 + 3 by count (ingest's lists joined: 1 + 2, then 3); 2 of 1,000 bytes by the byte budget (one more
        // could pass 2,500); the last one by time
        batches.expectedMessageCount(4);
        NotifyBuilder allIn = new NotifyBuilder(context).fromRoute("sink").whenDone(6).create();
        template.sendBody("direct:sink", List.of(event("small-0", 100)));
        template.sendBody("direct:sink", List.of(event("small-1", 100), event("small-2", 100)));
        template.sendBody("direct:sink", List.of(event("small-3", 100), event("small-4", 100), event("small-5", 100)));
        for (int i = 0; i < 3; i++) {
            template.sendBody("direct:sink", List.of(event("large-" + i, 1000)));
        }
        assertTrue(allIn.matches(5, TimeUnit.SECONDS), "the 6 lists went into the aggregator");
        batches.assertIsSatisfied(5_000);
        List<Integer> sizes = batches.getReceivedExchanges().stream().map(e -> e.getMessage().getBody(List.class).size()).toList();
        assertEquals(List.of(3, 3, 2, 1), sizes);
        assertEquals(List.of("predicate", "predicate", "strategy", "interval"),
                batches.getReceivedExchanges().stream().map(e -> e.getProperty(Exchange.AGGREGATED_COMPLETED_BY, String.class)).toList());
    }

    static SinkEvent event(String id, int bytes) {
        return new SinkEvent(id, "pubkey", 1, 0, "x".repeat(bytes), "peer-a", System.nanoTime());
    }
}
