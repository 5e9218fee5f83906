package org.astroport.constellation.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.locks.Lock;

import org.apache.camel.Route;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.TemplatedRouteDefinition;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.PropertyBindingSupport;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.apache.camel.util.StringHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camel's route watcher on {@code <home>/constellation-sync/}, knowing that a file in {@code routes/}
 * stands for the built-in route file of the same name (see {@link OperatorRoutes}). Installed by
 * {@link Daemon} instead of camel-main's ({@code camel.main.routes-reload-*}).
 * <p>
 * Camel reloads a saved file together with the resources bound as {@link #RELOAD_RESOURCES} (here the
 * route files in force, so that a saved settings file rebuilds every route). Bound once at start, that
 * list kept {@code classpath:routes/ingest.camel.yaml} after the operator copied it: the copy and the
 * built-in file were loaded side by side, the reload failed on duplicate route ids and the built-in
 * routes ran on until a restart. Here the files in force are listed anew at every reload; the routes
 * their {@code templatedRoute}s make, which Camel's reload leaves alone, are made again; and the routes
 * of a file no longer in force (a built-in shadowed by a copy, a deleted copy) are removed. A broken
 * edit fails the reload and leaves the running routes as they were.
 */
public class OperatorRoutesReloadStrategy extends RouteWatcherReloadStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(OperatorRoutesReloadStrategy.class);

    private static final String RELAY_COMPONENT = "nostr-relay";
    private final Path operatorDirectory;
    // held by a reload, and by the peer routes' rebuild after it (sync/ReloadListener)
    private final Lock routeModelChanges;
    private volatile boolean stopping;

    public OperatorRoutesReloadStrategy(Path operatorDirectory, Lock routeModelChanges) {
        super(operatorDirectory.toString(), true);
        this.routeModelChanges = routeModelChanges;
        // *.yaml: route files (routes/*.camel.yaml, and copies under their old names); *.properties: the settings file
        setPattern("*.yaml,*.properties");
        // Camel's default removes every route, the peer routes made at runtime too, and in 4.17 then
        // fails on duplicate ids when several files were loaded
        setRemoveAllRoutes(false);
        this.operatorDirectory = operatorDirectory;
    }

    @Override
    protected void doStart() throws Exception {
        getCamelContext().getRegistry().bind(RELOAD_RESOURCES, new RouteFilesInForce());
        // a reload must not add or remove routes while Camel stops them (a ConcurrentModificationException
        // in its stop summary, seen when the daemon stopped right after a saved file)
        getCamelContext().getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            {
                // the context's events only: Camel then skips this notifier on every exchange
                setIgnoreExchangeEvents(true);
                setIgnoreRouteEvents(true);
                setIgnoreServiceEvents(true);
                setIgnoreStepEvents(true);
            }

            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.CamelContextStoppingEvent;
            }

            @Override
            public void notify(CamelEvent event) {
                stopping = true;
                routeModelChanges.lock(); // waits for a reload under way
                routeModelChanges.unlock();
            }
        });
        super.doStart();
    }

    @Override
    protected void onRouteReload(Collection<Resource> changed, boolean removeEverything) {
        routeModelChanges.lock();
        try {
            if (!stopping) {
                reloadFilesInForce(changed, removeEverything);
            }
        } finally {
            routeModelChanges.unlock();
        }
    }

    private void reloadFilesInForce(Collection<Resource> changed, boolean removeEverything) {
        if (!routeFilesWritten()) {
            return;
        }
        Set<String> inForce = Set.copyOf(OperatorRoutes.locations(operatorDirectory));
        // a file that stands for nothing (an old copy in a subdirectory, say) would clash with the one in force
        List<Resource> loaded = changed == null ? null : changed.stream().filter(r -> inForce.contains(r.getLocation())).toList();
        reconfigureRelayComponent();
        super.onRouteReload(loaded, removeEverything);
        try {
            keepTheReloadedTemplates();
            rebuildTemplatedRoutes();
        } catch (Exception e) {
            throw RuntimeCamelException.wrapRuntimeException(e);
        }
        removeRoutesNotFrom(inForce);
    }

    /**
     * camel-main configures the nostr-relay component once, at start, from camel.component.nostr-relay.*
     * (whose values are constellation.live.* settings): it is configured again from the settings in force,
     * so that the peer routes rebuilt after a saved settings file start from the new values.
     */
    private void reconfigureRelayComponent() {
        String prefix = "camel.component." + RELAY_COMPONENT + ".";
        Map<String, Object> options = new LinkedHashMap<>();
        // by name: Camel's ordered Properties are empty to forEach
        Properties all = getCamelContext().getPropertiesComponent().loadProperties(key -> key.startsWith(prefix));
        for (String key : all.stringPropertyNames()) {
            options.put(StringHelper.dashToCamelCase(key.substring(prefix.length())), getCamelContext().resolvePropertyPlaceholders(all.getProperty(key)));
        }
        if (!options.isEmpty()) {
            PropertyBindingSupport.build().withCamelContext(getCamelContext()).withTarget(getCamelContext().getComponent(RELAY_COMPONENT))
                    .withProperties(options).withIgnoreCase(true).bind();
        }
    }

    /**
     * Every file in force is reloaded with the one saved, and an editor that saves in place truncates the
     * file before it writes it: read empty, a reload fails, and one that failed there left the next ones
     * failing on duplicate route ids until a restart. An empty file is waited for (its save is under way);
     * one still empty after a second is left for the save that fills it.
     */
    private boolean routeFilesWritten() {
        for (int attempt = 0; ; attempt++) {
            Path empty = OperatorRoutes.locations(operatorDirectory).stream().filter(l -> l.startsWith("file:"))
                    .map(l -> Path.of(l.substring("file:".length()))).filter(OperatorRoutesReloadStrategy::isEmpty).findFirst().orElse(null);
            if (empty == null) {
                return true;
            }
            if (attempt == 10) {
                LOG.warn("routes not reloaded: {} is empty (reloaded when it is saved with routes in it, or deleted)", empty);
                return false;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private static boolean isEmpty(Path file) {
        try {
            return Files.size(file) == 0;
        } catch (java.io.IOException e) {
            return false; // gone since it was listed: the next listing does without it
        }
    }

    /** Camel 4.17 adds a reloaded route template beside the previous version, and lookups find the first. */
    private void keepTheReloadedTemplates() throws Exception {
        Map<String, List<RouteTemplateDefinition>> versions = new LinkedHashMap<>();
        for (RouteTemplateDefinition t : model().getRouteTemplateDefinitions()) {
            versions.computeIfAbsent(t.getId(), id -> new ArrayList<>()).add(t);
        }
        for (List<RouteTemplateDefinition> v : versions.values()) {
            for (RouteTemplateDefinition previous : v.subList(0, v.size() - 1)) {
                model().removeRouteTemplateDefinition(previous);
            }
        }
    }

    /**
     * Camel 4.17 reloads the routes of a file but not those its {@code templatedRoute}s make (discovery's
     * file consumers): they would keep their old template, parameters and settings. They are made
     * again here from the files in force, each replacing the route of the same id.
     */
    private void rebuildTemplatedRoutes() throws Exception {
        for (RoutesBuilder builder : PluginHelper.getRoutesLoader(getCamelContext()).findRoutesBuilders(new RouteFilesInForce())) {
            if (!(builder instanceof RouteBuilder routes)) {
                continue;
            }
            routes.configureRoutes(getCamelContext());
            for (TemplatedRouteDefinition templated : routes.getTemplatedRouteCollection().getTemplatedRoutes()) {
                if (templated.getRouteId() == null) {
                    LOG.warn("a templatedRoute of {} has no routeId: it is not rebuilt on reload", templated.getRouteTemplateRef());
                    continue;
                }
                remove(templated.getRouteId());
                model().addRouteFromTemplatedRoute(templated);
            }
        }
    }

    private void removeRoutesNotFrom(Set<String> inForce) {
        for (Route route : List.copyOf(getCamelContext().getRoutes())) {
            Resource source = route.getSourceResource();
            // routes made from a template have no file: PeerRoutes rebuilds the peer routes after a reload
            if (source == null || inForce.contains(source.getLocation())) {
                continue;
            }
            try {
                remove(route.getRouteId());
                LOG.info("route {} removed: {} is no longer a route file in force", route.getRouteId(), source.getLocation());
            } catch (Exception e) {
                LOG.warn("route {} from {} could not be removed: {}", route.getRouteId(), source.getLocation(), e.toString());
            }
        }
    }

    private void remove(String routeId) throws Exception {
        if (getCamelContext().getRoute(routeId) != null) {
            getCamelContext().getRouteController().stopRoute(routeId);
            getCamelContext().removeRoute(routeId);
        }
    }

    private Model model() {
        return getCamelContext().getCamelContextExtension().getContextPlugin(Model.class);
    }

    /** Listed from the disk at each use: copies appear and go while the daemon runs. */
    private final class RouteFilesInForce extends AbstractCollection<Resource> {

        @Override
        public Iterator<Resource> iterator() {
            return OperatorRoutes.locations(operatorDirectory).stream()
                    .map(location -> PluginHelper.getResourceLoader(getCamelContext()).resolveResource(location)).iterator();
        }

        @Override
        public int size() {
            return OperatorRoutes.locations(operatorDirectory).size();
        }
    }
}
