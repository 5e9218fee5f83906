package org.astroport.constellation.sync;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camel's route reload knows nothing of the peer routes we made from the template at runtime: once a
 * reload settles (one save can reload several routes), they are rebuilt from the current template.
 * <p>
 * The rebuild holds {@code routeModelChanges}, which a reload holds too: a reload slower than the
 * settle time would otherwise be changing the routes and templates while the rebuild reads them.
 */
public class ReloadListener extends EventNotifierSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadListener.class);

    private final PeerRoutes peerRoutes;
    private final Upstream upstream;
    private final long settleMillis;
    private ScheduledExecutorService timer;
    private final Lock routeModelChanges;
    private ScheduledFuture<?> pending;
    private long scheduled;
    private volatile int reloads;

    public ReloadListener(PeerRoutes peerRoutes, Upstream upstream, long settleMillis, Lock routeModelChanges) {
        this.peerRoutes = peerRoutes;
        this.upstream = upstream;
        this.settleMillis = settleMillis;
        this.routeModelChanges = routeModelChanges;
        setIgnoreRouteEvents(false);
        // only route reloads: Camel then skips this notifier on every exchange (a per-event cost on the ingest path)
        setIgnoreExchangeEvents(true);
        // and the context stopping: a rebuild must not add routes while Camel stops them (a
        // ConcurrentModificationException in its stop summary, seen when a test stopped right after a reload)
        setIgnoreCamelContextEvents(false);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.RouteReloadedEvent || event instanceof CamelEvent.CamelContextStoppingEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        if (event instanceof CamelEvent.CamelContextStoppingEvent) {
            synchronized (this) {
                if (pending != null) {
                    pending.cancel(false);
                }
            }
            peerRoutes.contextStopping(); // waits for a rebuild under way; none adds or removes a route after it
            return;
        }
        scheduleRebuild((CamelEvent.RouteReloadedEvent) event);
    }

    private synchronized void scheduleRebuild(CamelEvent.RouteReloadedEvent r) {
        if (peerRoutes.isStopping()) {
            return;
        }
        LOG.debug("route {} reloaded ({}/{})", r.getRoute().getRouteId(), r.getIndex(), r.getTotal());
        if (pending != null) {
            pending.cancel(false);
        }
        long rebuild = ++scheduled;
        pending = timer.schedule(() -> rebuild(rebuild), settleMillis, TimeUnit.MILLISECONDS);
    }

    /** Reloads seen so far (each one rebuilt the peer routes once). */
    public int reloads() {
        return reloads;
    }

    private void rebuild(long rebuild) {
        routeModelChanges.lock(); // waits for a reload under way
        try {
            synchronized (this) {
                if (rebuild != scheduled) {
                    return; // that reload rescheduled the rebuild
                }
            }
            peerRoutes.rebuildAfterReload();
            peerRoutes.unlessStopping(upstream::startIfEnabled);
            reloads++;
        } catch (RuntimeException e) {
            LOG.error("live sync: rebuilding peer routes after a reload failed: {}", e.toString());
            reloads++;
        } finally {
            routeModelChanges.unlock();
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
