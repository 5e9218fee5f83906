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

    @Override
    protected synchronized void doStop() {
        if (vertx != null) {
            vertx.close();
            vertx = null;
        }
    }
}
