package org.astroport.constellation.sync;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camel's route reload knows nothing of the peer routes we made from the template at runtime: once a
 * reload settles (one save can reload several routes), they are rebuilt from the current template.
 */
public class ReloadListener extends EventNotifierSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadListener.class);

    private final PeerRoutes peerRoutes;
    private final Upstream upstream;
    private final long settleMillis;
    private ScheduledExecutorService timer;
    private ScheduledFuture<?> pending;
    private volatile int reloads;

    public ReloadListener(PeerRoutes peerRoutes, Upstream upstream, long settleMillis) {
        this.peerRoutes = peerRoutes;
        this.upstream = upstream;
        this.settleMillis = settleMillis;
        setIgnoreRouteEvents(false);
        // only route reloads: Camel then skips this notifier on every exchange (a per-event cost on the ingest path)
        setIgnoreExchangeEvents(true);
        setIgnoreCamelContextEvents(false);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.RouteReloadedEvent || event instanceof CamelEvent.CamelContextStoppingEvent;
    }

    @Override
    public synchronized void notify(CamelEvent event) {
        if (event instanceof CamelEvent.CamelContextStoppingEvent) {
            if (pending != null) {
                pending.cancel(false);
            }
            peerRoutes.contextStopping();
            return;
        }
        CamelEvent.RouteReloadedEvent r = (CamelEvent.RouteReloadedEvent) event;
        LOG.debug("route {} reloaded ({}/{})", r.getRoute().getRouteId(), r.getIndex(), r.getTotal());
        if (pending != null) {
            pending.cancel(false);
        }
        pending = timer.schedule(this::rebuild, settleMillis, TimeUnit.MILLISECONDS);
    }

    /** Reloads seen so far (each one rebuilt the peer routes once). */
    public int reloads() {
        return reloads;
    }

    private void rebuild() {
        try {
            peerRoutes.rebuildAfterReload();
            if (!peerRoutes.isStopping()) {
                upstream.startIfEnabled();
            }
        } catch (RuntimeException e) {
            LOG.error("live sync: rebuilding peer routes after a reload failed: {}", e.toString());
        } finally {
            reloads++;
        }
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        timer = getCamelContext().getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "reload-peer-routes");
    }

    @Override
    protected void doStop() throws Exception {
        if (timer != null) {
            getCamelContext().getExecutorServiceManager().shutdown(timer);
        }
        super.doStop();
    }
}
