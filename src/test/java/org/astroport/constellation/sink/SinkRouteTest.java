package org.astroport.constellation.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.model.BeanDefinition;
import org.astroport.constellation.ingest.SinkEvent;
import org.astroport.constellation.testsupport.RouteFilesTestSupport;
import org.junit.jupiter.api.Test;

/**
 * routes/sink.camel.yaml: its micro-batches, sent at once to an idle writer, else closed by count, by byte budget
 * or once they stop growing (later while a burst is queued behind them); the write replaced by a mock.
 */
class SinkRouteTest extends RouteFilesTestSupport {

    static final long BATCH_MILLIS = 300;
    static final long BURST_MILLIS = 1500;

    SinkRouteTest() {
        super("sink.camel.yaml");
    }

    @Override
    protected void settings(Properties settings) {
        settings.setProperty("constellation.sink.batch-size", "3");
        settings.setProperty("constellation.sink.batch-millis", String.valueOf(BATCH_MILLIS));
        settings.setProperty("constellation.sink.burst-millis", String.valueOf(BURST_MILLIS));
        settings.setProperty("constellation.sink.batch-max-bytes", "2500");
        // no event is longer than this here: a batch is complete once one more could take it past 2,500
        settings.setProperty("constellation.frame.max-bytes", "1000");
    }

    @Test
    void aBatchGoesAtOnceToAnIdleWriterAndGrowsWhileTheWriterIsBusy() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AdviceWith.adviceWith(context, "sink", route -> route.weaveByType(BeanDefinition.class).replace().process(e -> {
            writing.countDown();
            release.await(10, TimeUnit.SECONDS); // the first write is slow (a strfry commit): the writer stays busy
        }).to("mock:batches"));
        context.start();
        MockEndpoint batches = getMockEndpoint("mock:batches");
        batches.expectedMessageCount(4);
        // the writer is idle: the first list is a batch at once
        template.sendBody("direct:sink", List.of(event("small-0", 100)));
        assertTrue(writing.await(5, TimeUnit.SECONDS), "the first batch went to the writer at once, not after " + BATCH_MILLIS + " ms");
        // while it writes: 2 + 1 by count (ingest's lists joined), 2 of 1,000 bytes by the byte budget (one more
        // could pass 2,500), and the last one once nothing came for BATCH_MILLIS
        template.sendBody("direct:sink", List.of(event("small-1", 100), event("small-2", 100)));
        template.sendBody("direct:sink", List.of(event("small-3", 100)));
        for (int i = 0; i < 3; i++) {
            template.sendBody("direct:sink", List.of(event("large-" + i, 1000)));
        }
        Thread.sleep(BATCH_MILLIS * 2);
        release.countDown();
        batches.assertIsSatisfied(5_000);
        List<Integer> sizes = batches.getReceivedExchanges().stream().map(e -> e.getMessage().getBody(List.class).size()).toList();
        assertEquals(List.of(1, 3, 2, 1), sizes);
        assertEquals(List.of("predicate", "predicate", "strategy", "timeout"),
                batches.getReceivedExchanges().stream().map(e -> e.getProperty(Exchange.AGGREGATED_COMPLETED_BY, String.class)).toList());

        // idle again: the next list goes at once, long before its timeout
        SinkWriter writer = context.getRegistry().lookupByNameAndType("sinkWriter", SinkWriter.class);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!writer.idle() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        batches.reset();
        batches.expectedMessageCount(1);
        long sent = System.nanoTime();
        template.sendBody("direct:sink", List.of(event("later", 100)));
        batches.assertIsSatisfied(5_000);
        long tookMillis = (System.nanoTime() - sent) / 1_000_000;
        assertTrue(tookMillis < BATCH_MILLIS, "an idle writer takes the batch at once, not after its timeout: " + tookMillis + " ms");
        assertEquals("predicate", batches.getReceivedExchanges().get(0).getProperty(Exchange.AGGREGATED_COMPLETED_BY, String.class));
    }

    @Test
    void whileFramesAreQueuedBehindItABatchWaitsForThemEvenForAnIdleWriter() throws Exception {
        AdviceWith.adviceWith(context, "sink", route -> route.weaveByType(BeanDefinition.class).replace().to("mock:batches"));
        context.start();
        AtomicBoolean framesWaiting = new AtomicBoolean(true);
        context.getRegistry().lookupByNameAndType("sinkBatchClosing", SinkBatchClosing.class).waitFor(framesWaiting::get);
        MockEndpoint batches = getMockEndpoint("mock:batches");

        // a burst: the writer is idle, but a peer's worker has more queued; the list waits for it, past BATCH_MILLIS
        template.sendBody("direct:sink", List.of(event("burst-0", 100)));
        Thread.sleep(BATCH_MILLIS * 3);
        assertEquals(0, batches.getReceivedCounter(), "a list with frames queued behind it waits for them, up to " + BURST_MILLIS + " ms");
        // the next list comes and nothing is queued any more: both go at once, as one batch (one commit)
        framesWaiting.set(false);
        batches.expectedMessageCount(1);
        template.sendBody("direct:sink", List.of(event("burst-1", 100)));
        batches.assertIsSatisfied(5_000); // how it completed is asserted below, however busy the machine
        assertEquals(2, batches.getReceivedExchanges().get(0).getMessage().getBody(List.class).size());
        assertEquals("predicate", batches.getReceivedExchanges().get(0).getProperty(Exchange.AGGREGATED_COMPLETED_BY, String.class));

        // frames queued that never come (their peer went away): the batch goes after BURST_MILLIS
        framesWaiting.set(true);
        batches.reset();
        batches.expectedMessageCount(1);
        long sent = System.nanoTime();
        template.sendBody("direct:sink", List.of(event("stranded", 100)));
        batches.assertIsSatisfied(BURST_MILLIS * 3);
        long tookMillis = (System.nanoTime() - sent) / 1_000_000;
        assertTrue(tookMillis >= BURST_MILLIS - BATCH_MILLIS, "it waited for the burst's timeout, not the quiet one: " + tookMillis + " ms");
        assertEquals("timeout", batches.getReceivedExchanges().get(0).getProperty(Exchange.AGGREGATED_COMPLETED_BY, String.class));
    }

    static SinkEvent event(String id, int bytes) {
        return new SinkEvent(id, "pubkey", 1, 0, "x".repeat(bytes), "peer-a", System.nanoTime());
    }
}
