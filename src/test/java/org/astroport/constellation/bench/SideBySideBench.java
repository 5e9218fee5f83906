package org.astroport.constellation.bench;

import static org.astroport.constellation.testsupport.RunningApp.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import org.astroport.constellation.testsupport.AppProcess;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.StrfryProcess;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tools we replace and ours, on the same data in the same run (needs STRFRY_BIN):
 * {@code STRFRY_BIN=... mvn -B -Pbench test -Dtest=SideBySideBench [-Dbench.events=100000] [-Dbench.rounds=3] [-Dbench.only=latency [-Dbench.rate=200]]}.
 * Rows: a live mirror of a burst imported into the source relay (strfry router vs the daemon); a full
 * backfill into an empty store and an incremental one with 1 % missing (strfry sync vs our backfill);
 * latency from a publisher on the source relay to a subscriber of the local relay at 200 events/s
 * (one strfry hop alone, router, the daemon with each sink). Medians of the rounds, and their ratios.
 */
@Tag("bench")
@EnabledIfEnvironmentVariable(named = StrfryProcess.ENV, matches = ".+")
class SideBySideBench {

    static final int EVENTS = Integer.getInteger("bench.events", 100_000);
    static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    static final long T = Fixtures.REFERENCE_TIME;
    /** -Dbench.only=mirror|backfill: those rows only, without the latency run (latency and incremental are their own runs). */
    static final String ONLY = System.getProperty("bench.only", "");
    /** -Dbench.skip-router=true: the mirror row of the daemon alone (paired runs of two builds or settings). */
    static final boolean SKIP_ROUTER = Boolean.getBoolean("bench.skip-router");
    /** -Dbench.trace-count=true: each count of the local store while a mirror catches up, after the source's import ended. */
    static final boolean TRACE_COUNT = Boolean.getBoolean("bench.trace-count");
    /**
     * -Dbench.trace-lag=true: every 500 ms of a mirror run, from the source's import until the local store holds the burst,
     * the source's count and the local store's (a diagnostic: both relays then count their stores meanwhile, which loads
     * them; not for the timed rows).
     */
    static final boolean TRACE_LAG = Boolean.getBoolean("bench.trace-lag");
    /** -Dbench.daemon-jvm="...": JVM options added to the launcher's for the daemon runs (an experiment: -XX:TieredStopAtLevel=4 is C2 again). */
    static final List<String> DAEMON_JVM = jvmOptions("bench.daemon-jvm");
    /** -Dbench.backfill-jvm="...": JVM options added to the launcher's for the backfill runs (an experiment; {run}: the run's name). */
    static final List<String> BACKFILL_JVM = jvmOptions("bench.backfill-jvm");
    /**
     * -Dbench.backfill-jvm-b="...": an A/B of JVM options (or of a -D switch in the code) for the full backfill alone,
     * without strfry: each round runs ours with -Dbench.backfill-jvm and with these, each first in turn. The machine's
     * noise moves a run by ±0.5 s, so the median of the per-round differences says more than the two medians.
     */
    static final List<String> BACKFILL_JVM_B = jvmOptions("bench.backfill-jvm-b");
    private static List<String> backfillJvm = BACKFILL_JVM; // which of the two a backfill run starts with
    /**
     * -Dbench.settings-b=key=value,...: an A/B of the daemon's settings for the mirror alone, without strfry router: each
     * round runs ours with -Dbench.settings (A) and with these on top (B), each first in turn.
     */
    static final String SETTINGS_B = System.getProperty("bench.settings-b", "");
    /** -Dbench.settings=key=value,...: an experiment with the daemon's and the backfill's settings (A, in an A/B). */
    static final String SETTINGS = System.getProperty("bench.settings", "");
    private static String daemonSettings = SETTINGS; // which of the two a daemon starts with
    /** -Dbench.daemon-jvm-b="...": the same A/B of the daemon's JVM options (B: -Dbench.daemon-jvm and these). */
    static final List<String> DAEMON_JVM_B = jvmOptions("bench.daemon-jvm-b");
    private static List<String> daemonJvm = DAEMON_JVM;

    /**
     * held: events the local store ended with (all of them, unless the tool stalled short of them); drops: disconnects
     * the source relay logged while the mirror ran (-1: not a mirror).
     */
    record Run(double seconds, long rssMb, long cuts, long drops, long held) {
    }

    /** -Dbench.settings-b, -Dbench.daemon-jvm-b: each round runs our mirror both ways, each first in turn. */
    private void abOfMirrors(Path tmp, List<String> events) throws Exception {
        String a = SETTINGS;
        String b = a.isEmpty() ? SETTINGS_B : a + "," + SETTINGS_B;
        List<String> jvmB = new ArrayList<>(DAEMON_JVM);
        jvmB.addAll(DAEMON_JVM_B);
        List<Run> runsA = new ArrayList<>();
        List<Run> runsB = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            for (int i = 0; i < 2; i++) {
                boolean isB = (r + i) % 2 == 1;
                daemonSettings = isB ? b : a;
                daemonJvm = isB ? jvmB : DAEMON_JVM;
                System.out.printf("BENCH   round %d, %s:%n", r, isB ? "B" : "A");
                (isB ? runsB : runsA).add(mirror(tmp.resolve("round-" + r).resolve(isB ? "mirror-b" : "mirror-a"), events, null));
            }
        }
        Map<String, List<Run>> rows = new java.util.LinkedHashMap<>();
        rows.put("mirror, A: " + a + " " + DAEMON_JVM, runsA);
        rows.put("mirror, B: " + b + " " + jvmB, runsB);
        daemonSettings = a;
        daemonJvm = DAEMON_JVM;
        printAb(rows);
    }

    /** Both rows' medians and the median of the per-round differences, B - A (the machine's noise moves a run more). */
    private static void printAb(Map<String, List<Run>> rows) {
        rows.forEach((row, runs) -> System.out.printf("BENCH %s: median %.2f s, runs %s%s%n", row,
                Median.of(runs.stream().mapToDouble(Run::seconds).toArray()), runs.stream().map(x -> String.format("%.2f", x.seconds())).toList(),
                runs.get(0).rssMb() < 0 ? "" : ", peak RSS (MB) " + runs.stream().map(Run::rssMb).toList()));
        List<List<Run>> ab = List.copyOf(rows.values());
        double[] diff = java.util.stream.IntStream.range(0, ROUNDS).mapToDouble(r -> ab.get(1).get(r).seconds() - ab.get(0).get(r).seconds()).sorted().toArray();
        System.out.printf("BENCH B - A per round: median %+.2f s, %s; B faster in %d of %d%n", Median.of(diff),
                java.util.Arrays.stream(diff).mapToObj(d -> String.format("%+.2f", d)).toList(), java.util.Arrays.stream(diff).filter(d -> d < 0).count(), ROUNDS);
    }

    /** -Dbench.backfill-jvm-b: each round runs our backfill with both settings (keeping keepPercent % locally), each first in turn. */
    private void abOfBackfills(Path tmp, List<String> events, int keepPercent, String name) throws Exception {
        Map<String, List<Run>> rows = new java.util.LinkedHashMap<>();
        for (int r = 0; r < ROUNDS; r++) {
            for (int i = 0; i < 2; i++) {
                boolean b = (r + i) % 2 == 1;
                backfillJvm = b ? BACKFILL_JVM_B : BACKFILL_JVM;
                rows.computeIfAbsent(name + ", " + (b ? "B " : "A ") + backfillJvm, k -> new ArrayList<>())
                        .add(backfill(tmp.resolve("round-" + r).resolve(b ? "bf-b" : "bf-a"), events, keepPercent, false));
            }
        }
        printAb(rows);
    }

    @Test
    void sideBySide(@TempDir Path tmp) throws Exception {
        AppProcess.preparePackaged();
        if (System.getProperty("bench.keep-logs") != null) {
            Files.createDirectories(Path.of(System.getProperty("bench.keep-logs"))); // a folder named but not made yet
        }
        if ("latency".equals(System.getProperty("bench.only"))) {
            latency(tmp.resolve("latency"), Integer.getInteger("bench.rate", 200));
            return;
        }
        if (!"mirror".equals(ONLY)) {
            firstBackfillAfterBuild(tmp);
        }
        if ("incremental".equals(System.getProperty("bench.only")) && System.getProperty("bench.backfill-jvm-b") != null) {
            abOfBackfills(tmp, LiveSyncBench.sign(EVENTS, T - 3000, "side"), 99, "1 % missing");
            return;
        }
        if ("incremental".equals(System.getProperty("bench.only"))) {
            List<String> events = LiveSyncBench.sign(EVENTS, T - 3000, "side");
            for (int r = 0; r < ROUNDS; r++) {
                Run ours = backfill(tmp.resolve("bf-inc-" + r), events, 99, false);
                Run sync = backfill(tmp.resolve("sync-inc-" + r), events, 99, true);
                System.out.printf("BENCH 1 %% missing, round %d: strfry sync %.2f s, backfill --days 0 %.2f s%n", r, sync.seconds(), ours.seconds());
            }
            printReconciliations();
            return;
        }
        List<String> events = LiveSyncBench.sign(EVENTS, T - 3000, "side");
        Map<String, List<Run>> rows = new java.util.LinkedHashMap<>();
        if (!SETTINGS_B.isEmpty() || !DAEMON_JVM_B.isEmpty()) {
            abOfMirrors(tmp, events);
            return;
        }
        if (System.getProperty("bench.backfill-jvm-b") != null) {
            abOfBackfills(tmp, events, 0, "full backfill");
            return;
        }
        for (int r = 0; r < ROUNDS; r++) {
            Path round = tmp.resolve("round-" + r);
            if (!"backfill".equals(ONLY)) {
                if (!SKIP_ROUTER) {
                    rows.computeIfAbsent("mirror: strfry router", k -> new ArrayList<>()).add(mirror(round.resolve("router"), events, this::router));
                }
                rows.computeIfAbsent("mirror: constellation-sync", k -> new ArrayList<>()).add(mirror(round.resolve("daemon"), events, null));
                rows.computeIfAbsent(IMPORT_ALONE, k -> new ArrayList<>()).add(importAlone(round.resolve("import-alone"), events));
            }
            if ("mirror".equals(ONLY)) {
                continue;
            }
            rows.computeIfAbsent("full backfill: strfry sync --dir down", k -> new ArrayList<>()).add(backfill(round.resolve("sync-full"), events, 0, true));
            rows.computeIfAbsent("full backfill: backfill --days 0", k -> new ArrayList<>()).add(backfill(round.resolve("bf-full"), events, 0, false));
            // ours first: strfry sync is then also run with the filter ours reconciled
            rows.computeIfAbsent("1 % missing: backfill --days 0", k -> new ArrayList<>()).add(backfill(round.resolve("bf-inc"), events, 99, false));
            rows.computeIfAbsent("1 % missing: strfry sync --dir down", k -> new ArrayList<>()).add(backfill(round.resolve("sync-inc"), events, 99, true));
        }
        System.out.printf("BENCH side by side, %,d events, medians of %d%n", EVENTS, ROUNDS);
        Map<String, Double> median = new HashMap<>();
        rows.forEach((name, runs) -> {
            // a run that stalled short of the burst did not do the job: its time to the stall is no time to compare
            // (strfry router, once cut, never asks for what it missed); the median is over the runs that finished
            List<Run> finished = runs.stream().filter(x -> x.held() >= EVENTS).toList();
            double s = Median.of(finished.stream().mapToDouble(Run::seconds).toArray());
            long rss = Math.round(Median.of(runs.stream().mapToDouble(Run::rssMb).toArray()));
            long cuts = runs.stream().mapToLong(Run::cuts).sum();
            long drops = runs.stream().mapToLong(Run::drops).sum();
            String short_ = runs.stream().filter(x -> x.held() < EVENTS).map(x -> String.format("%,d", x.held())).collect(java.util.stream.Collectors.joining(", "));
            median.put(name, s);
            System.out.printf("BENCH %-40s %7.1f s  %,8.0f ev/s%s%s  runs %s%s%n", name, s, EVENTS / s,
                    name.equals(IMPORT_ALONE) ? "" : String.format("  peak RSS %4d MB  cut as a slow client %d time(s)", rss, cuts),
                    drops < 0 ? "" : String.format("  connection to the source dropped %d time(s)", drops),
                    runs.stream().map(x -> String.format("%.1f", x.seconds())).toList(),
                    short_.isEmpty() ? "" : "  STALLED short of " + String.format("%,d", EVENTS) + " (events held): " + short_
                            + "; the median is of the " + finished.size() + " run(s) that finished");
        });
        // the rows this run measured (-Dbench.only leaves some out)
        StringBuilder ratios = new StringBuilder();
        for (String[] row : ROW_PAIRS) {
            if (median.containsKey(row[1]) && median.containsKey(row[2]) && !median.get(row[1]).isNaN() && !median.get(row[2]).isNaN()) {
                ratios.append(String.format(" %s %.2f", row[0], median.get(row[1]) / median.get(row[2])));
            }
        }
        System.out.println("BENCH ratio (ours / strfry):" + ratios);
        printPairedRatios(rows);
        printReconciliations();
        if (ONLY.isEmpty()) {
            latency(tmp.resolve("latency"), 200);
        }
    }

    /**
     * The row no mirror can beat: the same burst imported into the source relay with no mirror running (a mirror that cost
     * nothing would hold it all when the import ends). Its ratio to strfry router is the floor of the mirror's ratio on
     * this machine: what is left above it is the CPU a mirror takes from the import and the events it holds back at its end.
     */
    static final String IMPORT_ALONE = "mirror: none (the source's import alone)";

    /** The rows compared: {name, ours, strfry's}. */
    static final String[][] ROW_PAIRS = {{"mirror", "mirror: constellation-sync", "mirror: strfry router"},
            {"a mirror that cost nothing", IMPORT_ALONE, "mirror: strfry router"},
            {"full backfill", "full backfill: backfill --days 0", "full backfill: strfry sync --dir down"},
            {"1 % missing", "1 % missing: backfill --days 0", "1 % missing: strfry sync --dir down"}};

    /**
     * Each round's ratio, ours / strfry, over the rounds in which both finished: the ratio of two medians compares runs of
     * different rounds once strfry router stalls in some (a run of 2026-12-03 gave 0.63 from ours' median and the router's one
     * finished run, in the slowest round, where ours was 0.75 of it). Both tools ran one after the other in each round.
     */
    static void printPairedRatios(Map<String, List<Run>> rows) {
        for (String[] row : ROW_PAIRS) {
            List<Run> ours = rows.get(row[1]);
            List<Run> theirs = rows.get(row[2]);
            if (ours == null || theirs == null) {
                continue;
            }
            List<Double> paired = new ArrayList<>();
            for (int r = 0; r < Math.min(ours.size(), theirs.size()); r++) {
                if (ours.get(r).held() >= EVENTS && theirs.get(r).held() >= EVENTS) {
                    paired.add(ours.get(r).seconds() / theirs.get(r).seconds());
                }
            }
            System.out.printf("BENCH ratio by round (ours / strfry, the rounds in which both finished), %s: %s, median %s%n", row[0],
                    paired.stream().map(x -> String.format("%.2f", x)).toList(),
                    paired.isEmpty() ? "none" : String.format("%.2f", Median.of(paired.stream().mapToDouble(Double::doubleValue).toArray())));
        }
    }

    /** A burst imported into the source relay while the mirror runs, until the local store holds it all. */
    Run mirror(Path dir, List<String> events, RouterStarter router) throws Exception {
        try (StrfryProcess source = StrfryProcess.create(dir.resolve("source"), "127.0.0.2").startRelay();
             StrfryProcess local = StrfryProcess.create(dir.resolve("local"))) {
            local.startRelay();
            Supplier<Long> rss;
            AutoCloseable started;
            long pid;
            AppProcess app = null;
            if (router != null) {
                Process p = router.start(dir, source, local);
                started = p::destroy;
                rss = () -> peakRssMb(p.pid());
                pid = p.pid();
            } else {
                app = daemon(dir, source, local, "import", "run");
                started = app;
                AppProcess a = app;
                rss = () -> a.peakRssKb() / 1024;
                pid = app.pid();
            }
            // the count's connection is opened before the clock starts: a first connection in a JVM takes a while
            try (AutoCloseable mirror = started; RelayCount counter = RelayCount.open(local.url())) {
                Thread.sleep(3000); // connected and subscribed
                // the lag trace's connection to the source closes after the run's dropped connections are counted
                try (AutoCloseable lag = TRACE_LAG ? traceLag(source, local) : () -> { }) {
                    long self = ProcessHandle.current().pid();
                    long[] cpu0 = {cpuMillis(pid, false), cpuMillis(pid, true), source.relayCpuMillis(), local.relayCpuMillis(), cpuMillis(self, false)};
                    JvmThreadCpu jvmThreads = router != null ? null : JvmThreadCpu.watch(pid);
                    long[] machine0 = machineTicks();
                    long t0 = System.nanoTime();
                    long reaped0 = reapedChildrenCpuMillis();
                    source.importLines(events);
                    double imported = (System.nanoTime() - t0) / 1e9;
                    // the source's import is the one child of this JVM that ends meanwhile: both tools share the cores with it
                    double importCpu = (reapedChildrenCpuMillis() - reaped0) / 1000.0;
                    long held = awaitCount(counter, events.size());
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    // where the CPU went: the mirror itself, its children (our strfry import), the relays
                    long[] machine = machineTicks();
                    long[] jvm = jvmThreads == null ? new long[JvmThreadCpu.GROUPS.length] : jvmThreads.stop();
                    // with every core busy, the time follows the CPU that all processes spend, the source's import included
                    System.out.printf("BENCH   mirror %s: %.1f s (the source's own import ended at %.1f s, %.1f CPU s; the machine's cores busy %.0f %% of the time); CPU s: mirror %.1f%s, its children %.1f, source relay %.1f, local relay %.1f, this benchmark's JVM %.1f%n",
                            router != null ? "router" : "ours", seconds, imported, importCpu,
                            busyPercent(machine0, machine), (cpuMillis(pid, false) - cpu0[0]) / 1000.0,
                            router != null ? "" : JvmThreadCpu.describe(jvm),
                            (cpuMillis(pid, true) - cpuMillis(pid, false) - cpu0[1] + cpu0[0]) / 1000.0,
                            (source.relayCpuMillis() - cpu0[2]) / 1000.0, (local.relayCpuMillis() - cpu0[3]) / 1000.0,
                            (cpuMillis(self, false) - cpu0[4]) / 1000.0);
                    if (System.getProperty("bench.keep-logs") != null) {
                        // the mirror's log (strfry router's too: where it was cut or gave up), and the source relay's
                        Path keep = Path.of(System.getProperty("bench.keep-logs"));
                        String name = (app != null ? "mirror-" : "router-") + dir.getParent().getFileName();
                        Files.copy(app != null ? app.log : dir.resolve("router.log"), keep.resolve(name + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        Files.copy(source.config().resolveSibling("relay.log"), keep.resolve(name + "-source.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                    return new Run(seconds - (held < events.size() ? STALL_SECONDS : 0), rss.get(), slowClientCuts(source), sourceDisconnects(source), held);
                }
            }
        }
    }

    Run importAlone(Path dir, List<String> events) throws Exception {
        try (StrfryProcess source = StrfryProcess.create(dir.resolve("source"), "127.0.0.2").startRelay();
             StrfryProcess local = StrfryProcess.create(dir.resolve("local")).startRelay()) {
            Thread.sleep(3000); // as the mirror runs do: both relays up and settled before the clock starts
            long[] machine0 = machineTicks();
            long t0 = System.nanoTime();
            long reaped0 = reapedChildrenCpuMillis();
            source.importLines(events);
            double seconds = (System.nanoTime() - t0) / 1e9;
            long[] machine = machineTicks();
            System.out.printf("BENCH   mirror none: the source's import alone %.1f s, %.1f CPU s (the machine's cores busy %.0f %% of the time)%n",
                    seconds, (reapedChildrenCpuMillis() - reaped0) / 1000.0, busyPercent(machine0, machine));
            return new Run(seconds, 0, 0, -1, events.size());
        }
    }

    /** -Dbench.trace-lag: prints both counts every 500 ms until closed. */
    static AutoCloseable traceLag(StrfryProcess source, StrfryProcess local) {
        long t0 = System.nanoTime();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread t = new Thread(() -> {
            try (RelayCount sc = RelayCount.open(source.url()); RelayCount lc = RelayCount.open(local.url())) {
                while (!done.get()) {
                    long a = sc.count();
                    long b = lc.count();
                    System.out.printf("BENCH   %.2f s into the mirror run: the source holds %,d, the local store %,d (%,d behind)%n",
                            (System.nanoTime() - t0) / 1e9, a, b, a - b);
                    Thread.sleep(500);
                }
            } catch (Exception e) {
                System.out.println("BENCH   the lag trace stopped: " + e);
            }
        }, "bench-trace-lag");
        t.start();
        return () -> {
            done.set(true);
            t.join();
        };
    }

    interface RouterStarter {
        Process start(Path dir, StrfryProcess source, StrfryProcess local) throws Exception;
    }

    Process router(Path dir, StrfryProcess source, StrfryProcess local) throws Exception {
        return router(dir, List.of(source.url()), local);
    }

    /** strfry router streaming down from these relays into the local strfry, as a station's router config does. */
    static Process router(Path dir, List<String> urls, StrfryProcess local) throws Exception {
        Path conf = Files.writeString(dir.resolve("router.conf"), """
                connectionTimeout = 20
                verbose = false
                streams {
                    constellation {
                        dir = "down"
                        urls = [%s]
                    }
                }
                """.formatted(urls.stream().map(u -> "\"" + u + "\"").collect(java.util.stream.Collectors.joining(", "))));
        return new ProcessBuilder(local.bin(), "--config=" + local.config(), "router", conf.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("router.log").toFile()).start();
    }

    private static final String OURS = "ours, through the local relay";
    private static final String SYNC_DEFAULT_FILTER = "strfry sync --dir none (its default filter {}: both relays keep its tree)";
    private static final String SYNC_OUR_FILTER = "strfry sync --dir none --filter <the one ours reconciled> (no tree: each relay queries it)";
    /** Each reconciliation's ms, by who ran it. */
    private final Map<String, List<Long>> reconciliations = new java.util.LinkedHashMap<>();
    /** The filter our last 1 % backfill reconciled with (from its log). */
    private String reconciledFilter;

    /** strfry sync --dir none (the reconciliation alone) from the local store to the source, with a filter or its default; the whole process's ms. */
    private long syncNone(Path dir, StrfryProcess source, StrfryProcess local, String filter) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(local.bin(), "--config=" + local.config(), "sync", source.url(), "--dir", "none"));
        if (filter != null) {
            cmd.addAll(List.of("--filter", filter));
        }
        Path log = dir.resolve(filter == null ? "sync-none.log" : "sync-none-filter.log");
        long r0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd.subList(2, 6)) + (filter == null ? "" : " --filter ...") + " failed: " + Files.readString(log));
        }
        long ms = (System.nanoTime() - r0) / 1_000_000;
        System.out.printf("BENCH   reconciliation alone: strfry sync --dir none%s %d ms (the whole process)%n", filter == null ? "" : " --filter <ours>", ms);
        return ms;
    }

    private static final String OUR_ROUNDS = "ours, its rounds after both relays' first answers (by the relays' logs)";

    /**
     * Our reconciliation in two parts, by the relays' own log lines (wall clock, ms): each relay's item set, from the
     * NEG-OPEN to its first answer (strfry's query of the filter), and the rounds after both first answers to the close.
     */
    private void negentropyPhases(Path localLog, Path sourceLog) throws IOException {
        long[] l = negentropyTimes(localLog);
        long[] s = negentropyTimes(sourceLog);
        if (l == null || s == null) {
            throw new AssertionError("no NEG-OPEN, answer and NEG-CLOSE in the relays' logs: " + localLog + ", " + sourceLog);
        }
        long rounds = l[2] - Math.max(l[1], s[1]);
        System.out.printf("BENCH   of which: item sets (NEG-OPEN to first answer) local %d ms, source %d ms; rounds after both first answers %d ms%n",
                l[1] - l[0], s[1] - s[0], rounds);
        reconciliations.computeIfAbsent(OUR_ROUNDS, k -> new ArrayList<>()).add(rounds);
    }

    /** A relay log's first negentropy NEW, its first SEND and its last CLOSE, as epoch ms; null if one is missing. */
    private static long[] negentropyTimes(Path relayLog) throws IOException {
        long[] t = {-1, -1, -1};
        for (String line : Files.readAllLines(relayLog)) {
            int at = line.indexOf("negentropy ");
            if (at < 0 || line.length() < 23) {
                continue;
            }
            long ms = java.time.LocalDateTime.parse(line.substring(0, 23).replace(' ', 'T')).toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
            if (line.startsWith("NEW ", at + 11) && t[0] < 0) {
                t[0] = ms;
            } else if (line.startsWith("SEND ", at + 11) && t[1] < 0) {
                t[1] = ms;
            } else if (line.startsWith("CLOSE ", at + 11)) {
                t[2] = ms;
            }
        }
        return t[0] < 0 || t[1] < 0 || t[2] < 0 ? null : t;
    }

    /** Medians of the reconciliations alone, and ours against each of strfry sync's. */
    private void printReconciliations() {
        Map<String, Double> median = new HashMap<>();
        reconciliations.forEach((who, ms) -> {
            median.put(who, Median.of(ms));
            System.out.printf("BENCH reconciliation alone, %s: median %.1f ms of %s%n", who, median.get(who), ms);
        });
        for (String theirs : List.of(SYNC_DEFAULT_FILTER, SYNC_OUR_FILTER)) {
            if (median.containsKey(OURS) && median.containsKey(theirs)) {
                System.out.printf("BENCH reconciliation ratio, ours / %s: %.2f%n", theirs, median.get(OURS) / median.get(theirs));
            }
        }
    }

    /** The source holds every event, the local store `localPercent` of them; the tool runs until it ends. */
    Run backfill(Path dir, List<String> events, int localPercent, boolean strfrySync) throws Exception {
        try (StrfryProcess source = StrfryProcess.create(dir.resolve("source"), "127.0.0.2");
             StrfryProcess local = StrfryProcess.create(dir.resolve("local"))) {
            source.importLines(events);
            source.startRelay();
            if (localPercent > 0) {
                local.importLines(events.subList(0, events.size() * localPercent / 100));
            }
            local.startRelay(); // a station's relay runs: our backfill reconciles through it (strfry sync does not use it)
            if (strfrySync && localPercent > 0) {
                // the reconciliation alone (--dir none transfers nothing), to set beside ours (listing + rounds): with its own
                // filter, {}, whose item sets both relays keep ready (strfry keeps a negentropy tree for {} from its start), and
                // with the filter ours reconciled, which neither relay has a tree for (each queries its store, as for ours)
                reconciliations.computeIfAbsent(SYNC_DEFAULT_FILTER, k -> new ArrayList<>()).add(syncNone(dir, source, local, null));
                if (reconciledFilter != null) {
                    reconciliations.computeIfAbsent(SYNC_OUR_FILTER, k -> new ArrayList<>()).add(syncNone(dir, source, local, reconciledFilter));
                }
            }
            long t0 = System.nanoTime();
            long rss;
            if (strfrySync) {
                Process p = new ProcessBuilder(local.bin(), "--config=" + local.config(), "sync", source.url(), "--dir", "down").redirectErrorStream(true)
                        .redirectOutput(dir.resolve("sync.log").toFile()).start();
                long[] peak = {0};
                while (!p.waitFor(50, TimeUnit.MILLISECONDS)) {
                    peak[0] = Math.max(peak[0], peakRssMb(p.pid()));
                }
                rss = peak[0];
            } else {
                try (AppProcess app = (localPercent > 0 ? daemon(dir, source, local, "import", "backfill", "--days", "0", "--verbose") // its log gives the reconciliation's times
                        : daemon(dir, source, local, "import", "backfill", "--days", "0"))) {
                    if (app.waitFor(600) != 0) {
                        throw new AssertionError("backfill failed: " + app.output());
                    }
                    rss = -1; // the process has ended: /proc no longer has it
                    if (localPercent > 0) {
                        // the filter ours reconciled with (its debug line), for strfry sync to reconcile the same
                        java.util.regex.Matcher nip77 = java.util.regex.Pattern.compile("NIP-77 filter (\\{.*\\})$", java.util.regex.Pattern.MULTILINE)
                                .matcher(Files.readString(dir.resolve("zen/strfry/constellation-backfill.log")));
                        if (!nip77.find()) {
                            throw new AssertionError("our backfill logged no NIP-77 filter at DEBUG: strfry sync cannot be run with the same one");
                        }
                        reconciledFilter = nip77.group(1);
                    }
                    app.output().lines().filter(l -> l.startsWith("SYNC_")).forEach(l -> System.out.println("BENCH   " + l));
                    if (localPercent > 0) {
                        // our reconciliation: the local listing (it starts while the peer is dialled) and the NIP-77 rounds (opened
                        // during the listing when it is not done), from the listing's start to the last round, by the log's clock
                        java.util.regex.Matcher listed = java.util.regex.Pattern.compile("(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3}) .*local event\\(s\\) match a filter .*listed in (\\d+) ms")
                                .matcher(app.output());
                        java.util.regex.Matcher rounds = java.util.regex.Pattern.compile("(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3}) .*reconciled \\d+ local event\\(s\\) in (\\d+) round\\(s\\), (\\d+) ms")
                                .matcher(app.output());
                        java.util.regex.Matcher through = java.util.regex.Pattern.compile("reconciled through the local relay in (\\d+) round\\(s\\), (\\d+) ms")
                                .matcher(app.output());
                        if (through.find()) {
                            // neither side listed: from the connection to our relay and both NEG-OPENs to the last round
                            System.out.printf("BENCH   reconciliation alone: ours %s ms (through the local relay, %s round(s) with the source)%n",
                                    through.group(2), through.group(1));
                            reconciliations.computeIfAbsent(OURS, k -> new ArrayList<>()).add(Long.parseLong(through.group(2)));
                            negentropyPhases(local.config().resolveSibling("relay.log"), source.config().resolveSibling("relay.log"));
                        } else if (listed.find() && rounds.find()) {
                            long listingStart = clockMillis(listed) - Long.parseLong(listed.group(5));
                            long day = 86_400_000L; // a run across midnight
                            System.out.printf("BENCH   reconciliation alone: ours %d ms (listing %s ms; %s round(s), %s ms from the NEG-OPEN)%n",
                                    ((clockMillis(rounds) - listingStart) % day + day) % day, listed.group(5), rounds.group(5), rounds.group(6));
                        }
                    }
                    if (System.getProperty("bench.keep-logs") != null) {
                        Files.copy(app.log, Path.of(System.getProperty("bench.keep-logs"), dir.getFileName() + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        // the source's side of the reconciliation (its negentropy lines carry their times)
                        Files.copy(dir.resolve("source").resolve("relay.log"), Path.of(System.getProperty("bench.keep-logs"), dir.getFileName() + "-source-relay.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        // and ours: with both, each NIP-77 message's time on either relay, and in between the time it spent with us
                        Files.copy(dir.resolve("local").resolve("relay.log"), Path.of(System.getProperty("bench.keep-logs"), dir.getFileName() + "-local-relay.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long held;
            try (RelayCount counter = RelayCount.open(local.url())) {
                held = awaitCount(counter, events.size());
            }
            return new Run(seconds, rss, 0, -1, held);
        }
    }

    /** p50/p99 from a publisher's EVENT on the source relay to a subscriber of the local relay. */
    void latency(Path dir, int perSecond) throws Exception {
        int n = perSecond * 10;
        int warmUp = perSecond * 2;
        Vertx vertx = Vertx.vertx();
        try {
            for (String setup : List.of("one strfry hop (floor)", "strfry router", "constellation-sync, import sink", "constellation-sync, relay sink")) {
                Path d = dir.resolve(setup.replaceAll("[^a-z]", "-"));
                List<String> all = LiveSyncBench.sign(warmUp + n, T - 2500, "latency " + setup); // created_at T-2500 .. T-101
                List<String> warm = all.subList(0, warmUp);
                List<String> events = all.subList(warmUp, all.size());
                try (StrfryProcess source = StrfryProcess.create(d.resolve("source"), "127.0.0.2").startRelay();
                     StrfryProcess local = StrfryProcess.create(d.resolve("local"))) {
                    local.startRelay();
                    AutoCloseable started = () -> { };
                    if (setup.contains("router")) {
                        Process p = router(Files.createDirectories(d), source, local);
                        started = p::destroy;
                    } else if (setup.contains("sink")) {
                        started = daemon(d, source, local, setup.contains("import") ? "import" : "relay", "run");
                    }
                    try (AutoCloseable mirror = started) {
                        Map<String, Long> arrived = new ConcurrentHashMap<>();
                        WebSocket sub = subscribe(vertx, setup.contains("floor") ? source.url() : local.url(), arrived);
                        // when the source relay sent each event to its subscribers (the mirror among them): the
                        // first hop, apart from what the mirror and the local relay add
                        Map<String, Long> atSource = new ConcurrentHashMap<>();
                        WebSocket sourceSub = setup.contains("floor") ? null : subscribe(vertx, source.url(), atSource);
                        WebSocket pub = connect(vertx, source.url());
                        // measured from a mirror that runs: an event through it proves it subscribed (a JVM
                        // start is not latency; router only forwards what comes after it subscribed), then
                        // 2 s at the same rate warm every path up
                        int probe = 0;
                        for (long deadline = System.currentTimeMillis() + 120_000; ; probe++) {
                            String e = warm.get(probe);
                            pub.writeTextMessage("[\"EVENT\"," + e + "]");
                            long until = System.currentTimeMillis() + 1000;
                            while (!arrived.containsKey(e.substring(7, 71)) && System.currentTimeMillis() < until) {
                                Thread.sleep(10);
                            }
                            if (arrived.containsKey(e.substring(7, 71))) {
                                break;
                            }
                            if (System.currentTimeMillis() > deadline || probe + 1 == warm.size()) {
                                throw new AssertionError(setup + ": no event went through in 120 s");
                            }
                        }
                        publishAtRate(pub, warm.subList(probe + 1, warm.size()), perSecond, new HashMap<>());
                        Thread.sleep(1000);
                        Map<String, Long> sent = new HashMap<>();
                        publishAtRate(pub, events, perSecond, sent);
                        try {
                            await("all arrived", 120_000, () -> arrived.keySet().containsAll(sent.keySet()));
                        } catch (AssertionError e) {
                            List<String> missing = sent.keySet().stream().filter(id -> !arrived.containsKey(id)).limit(500).toList();
                            // stored by the source (published), by the local relay (written, not sent live), or neither
                            System.out.printf("BENCH latency %d ev/s, %-34s only %d of %d arrived live; of the %d missing, %d are stored in the source relay, %d in the local relay: %s%n",
                                    perSecond, setup, n - missing.size(), n, missing.size(), storedOf(vertx, source.url(), missing),
                                    storedOf(vertx, setup.contains("floor") ? source.url() : local.url(), missing), missing.stream().limit(5).toList());
                            if (mirror instanceof AppProcess app) {
                                System.out.println(app.output());
                            }
                            continue;
                        }
                        double[] lat = sent.entrySet().stream().mapToDouble(x -> (arrived.get(x.getKey()) - x.getValue()) / 1e6).sorted().toArray();
                        System.out.printf("BENCH latency %d ev/s, %-34s p50 %6.1f ms  p99 %7.1f ms%n", perSecond, setup, lat[lat.length / 2],
                                lat[(int) (lat.length * 0.99)]);
                        if (sourceSub != null && atSource.keySet().containsAll(sent.keySet())) {
                            double[] first = sent.entrySet().stream().mapToDouble(x -> (atSource.get(x.getKey()) - x.getValue()) / 1e6).sorted().toArray();
                            double[] rest = sent.keySet().stream().mapToDouble(id -> (arrived.get(id) - atSource.get(id)) / 1e6).sorted().toArray();
                            System.out.printf("BENCH   of which the source relay's hop p50 %6.1f ms  p99 %7.1f ms; from there to the local relay's subscriber p50 %6.1f ms  p99 %7.1f ms%n",
                                    first[first.length / 2], first[(int) (first.length * 0.99)], rest[rest.length / 2], rest[(int) (rest.length * 0.99)]);
                            sourceSub.close();
                        }
                        sub.close();
                        pub.close();
                    }
                }
            }
        } finally {
            vertx.close();
        }
    }

    /** A subscriber to every kind-1 event from the burst on: each id's first arrival, in nanoTime. */
    static WebSocket subscribe(Vertx vertx, String url, Map<String, Long> arrived) throws Exception {
        WebSocket sub = connect(vertx, url);
        sub.textMessageHandler(f -> {
            if (f.startsWith("[\"EVENT\"")) {
                int i = f.indexOf("\"id\":\"");
                arrived.putIfAbsent(f.substring(i + 6, i + 70), System.nanoTime());
            }
        });
        sub.writeTextMessage("[\"REQ\",\"lat\",{\"kinds\":[1],\"since\":" + (T - 2600) + "}]");
        return sub;
    }

    static void publishAtRate(WebSocket pub, List<String> events, int perSecond, Map<String, Long> sent) {
        long start = System.nanoTime();
        for (int i = 0; i < events.size(); i++) {
            long due = start + i * (1_000_000_000L / perSecond);
            while (System.nanoTime() < due) {
                Thread.onSpinWait();
            }
            String e = events.get(i);
            sent.put(e.substring(7, 71), System.nanoTime());
            pub.writeTextMessage("[\"EVENT\"," + e + "]");
        }
    }

    /** How many of these ids the relay holds (a REQ by ids, until its EOSE): stored but not sent live, or lost. */
    static int storedOf(Vertx vertx, String url, List<String> ids) throws Exception {
        Set<String> found = ConcurrentHashMap.newKeySet();
        java.util.concurrent.CountDownLatch eose = new java.util.concurrent.CountDownLatch(1);
        WebSocket ws = connect(vertx, url);
        ws.textMessageHandler(f -> {
            if (f.startsWith("[\"EVENT\"")) {
                int i = f.indexOf("\"id\":\"");
                found.add(f.substring(i + 6, i + 70));
            } else if (f.startsWith("[\"EOSE\"")) {
                eose.countDown();
            }
        });
        ws.writeTextMessage("[\"REQ\",\"check\",{\"ids\":[\"" + String.join("\",\"", ids) + "\"]}]");
        eose.await(30, TimeUnit.SECONDS);
        ws.close();
        return found.size();
    }

    static WebSocket connect(Vertx vertx, String url) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        WebSocket[] ws = new WebSocket[1];
        java.net.URI u = java.net.URI.create(url);
        vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(1 << 20)).connect(u.getPort(), u.getHost(), "/").onComplete(ar -> {
            ws[0] = ar.result();
            done.countDown();
        });
        done.await(10, TimeUnit.SECONDS);
        if (ws[0] == null) {
            throw new IllegalStateException("cannot connect to " + url);
        }
        return ws[0];
    }

    static AppProcess daemon(Path dir, StrfryProcess source, StrfryProcess local, String sink, String... args) throws Exception {
        Path home = ZenHome.withPeers(Files.createDirectories(dir), source.url(), "ws://127.0.0.3:1");
        // one peer, the source, as strfry is given one URL (a dead second peer would add its retries, 6 s, to a backfill)
        Files.delete(home.resolve("tmp/swarm/" + ZenHome.PEER_B + "/12345.json"));
        Map<String, String> s = new HashMap<>();
        s.put("constellation.reference-time", String.valueOf(T));
        s.put("constellation.node-id", Fixtures.LOCAL_NODE_ID);
        s.put("constellation.ipfs.bin", dir.resolve("no-ipfs").toString());
        s.put("constellation.sink.mode", sink);
        s.put("constellation.strfry.bin", local.bin());
        s.put("constellation.strfry.config", local.config().toString());
        s.put("constellation.local-relay-url", local.url());
        s.put("constellation.spool.dir", dir.resolve("spool").toString());
        s.put("constellation.positions.dir", dir.resolve("positions").toString());
        s.put("constellation.peers.allow-private", "true");
        s.put("camel.management.enabled", "false");
        // -Dbench.settings=key=value,key=value: an experiment with the daemon's and the backfill's settings
        for (String kv : daemonSettings.split(",")) {
            if (kv.contains("=")) {
                s.put(kv.substring(0, kv.indexOf('=')).trim(), kv.substring(kv.indexOf('=') + 1).trim());
            }
        }
        List<String> all = new ArrayList<>(List.of("--home", home.toString()));
        all.addAll(List.of(args));
        if (System.getProperty("bench.keep-logs") != null && "backfill".equals(args[0]) && !all.contains("--verbose")) {
            all.add("--verbose"); // the INFO timeline of each step, for the kept log
        }
        // {run} in an option stands for the run's directory name (a JFR file per run)
        List<String> jvm = "backfill".equals(args[0]) ? backfillJvm.stream().map(o -> o.replace("{run}", dir.getFileName().toString())).toList() : daemonJvm;
        if ("backfill".equals(args[0])) {
            jvm = new ArrayList<>(jvm);
            jvm.add("-Dconstellation.backfill.log-level=DEBUG"); // its NIP-77 filters, for strfry sync to reconcile the same
        }
        return viaLauncher ? AppProcess.startThroughLauncher(dir, s, all.toArray(String[]::new)) : AppProcess.startPackaged(dir, jvm, s, all.toArray(String[]::new));
    }

    private static boolean viaLauncher;

    /**
     * The launcher's first backfill after a build writes the backfill's class-data archive (and takes longer for it);
     * a station does that once per upgrade, so it is done here untimed, through the launcher, before any timed backfill.
     */
    void firstBackfillAfterBuild(Path tmp) throws Exception {
        if (AppProcess.backfillArchiveFresh()) {
            return;
        }
        viaLauncher = true;
        try {
            Run r = backfill(tmp.resolve("first-after-build"), LiveSyncBench.sign(2_000, T - 3000, "first"), 0, false);
            System.out.printf("BENCH (untimed) the first backfill after the build, through the launcher, 2,000 events: %.2f s; it wrote %s%n",
                    r.seconds(), AppProcess.BACKFILL_ARCHIVE);
        } finally {
            viaLauncher = false;
        }
        if (!AppProcess.backfillArchiveFresh()) {
            throw new AssertionError("the launcher's first backfill after the build wrote no " + AppProcess.BACKFILL_ARCHIVE);
        }
    }

    private static List<String> jvmOptions(String property) {
        return System.getProperty(property, "").isBlank() ? List.of() : List.of(System.getProperty(property).trim().split("\\s+"));
    }

    /** A log line's time of day (groups 1-4: hours, minutes, seconds, milliseconds), in milliseconds. */
    static long clockMillis(java.util.regex.Matcher m) {
        return ((Long.parseLong(m.group(1)) * 60 + Long.parseLong(m.group(2))) * 60 + Long.parseLong(m.group(3))) * 1000 + Long.parseLong(m.group(4));
    }

    static final int STALL_SECONDS = 60;

    /**
     * Waits until the local store holds n events, or until its count has not moved for a minute (strfry
     * router, once cut as a slow client, never asks for what it missed); returns the count it ended with.
     * Called once the load has been sent. Counts every 100 ms while the count moves, once a second after it
     * has stood still for 2 s (each COUNT has the relay walk its store: not in a tight loop during a stall).
     * Counting once a second until 95 % were there made the measured end up to a second late, at random for
     * either tool: a daemon's run of 2026-12-03 held 88,999 when the import ended, had drained its backlog
     * ~0.6 s later (the cores went idle) and was measured at 1.18 s.
     */
    static long awaitCount(RelayCount counter, long n) throws Exception {
        long last = -1;
        long lastChange = System.nanoTime();
        long start = System.nanoTime();
        while (true) {
            long asked = System.nanoTime();
            long c = counter.count();
            if (TRACE_COUNT) {
                System.out.printf("BENCH   %.2f s after the source's import: the local store holds %,d (counted in %d ms)%n",
                        (asked - start) / 1e9, c, (System.nanoTime() - asked) / 1_000_000);
            }
            if (c >= n) {
                return c;
            }
            if (c != last) {
                last = c;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > STALL_SECONDS * 1_000_000_000L) {
                return c;
            }
            Thread.sleep(System.nanoTime() - lastChange < 2_000_000_000L ? 100 : 1000);
        }
    }

    /**
     * Connections the source relay saw close. strfry router's drops mid-burst (1006 at the source, this
     * machine, 2026-12-02) are where it stalls: it reconnects within its connection timeout with a REQ of
     * limit 0, which asks for nothing it missed.
     */
    static long sourceDisconnects(StrfryProcess source) {
        return relayLogLines(source, "] Disconnect from");
    }

    static long slowClientCuts(StrfryProcess source) {
        return relayLogLines(source, "pendingOutbound");
    }

    /** Lines of the relay's log that contain marker; -1 without a log. */
    private static long relayLogLines(StrfryProcess relay, String marker) {
        try {
            return Files.readAllLines(relay.config().resolveSibling("relay.log")).stream().filter(l -> l.contains(marker)).count();
        } catch (Exception e) {
            return -1;
        }
    }

    /** CPU ms (user + system) a process has used, with its live descendants' if asked, from /proc. */
    static long cpuMillis(long pid, boolean withDescendants) {
        long ms = 0;
        List<Long> pids = new ArrayList<>(List.of(pid));
        if (withDescendants) {
            ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
        }
        for (long p : pids) {
            try {
                ms += statCpuMillis(Path.of("/proc", String.valueOf(p), "stat"));
            } catch (java.io.IOException | RuntimeException gone) {
                // ended meanwhile
            }
        }
        return ms;
    }

    /**
     * CPU ms of a JVM's threads by group while it is watched, by thread name from /proc: Camel's threads (each peer's
     * worker computes ids and checks signatures, the verifiers help it), the event loop (sockets, frames and their JSON
     * parse), the sink's writer (feeds
     * strfry import), the JIT compiler threads and the VM thread (where the launcher's serial collector runs, with
     * the other safepoint operations). Sampled every 200 ms: the JVM ends compiler threads it no longer needs and /proc
     * forgets their time, so a thread that ended counts with what it had at its last sample (a difference of two
     * readings went negative).
     */
    static final class JvmThreadCpu {
        private final long pid;
        // tid -> {group, CPU at watch() or 0, CPU last seen}; one thread samples at a time (start() and join() order them)
        private final Map<String, long[]> byTask = new HashMap<>();
        private final Thread sampler;
        private boolean baseline = true;
        private volatile boolean stopped;

        private JvmThreadCpu(long pid) {
            this.pid = pid;
            sample();
            baseline = false; // a thread first seen from now on started after watch(): it counts from zero
            this.sampler = new Thread(() -> {
                while (!stopped) {
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                    sample();
                }
            }, "bench-jvm-thread-cpu");
            sampler.setDaemon(true);
        }

        static JvmThreadCpu watch(long pid) {
            JvmThreadCpu w = new JvmThreadCpu(pid);
            w.sampler.start();
            return w;
        }

        /** The thread groups, in the order of {@link #stop()}'s result. */
        static final String[] GROUPS = {"Camel threads (peers' workers, verifiers, pollers)", "event loop", "sink writer", "JIT compiler",
                "VM thread: GC and safepoints"};

        /** A thread's group by its name as /proc cuts it (15 characters), -1 for the rest (start-up, timers, strfry's output readers). */
        static int groupOf(String name) {
            if (name.startsWith("Camel (")) {
                return 0;
            } else if (name.startsWith("vert.x-eventloo")) {
                return 1;
            } else if (name.equals("sink-writer")) {
                return 2;
            } else if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                return 3;
            }
            return name.equals("VM Thread") || name.startsWith("GC Thread") ? 4 : -1;
        }

        /** CPU ms of each of {@link #GROUPS} since watch(). */
        long[] stop() throws InterruptedException {
            stopped = true;
            sampler.interrupt();
            sampler.join();
            sample();
            long[] ms = new long[GROUPS.length];
            for (long[] t : byTask.values()) {
                ms[(int) t[0]] += t[2] - t[1];
            }
            return ms;
        }

        static String describe(long[] ms) {
            return java.util.stream.IntStream.range(0, GROUPS.length).mapToObj(i -> String.format("%s %.1f", GROUPS[i], ms[i] / 1000.0))
                    .collect(java.util.stream.Collectors.joining(", ", " (", ")"));
        }

        private void sample() {
            try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
                for (Path task : tasks.toList()) {
                    try {
                        String name = Files.readString(task.resolve("comm")).strip();
                        int group = groupOf(name);
                        if (group >= 0) {
                            long cpu = statCpuMillis(task.resolve("stat"));
                            byTask.computeIfAbsent(task.getFileName().toString(), k -> new long[] {group, baseline ? cpu : 0, cpu})[2] = cpu;
                        }
                    } catch (java.io.IOException | RuntimeException gone) {
                        // the thread ended meanwhile: its last sample stands
                    }
                }
            } catch (java.io.IOException gone) {
                stopped = true; // the process ended
            }
        }
    }

    /** How busy the machine's cores were between two {@link #machineTicks()} readings, in %. */
    static double busyPercent(long[] from, long[] to) {
        return 100.0 * (to[0] - from[0]) / Math.max(1, to[1] - from[1]);
    }

    /** The machine's {busy, all} clock ticks over every core since boot, from /proc/stat (idle and I/O wait are not busy). */
    static long[] machineTicks() throws java.io.IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long all = 0;
        for (int i = 1; i <= 8 && i < f.length; i++) { // user .. steal (guest time is in user already)
            all += Long.parseLong(f[i]);
        }
        return new long[] {all - Long.parseLong(f[4]) - Long.parseLong(f[5]), all};
    }

    /** CPU of this JVM's children that have ended and been waited for (cutime + cstime), in milliseconds. */
    static long reapedChildrenCpuMillis() throws java.io.IOException {
        return statMillis(Path.of("/proc/self/stat"), 13);
    }

    /** utime + stime of a /proc stat file (a process's or a thread's), in ms (clock ticks of 10 ms). */
    static long statCpuMillis(Path stat) throws java.io.IOException {
        return statMillis(stat, 11);
    }

    /** Two adjacent clock-tick fields of a /proc stat file, counted from after the command's ")", summed in ms. */
    private static long statMillis(Path stat, int first) throws java.io.IOException {
        String text = Files.readString(stat);
        String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[first]) + Long.parseLong(f[first + 1])) * 10;
    }

    static long peakRssMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }
}
