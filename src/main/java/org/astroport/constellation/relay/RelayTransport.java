package org.astroport.constellation.relay;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.apache.camel.support.service.ServiceSupport;

/** The one Vert.x instance behind every relay connection; two event loops are plenty on a Pi. */
public class RelayTransport extends ServiceSupport {

    private final int eventLoops;
    private volatile Vertx vertx;

    public RelayTransport(int eventLoops) {
        this.eventLoops = eventLoops;
    }

    public synchronized Vertx vertx() {
        if (vertx == null) {
            vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setWorkerPoolSize(2).setInternalBlockingPoolSize(2));
        }
        return vertx;
    }

    /**
     * Waits for the close: at exit the JVM waits up to 300 ms for threads in native code, and an event
     * loop still in epoll is one (a one-shot backfill ended 0.3 s after its last line).
     */
    @Override
    protected synchronized void doStop() throws Exception {
        if (vertx != null) {
            io.vertx.core.Future<Void> closed = vertx.close();
            vertx = null;
            if (Vertx.currentContext() == null) { // never block an event loop on its own close
                try {
                    closed.toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    // the process goes on; its threads end with it
                }
            }
        }
    }
}
