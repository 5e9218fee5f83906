package org.astroport.constellation.sync;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteTemplateDefinition;
import org.astroport.constellation.discovery.Peer;
import org.astroport.constellation.discovery.PeerChange;
import org.astroport.constellation.discovery.PeerRegistry;
import org.astroport.constellation.relay.NostrRelayConsumer;
import org.astroport.constellation.relay.RelayTarget;
import org.astroport.constellation.untrusted.PeerText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live route per reachable peer, made from the {@code peer-sync} route template in
 * routes/live-sync.camel.yaml when the registry adds a peer, and removed when it goes away.
 */
public class PeerRoutes implements org.apache.camel.ExtendedStartupListener {

    public static final String TEMPLATE = "peer-sync";
    /** The route-local bean with the URL we dial, the peer's own relay URL and where it may connect (routes/live-sync.yaml). */
    public static final String TARGET_BEAN = "peerTarget";
    private static final Logger LOG = LoggerFactory.getLogger(PeerRoutes.class);

    private final CamelContext context;
    private final PeerRegistry registry;
    // peer id -> route id
    private final Map<String, String> routes = new ConcurrentHashMap<>();
    private final Map<String, String> urls = new ConcurrentHashMap<>();

    private final boolean enabled;
    // Camel walks its route list while it stops: adding or removing a route then throws
    private volatile boolean stopping;

    public PeerRoutes(CamelContext context, PeerRegistry registry, boolean enabled) {
        this.context = context;
        this.registry = registry;
        this.enabled = enabled;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
    }

    /**
     * After a hot reload: peer routes are rebuilt from the (possibly edited) template with the current
     * properties, and those a remove-all reload dropped come back. Each resumes from its own last
     * event, so nothing is missed while it reconnects.
     */
    public synchronized int rebuildAfterReload() {
        if (!enabled || stopping) {
            return 0;
        }
        // a reload adds the template again beside the old one, and lookups find the old one first
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        List<RouteTemplateDefinition> versions = model.getRouteTemplateDefinitions().stream().filter(t -> TEMPLATE.equals(t.getId())).toList();
        if (versions.isEmpty()) {
            LOG.error("live sync: the reloaded routes define no '{}' template; peer routes left as they were", TEMPLATE);
            return 0;
        }
        for (RouteTemplateDefinition old : versions.subList(0, versions.size() - 1)) {
            try {
                model.removeRouteTemplateDefinition(old);
            } catch (Exception e) {
                LOG.warn("live sync: dropping the previous '{}' template: {}", TEMPLATE, e.toString());
            }
        }
        for (String peerId : new java.util.ArrayList<>(routes.keySet())) {
            remove(peerId);
        }
        int n = startAll();
        LOG.info("live sync: {} peer route(s) rebuilt after a reload", n);
        return n;
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        startAll();
    }

    /** At startup (and after a routes reload): a route for every reachable peer that has none. */
    public synchronized int startAll() {
        if (stopping) {
            return 0;
        }
        if (!enabled) {
            LOG.info("live sync disabled (constellation.live.enabled=false): no peer is contacted");
            return 0;
        }
        int n = 0;
        for (Peer p : registry.reachablePeers()) {
            if (ensure(p)) {
                n++;
            }
        }
        LOG.info("live sync: {} peer route(s) running", routes.size());
        return n;
    }

    public synchronized void onPeerChange(PeerChange change) {
        if (stopping) {
            return;
        }
        Peer p = change.peer();
        switch (change.type()) {
            case ADDED -> {
                if (p.isReachable()) {
                    ensure(p);
                }
            }
            case CHANGED -> {
                String url = urls.get(p.id());
                if (!p.isReachable()) {
                    remove(p.id());
                } else if (url == null || !url.equals(p.dialUrl())) {
                    remove(p.id());
                    ensure(p);
                }
            }
            case REMOVED -> remove(p.id());
        }
    }

    /** The context begins to stop: waits for a rebuild in progress, then adds and removes no route. */
    public synchronized void contextStopping() {
        stopping = true;
    }

    public boolean isStopping() {
        return stopping;
    }

    /** Runs what starts or changes routes unless the context has begun to stop (and holds the stop back meanwhile). */
    public synchronized void unlessStopping(Runnable r) {
        if (!stopping) {
            r.run();
        }
    }

    /** The monitored authors changed: every peer re-sends its REQs (same ids replace the old ones). */
    public void resubscribeAll() {
        for (String routeId : routes.values()) {
            NostrRelayConsumer c = consumer(routeId);
            if (c != null) {
                c.resubscribe();
            }
        }
    }

    public boolean reconnect(String peerIdOrRoute) {
        String routeId = routes.getOrDefault(peerIdOrRoute, peerIdOrRoute);
        NostrRelayConsumer c = consumer(routeId);
        if (c == null) {
            return false;
        }
        c.reconnect();
        return true;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Peer routes whose socket is open now. */
    public int connectedCount() {
        int n = 0;
        for (String routeId : routes.values()) {
            NostrRelayConsumer c = consumer(routeId);
            if (c != null && c.connection() != null && c.connection().state() == org.astroport.constellation.relay.RelayConnection.State.OPEN) {
                n++;
            }
        }
        return n;
    }

    public NostrRelayConsumer consumer(String routeId) {
        Route r = context.getRoute(routeId);
        return r != null && r.getConsumer() instanceof NostrRelayConsumer c ? c : null;
    }

    /** peer id → route id */
    public Map<String, String> routes() {
        return new TreeMap<>(routes);
    }

    private boolean ensure(Peer p) {
        if (!enabled) {
            return false;
        }
        String existing = routes.get(p.id());
        if (existing != null && context.getRoute(existing) != null) {
            return false;
        }
        String name = routeName(p);
        String routeId = "peer-" + name;
        try {
            // The URLs come from another station's descriptor. As template parameters they would be
            // spliced into the endpoint URI as text, where '&' starts an option, ')' ends a RAW(...)
            // value and {{...}} is a property placeholder. A route-local bean is an object that the
            // endpoint receives as it is, so no spelling of a URL can set anything else.
            RelayTarget target = new RelayTarget(p.dialUrl(), p.relayUrl() == null ? p.dialUrl() : p.relayUrl(), registry.destinationsFor(p));
            TemplatedRouteBuilder.builder(context, TEMPLATE)
                    .routeId(routeId)
                    .parameter("peer", name)
                    .bean(TARGET_BEAN, RelayTarget.class, target)
                    .add();
            routes.put(p.id(), routeId);
            urls.put(p.id(), p.dialUrl());
            LOG.info("live sync: route {} for {} ({})", routeId, p.dialUrl(), p.id());
            return true;
        } catch (Exception e) {
            LOG.error("live sync: cannot create the route for {}: {}{}", p.describe(), e.toString(),
                    String.valueOf(e.getMessage()).contains("mandatory parameters")
                            ? " (a copy of live-sync.yaml older than this version? its peer-sync template must take the URLs as target: \"#{{" + TARGET_BEAN
                              + "}}\"; delete the copy or copy the new one with `constellation-sync routes`)" : "");
            return false;
        }
    }

    private void remove(String peerId) {
        String routeId = routes.remove(peerId);
        urls.remove(peerId);
        if (routeId == null) {
            return;
        }
        try {
            Route route = context.getRoute(routeId);
            context.getRouteController().stopRoute(routeId);
            context.removeRoute(routeId);
            // the endpoint too: it holds the peer's target, and one made again from the same URI must start
            // from the nostr-relay component's settings of now (a saved settings file), not from the cached one
            if (route != null) {
                context.removeEndpoint(route.getEndpoint());
            }
            LOG.info("live sync: route {} removed", routeId);
        } catch (Exception e) {
            LOG.warn("live sync: removing route {}: {}", routeId, e.toString());
        }
    }

    /** The peer's name in its route id and endpoint URI: letters, digits, '.', '_', '-' only. */
    private String routeName(Peer p) {
        String base = PeerText.name(p.hostname());
        if (base == null) {
            base = PeerText.name(p.id());
        }
        if (base == null) {
            base = "unnamed";
        }
        for (Map.Entry<String, String> e : routes.entrySet()) {
            if (!e.getKey().equals(p.id()) && e.getValue().equals("peer-" + base)) {
                return base + "-" + p.id().substring(Math.max(0, p.id().length() - 6));
            }
        }
        return base;
    }
}
