package org.astroport.constellation.app;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Top-level command line: global options, then a command. The daemon is the default command so that
 * {@code java -jar constellation-sync.jar} does the main job.
 */
public final class CommandLine {

    /** Returned by commands that leave the JVM to its own shutdown. */
    public static final int KEEP_RUNNING = Integer.MIN_VALUE;

    static final String USAGE = """
            Usage: constellation-sync [--home DIR] [--node-id ID] [--config FILE] [COMMAND [ARGS]]

            Commands:
              run                 the daemon (default): live sync from every peer into the local strfry
              backfill [FLAGS]    one catch-up run, flags as backfill_constellation.sh (backfill --help)
              stats               events in the local strfry, monitored keys per source
              show-hex            the monitored keys with their sources
              routes              copy the built-in YAML routes into <home>/constellation-sync/routes
                                  to edit them (a running daemon applies saved edits at once)
              help                this text

            Options:
              --home DIR          station home (default: $CONSTELLATION_HOME, $ZEN_HOME or ~/.zen)
              --node-id ID        this station's IPFS node id (default: $IPFSNODEID or ~/.ipfs/config)
              --config FILE       extra properties file overriding application.properties
                                  (<home>/constellation-sync/constellation-sync.properties is
                                  always read, and watched by the daemon)
            """;

    private CommandLine() {
    }

    public static int run(String[] args) throws Exception {
        return run(args, System.getenv(), System.out, System.err);
    }

    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
        String home = null;
        String nodeId = null;
        String config = null;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--home" -> home = value(args, ++i, a);
                case "--node-id" -> nodeId = value(args, ++i, a);
                case "--config" -> config = value(args, ++i, a);
                default -> {
                    if (a.startsWith("--home=")) {
                        home = a.substring(7);
                    } else if (a.startsWith("--node-id=")) {
                        nodeId = a.substring(10);
                    } else if (a.startsWith("--config=")) {
                        config = a.substring(9);
                    } else {
                        rest.add(a);
                    }
                }
            }
        }
        String command = rest.isEmpty() ? "run" : rest.remove(0);
        // $HOME, as the station's shell scripts (and the launcher's pid file) use it; Java's user.home is
        // the passwd entry, which differs under sudo -u, systemd User= or a container
        String userHome = env.get("HOME") != null && !env.get("HOME").isBlank() ? env.get("HOME") : System.getProperty("user.home");
        StationHome station = StationHome.resolve(home, nodeId, env, userHome);
        switch (command) {
            case "run", "daemon", "start" -> {
                Path configFile = config == null ? null : Path.of(config).toAbsolutePath();
                return new Daemon(station, configFile).runUntilStopped();
            }
            case "backfill" -> {
                Path configFile = config == null ? null : Path.of(config).toAbsolutePath();
                return BackfillCommand.run(rest, station, configFile, out, err);
            }
            case "stats" -> {
                rest.add("--stats");
                return BackfillCommand.run(rest, station, null, out, err);
            }
            case "show-hex" -> {
                rest.add("--show-hex");
                return BackfillCommand.run(rest, station, null, out, err);
            }
            case "routes" -> {
                Path dir = OperatorRoutes.operatorDirectory(station);
                List<Path> written = OperatorRoutes.export(dir);
                for (Path p : written) {
                    out.println("wrote " + p);
                }
                out.println(written.isEmpty() ? "nothing to copy: " + OperatorRoutes.routesDirectory(dir) + " already has every built-in route"
                        : "edit them there; the daemon loads these instead of the built-in ones (delete a file to go back to the built-in route)");
                return 0;
            }
            case "help", "--help", "-h" -> {
                out.print(USAGE);
                return 0;
            }
            default -> {
                err.println("constellation-sync: unknown command '" + command + "'");
                err.print(USAGE);
                return 2;
            }
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}
