package org.astroport.constellation.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class SinkWriterTest {

    @Test
    void aFullQueueBlocksTheCallerAndBatchesStayInOrder() throws Exception {
        SinkWriter writer = new SinkWriter(1);
        CountDownLatch sinkStuck = new CountDownLatch(1);
        CountDownLatch firstStarted = new CountDownLatch(1);
        List<Integer> written = new CopyOnWriteArrayList<>();
        writer.execute(() -> {
            firstStarted.countDown();
            await(sinkStuck);
            written.add(1);
        });
        assertTrue(firstStarted.await(5, TimeUnit.SECONDS));
        writer.execute(() -> written.add(2)); // fills the queue
        CountDownLatch thirdHandedOver = new CountDownLatch(1);
        Thread peer = new Thread(() -> {
            writer.execute(() -> written.add(3));
            thirdHandedOver.countDown();
        });
        peer.start();
        assertFalse(thirdHandedOver.await(300, TimeUnit.MILLISECONDS), "the third batch must wait while the sink is stuck");
        assertEquals(1, writer.waits());
        sinkStuck.countDown();
        assertTrue(thirdHandedOver.await(5, TimeUnit.SECONDS));
        writer.shutdown();
        assertTrue(writer.awaitTermination(5, TimeUnit.SECONDS));
        assertEquals(List.of(1, 2, 3), written);
    }

    @Test
    void afterShutdownTheCallerWritesItsOwnBatch() throws Exception {
        SinkWriter writer = new SinkWriter(1);
        writer.shutdown();
        assertTrue(writer.awaitTermination(5, TimeUnit.SECONDS));
        List<String> ranOn = new CopyOnWriteArrayList<>();
        writer.execute(() -> ranOn.add(Thread.currentThread().getName()));
        assertEquals(List.of(Thread.currentThread().getName()), ranOn);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
