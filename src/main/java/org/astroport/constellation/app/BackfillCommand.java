package org.astroport.constellation.app;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.apache.camel.main.Main;
import org.astroport.constellation.backfill.BackfillOptions;
import org.astroport.constellation.backfill.BackfillReport;
import org.astroport.constellation.backfill.BackfillRunner;
import org.astroport.constellation.backfill.LocalStore;
import org.astroport.constellation.backfill.StrfryLocalStore;
import org.astroport.constellation.discovery.AuthorRegistry;
import org.astroport.constellation.discovery.AuthorSource;
import org.astroport.constellation.discovery.IpfsTunnels;
import org.astroport.constellation.discovery.PeerPolicy;
import org.astroport.constellation.discovery.PeerRegistry;
import org.astroport.constellation.discovery.StationScan;

/**
 * {@code constellation-sync backfill [flags]}: the command line of backfill_constellation.sh.
 * --stats, --show-hex and --DRYRUN read the station's files and contact nothing; a real run boots
 * the same Camel application (ingest and sink routes, no live sync, no HTTP port) and runs the
 * backfill once.
 */
public final class BackfillCommand {

    private BackfillCommand() {
    }

    public static int run(List<String> args, StationHome station, Path extraConfig, PrintStream out, PrintStream err) throws Exception {
        BackfillOptions o;
        try {
            o = BackfillOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 1;
        }
        if (o.help()) {
            out.print(BackfillOptions.USAGE);
            return 0;
        }
        // the console is the command's own output; logs go to constellation-backfill.log (console too with --verbose)
        if (System.getProperty("constellation.console.level") == null) {
            System.setProperty("constellation.console.level", o.verbose() ? "INFO" : "WARN");
        }
        Logging.init(station);
        if (o.verifyRequested()) {
            out.println("--verify: every event's id and signature are always verified; nothing to switch on");
        }
        if (o.stats() || o.showHex()) {
            AuthorRegistry authors = new AuthorRegistry(station.home());
            // the files only: no tunnel, no name lookup (the peers are not dialled, only their keys read)
            PeerRegistry peers = new PeerRegistry(station.home(), station.nodeId(), 3, Clock.systemUTC(), authors, IpfsTunnels.dryRun(),
                    PeerPolicy.allowingPrivate());
            StationScan.loadAll(station.home(), peers, authors);
            if (o.showHex()) {
                showHex(authors, out);
            }
            if (o.stats()) {
                stats(station, extraConfig, authors, out);
            }
            return 0;
        }
        Main main = new Daemon(station, extraConfig).createMain();
        cliOverrides(main, o.dryRun(), OperatorRoutes.operatorDirectory(station));
        main.start();
        try {
            BackfillRunner runner = main.getCamelContext().getRegistry().lookupByNameAndType("backfill", BackfillRunner.class);
            Clock clock = main.getCamelContext().getRegistry().lookupByNameAndType("clock", Clock.class);
            long now = (clock == null ? Clock.systemUTC() : clock).millis() / 1000;
            BackfillRunner.Options opts = new BackfillRunner.Options(o.since(now), o.noDms(), !o.noProfiles(), line -> out.println("[backfill] " + line));
            if (o.dryRun()) {
                runner.plan(opts).forEach(out::println);
                return 0;
            }
            BackfillReport r = runner.run(opts);
            r.summaryLines().forEach(out::println);
            if (r.refused()) {
                err.println("backfill refused: " + r.refusal());
            } else if (r.exitStatus() != 0) {
                err.println("backfill failed: no peer could be backfilled (" + r.deadPeers() + ")");
            }
            return r.exitStatus();
        } finally {
            main.stop();
        }
    }

    /** One run, no live sync, no HTTP port (the daemon may be running), no file routes; DRYRUN opens no tunnel. */
    static void cliOverrides(Main main, boolean dryRun, Path operatorDirectory) {
        main.addOverrideProperty("camel.management.enabled", "false");
        main.addOverrideProperty("constellation.live.enabled", "false");
        main.addOverrideProperty("constellation.spool.dir-suffix", "-backfill");
        main.addOverrideProperty(Daemon.RELOAD_ENABLED, "false");
        main.addOverrideProperty("camel.main.routes-include-pattern",
                OperatorRoutes.includePattern(operatorDirectory, List.of("ingest.camel.yaml", "sink.camel.yaml"), false));
        if (dryRun) {
            main.addOverrideProperty("constellation.ipfs.dry-run", "true");
            main.addOverrideProperty("constellation.sink.mode", "none");
        }
    }

    static void showHex(AuthorRegistry authors, PrintStream out) {
        out.println("🔍 Constellation HEX Pubkeys:");
        out.println("==============================");
        List<String> all = authors.authors();
        if (all.isEmpty()) {
            out.println("No HEX pubkeys found");
            return;
        }
        out.println("Found " + all.size() + " HEX pubkeys:");
        for (String k : all) {
            out.println("  - " + k.substring(0, 8) + "..." + k.substring(56) + "  " + String.join("; ", authors.sourcesOf(k)));
        }
    }

    static void stats(StationHome station, Path extraConfig, AuthorRegistry authors, PrintStream out) {
        out.println("📊 Constellation Database Statistics:");
        out.println("====================================");
        LocalStore store = localStoreFor(station, extraConfig);
        long count = store == null ? -1 : store.eventCount();
        out.println("Current events in database: " + (count < 0 ? "Database not found" : count));
        String size = store == null ? null : store.databaseSize();
        if (size != null) {
            out.println("Database size: " + size);
        }
        Map<AuthorSource, Integer> monitored = monitoredBySource(authors);
        out.println(String.format("%-21s: %d", "MULTIPASS locaux", monitored.get(AuthorSource.MULTIPASS)));
        out.println(String.format("%-21s: %d", "amisOfAmis.txt", monitored.get(AuthorSource.AMIS)));
        out.println(String.format("%-21s: %d", "amisOfAmis (swarm)", monitored.get(AuthorSource.SWARM_AMIS)));
        out.println(String.format("%-21s: %d (pairs swarm)", "captainHEX+NODEHEX", monitored.get(AuthorSource.DESCRIPTOR)));
        out.println(String.format("%-21s: %d", "Geokeys (flashmem)", monitored.get(AuthorSource.GEOKEY)));
        out.println(String.format("%-21s: %d", "Blacklisted", authors.blacklist().stream().filter(authors::isBlacklisted).count()));
        out.println(String.format("%-21s: %d", "Invalid lines", authors.invalidLineCount()));
        out.println(String.format("%-21s: %d (après dédup)", "Total HEX surveillés", authors.size()));
    }

    /** Monitored keys per kind of source (a key listed in several kinds counts in each). */
    static Map<AuthorSource, Integer> monitoredBySource(AuthorRegistry authors) {
        Map<AuthorSource, Integer> out = new java.util.EnumMap<>(AuthorSource.class);
        for (AuthorSource s : AuthorSource.values()) {
            out.put(s, 0);
        }
        for (String k : authors.authors()) {
            java.util.Set<AuthorSource> kinds = java.util.EnumSet.noneOf(AuthorSource.class);
            for (String src : authors.sourcesOf(k)) {
                kinds.add(authors.kindOfSource(src));
            }
            kinds.forEach(s -> out.merge(s, 1, Integer::sum));
        }
        return out;
    }

    private static LocalStore localStoreFor(StationHome station, Path extraConfig) {
        Path strfry = station.home().resolve("strfry/strfry");
        String bin = System.getenv("STRFRY_BIN");
        if (bin == null && java.nio.file.Files.isExecutable(strfry)) {
            bin = strfry.toString();
        }
        if (bin == null) {
            return null;
        }
        Path conf = station.home().resolve("strfry/strfry.conf");
        return new StrfryLocalStore(bin, java.nio.file.Files.exists(conf) ? conf : null, station.home().resolve("strfry"),
                station.home().resolve("strfry/strfry-db/data.mdb"));
    }
}
