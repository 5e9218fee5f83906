package org.astroport.constellation.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
        return main;
    }

    /** Camel takes the first location that defines a key: most specific first. */
    String placeholderLocations() {
        List<String> locations = new ArrayList<>();
        if (extraConfig != null) {
            locations.add("file:" + extraConfig);
        }
        locations.add("file:" + station.home().resolve("constellation-sync.properties") + ";optional=true");
        locations.add("classpath:application.properties");
        return String.join(",", locations);
    }

    private void logWhatIsWatched(Logger log, boolean homeExisted) {
        log.info("constellation-sync started: station home {} ({}), node id {} (from {})",
                station.home(), homeExisted ? "present" : "missing: nothing to sync until Astroport creates it",
                station.nodeId().isEmpty() ? "<unknown>" : station.nodeId(), station.nodeIdSource());
        for (String rel : List.of("tmp/swarm", "game/nostr", "strfry/amisOfAmis.txt", "strfry/blacklist.txt", "flashmem", "game/secret.nostr")) {
            Path p = station.home().resolve(rel);
            log.info("  watching {} : {}", p, Files.exists(p) ? "present" : "nothing there yet");
        }
        if (station.nodeId().isEmpty()) {
            log.warn("local IPFS node id unknown: set IPFSNODEID or constellation.node-id, or our own descriptor in tmp/swarm will be treated as a peer");
        }
    }
}
