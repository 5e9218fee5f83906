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
    void idleOnlyWhileNoBatchIsWrittenOrWaiting() throws Exception {
        SinkWriter writer = new SinkWriter(2);
        assertTrue(writer.idle());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        writer.execute(() -> {
            started.countDown();
            await(release);
        });
        assertTrue(started.await(5, TimeUnit.SECONDS));
        assertFalse(writer.idle(), "a batch is being written");
        CountDownLatch second = new CountDownLatch(1);
        writer.execute(() -> {
            second.countDown();
            throw new IllegalStateException("a write that fails must not leave the writer busy for ever");
        });
        release.countDown();
        assertTrue(second.await(5, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!writer.idle() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(writer.idle(), "both batches are done, the failed one too");
        writer.shutdown();
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
