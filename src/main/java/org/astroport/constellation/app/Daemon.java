package org.astroport.constellation.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-running process: camel-main with the YAML routes under {@code routes/}, configured from
 * {@code application.properties} plus the station's own overrides.
 */
public final class Daemon {

    private final StationHome station;
    private final Path extraConfig;

    public Daemon(StationHome station, Path extraConfig) {
        this.station = station;
        this.extraConfig = extraConfig;
    }

    public int runUntilStopped() throws Exception {
        boolean homeExisted = Files.isDirectory(station.home());
        Logging.init(station);
        Logger log = LoggerFactory.getLogger(Daemon.class);
        Main main = createMain();
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterStart(BaseMainSupport m) {
                logWhatIsWatched(log, homeExisted);
            }
        });
        try {
            main.run();
            log.info("constellation-sync stopped");
            return main.getExitCode();
        } finally {
            Logging.shutdown();
        }
    }

    /** Builds the camel-main instance; tests use it to start the real application on a temp home. */
    public Main createMain() {
        Main main = new Main();
        main.setPropertyPlaceholderLocations(placeholderLocations());
        // defaults derived from the environment; a properties file or -D still wins
        main.addInitialProperty("constellation.home", station.home().toString());
        main.addInitialProperty("constellation.node-id", station.nodeId());
        main.addInitialProperty("camel.main.routes-include-pattern", OperatorRoutes.includePattern(operatorDirectory()));
        // hot reload of the operator's directory; routes not in a changed file keep running
        boolean watchable = Files.isDirectory(station.home());
        if (watchable) {
            try {
                // Camel watches the directories present at start only: routes/ must be there before the
                // operator's first `constellation-sync routes`
                Files.createDirectories(OperatorRoutes.routesDirectory(operatorDirectory()));
                // Camel reloads a properties location only if it existed at start
                Path settings = operatorDirectory().resolve(SETTINGS_FILE);
                if (!Files.exists(settings)) {
                    Files.writeString(settings, SETTINGS_TEMPLATE);
                }
            } catch (java.io.IOException e) {
                watchable = false;
            }
        }
        // hot reload of the operator's directory by our watcher: camel-main's loads a copy made while the
        // daemon runs beside the built-in file it copies (see OperatorRoutesReloadStrategy)
        main.addInitialProperty(RELOAD_ENABLED, String.valueOf(watchable));
        main.addOverrideProperty("camel.main.routes-reload-enabled", "false");
        boolean canWatch = watchable;
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterConfigure(BaseMainSupport configured) {
                CamelContext context = configured.getCamelContext();
                if (canWatch && context.getPropertiesComponent().resolveProperty(RELOAD_ENABLED).map(Boolean::parseBoolean).orElse(false)) {
                    try {
                        context.addService(new OperatorRoutesReloadStrategy(operatorDirectory(), SyncConfiguration.routeModelChanges(context)));
                    } catch (Exception e) {
                        throw RuntimeCamelException.wrapRuntimeCamelException(e);
                    }
                }
            }
        });
        return main;
    }

    /** Whether saved routes and settings apply while the daemon runs (default: when the home exists). */
    public static final String RELOAD_ENABLED = "constellation.reload.enabled";

    /** {@code <home>/constellation-sync}: the operator's settings and edited routes, watched for changes. */
    public Path operatorDirectory() {
        return OperatorRoutes.operatorDirectory(station);
    }

    /** Camel takes the first location that defines a key: most specific first. */
    String placeholderLocations() {
        List<String> locations = new ArrayList<>();
        if (extraConfig != null) {
            locations.add("file:" + extraConfig);
        }
        locations.add("file:" + operatorDirectory().resolve(SETTINGS_FILE) + ";optional=true");
        locations.add("classpath:application.properties");
        return String.join(",", locations);
    }

    public static final String SETTINGS_FILE = "constellation-sync.properties";

    static final String SETTINGS_TEMPLATE = """
            # constellation-sync settings for this station: key = value, overriding the defaults listed
            # (with comments) in the jar's application.properties and the README. The daemon watches this
            # file: settings used by the routes (rates, batch sizes, backfill cron, ...) apply on save;
            # the others at the next start.
            # constellation.no-dms = true
            # constellation.live.max-events-per-second = 2000
            """;

    private void logWhatIsWatched(Logger log, boolean homeExisted) {
        log.info("constellation-sync started: station home {} ({}), node id {} (from {})",
                station.home(), homeExisted ? "present" : "missing: nothing to sync until Astroport creates it",
                station.nodeId().isEmpty() ? "<unknown>" : station.nodeId(), station.nodeIdSource());
        for (String rel : List.of("tmp/swarm", "game/nostr", "strfry/amisOfAmis.txt", "strfry/blacklist.txt", "flashmem", "game/secret.nostr")) {
            Path p = station.home().resolve(rel);
            log.info("  watching {} : {}", p, Files.exists(p) ? "present" : "nothing there yet");
        }
        for (Path ignored : OperatorRoutes.ignoredCopies(operatorDirectory())) {
            log.warn("route file {} is not loaded: the copy named *.camel.yaml beside it replaces it", ignored);
        }
        if (station.nodeId().isEmpty()) {
            log.warn("local IPFS node id unknown: set IPFSNODEID or constellation.node-id, or our own descriptor in tmp/swarm will be treated as a peer");
        }
    }
}
