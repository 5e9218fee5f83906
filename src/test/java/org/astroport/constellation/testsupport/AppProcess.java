package org.astroport.constellation.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The application as its own process (as operators run it), for benchmarks that measure its memory. */
public final class AppProcess implements AutoCloseable {

    private final Process process;
    public final Path log;

    private AppProcess(Process p, Path log) {
        this.process = p;
        this.log = log;
    }

    /** The launcher's default JAVA_OPTS (bin/constellation-sync): what operators run with. */
    public static List<String> launcherJvmOptions() {
        return launcherDefault("JAVA_OPTS", "JAVA_OPTS");
    }

    /** What the launcher adds for its one-shot commands (backfill, stats, ...). */
    public static List<String> launcherCliJvmOptions() {
        return launcherDefault("CLI_JAVA_OPTS", "CONSTELLATION_CLI_JAVA_OPTS");
    }

    private static List<String> launcherDefault(String variable, String override) {
        try {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b" + variable + "=\"\\$\\{" + override + ":-([^}]*)}\"")
                    .matcher(Files.readString(Path.of("bin/constellation-sync")));
            if (!m.find()) {
                throw new IllegalStateException("no default " + variable + " in bin/constellation-sync");
            }
            return List.of(m.group(1).trim().split("\\s+"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static AppProcess start(Path workDir, List<String> jvmArgs, Map<String, String> properties, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("org.astroport.constellation.Main");
        return launch(workDir, cmd, properties, args);
    }

    /**
     * The packaged application exactly as the launcher starts it: its jar, its JVM options and its
     * class-data archive (bin/constellation-sync builds both when they are missing or stale).
     */
    public static AppProcess startPackaged(Path workDir, List<String> extraJvmArgs, Map<String, String> properties, String... args) throws IOException, InterruptedException {
        preparePackaged();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(launcherJvmOptions());
        if (!List.of(args).contains("run")) {
            cmd.addAll(launcherCliJvmOptions());
        }
        // the launcher's choice: a backfill maps its own archive once the first backfill after the build wrote it
        String archive = List.of(args).contains("backfill") && backfillArchiveFresh() ? BACKFILL_ARCHIVE : "target/constellation-sync.jsa";
        if (Files.exists(Path.of(archive))) {
            cmd.addAll(List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        }
        cmd.addAll(extraJvmArgs);
        cmd.addAll(List.of("-jar", "target/constellation-sync.jar"));
        return launch(workDir, cmd, properties, args);
    }

    public static final String BACKFILL_ARCHIVE = "target/constellation-sync-backfill.jsa";

    /** Whether the backfill's class-data archive exists and is newer than the jar (the launcher maps it then). */
    public static boolean backfillArchiveFresh() {
        java.io.File archive = new java.io.File(BACKFILL_ARCHIVE);
        return archive.isFile() && archive.lastModified() > new java.io.File("target/constellation-sync.jar").lastModified();
    }

    /** Through bin/constellation-sync itself, with its defaults (as an operator runs it). */
    public static AppProcess startThroughLauncher(Path workDir, Map<String, String> properties, String... args) throws IOException {
        return launch(workDir, new ArrayList<>(List.of("bin/constellation-sync")), properties, args);
    }

    private static boolean packaged;

    /** Builds the jar and its class-data archive through the launcher, once per test JVM (call it before timing anything). */
    public static synchronized void preparePackaged() throws IOException, InterruptedException {
        if (packaged) {
            return;
        }
        Process build = new ProcessBuilder("bin/constellation-sync", "help").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (build.waitFor() != 0) {
            throw new IllegalStateException("bin/constellation-sync help failed (exit " + build.exitValue() + ")");
        }
        packaged = true;
    }

    private static AppProcess launch(Path workDir, List<String> cmd, Map<String, String> properties, String... args) throws IOException {
        Path config = workDir.resolve("app-" + System.nanoTime() + ".properties");
        StringBuilder sb = new StringBuilder();
        properties.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
        Files.writeString(config, sb);
        cmd.add("--config");
        cmd.add(config.toString());
        cmd.addAll(List.of(args));
        Path log = workDir.resolve("app-" + System.nanoTime() + ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new AppProcess(p, log);
    }

    public long pid() {
        return process.pid();
    }

    /** Peak resident set size (VmHWM) in kB, from /proc; -1 when unavailable. */
    public long peakRssKb() {
        return procStatus("VmHWM:");
    }

    public long rssKb() {
        return procStatus("VmRSS:");
    }

    private long procStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** CPU time used so far (user + system), in clock ticks converted to ms. */
    public long cpuMillis() {
        try {
            String[] f = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat")).split(" ");
            return (Long.parseLong(f[13]) + Long.parseLong(f[14])) * 10;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** CPU ms (user + system) used so far by each thread, by thread name (same-named threads added up), from /proc. */
    public java.util.Map<String, Long> threadCpuMillis() {
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(process.pid()), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    // the name is in parentheses and may hold spaces: the fields after it are counted from the last ')'
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.merge(name.replaceAll("\\d+$", "#"), (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10, Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            // the process ended
        }
        return out;
    }

    /** The threads that used the most CPU between two {@link #threadCpuMillis()} snapshots, as "name ms, ...". */
    public static String topThreads(java.util.Map<String, Long> before, java.util.Map<String, Long> after, int n) {
        return after.entrySet().stream().map(e -> java.util.Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0).sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed()).limit(n)
                .map(e -> e.getKey() + " " + e.getValue() + " ms").collect(java.util.stream.Collectors.joining(", "));
    }

    /** kill -9: no shutdown hook, no flush, as a power cut or the OOM killer would stop it. */
    public void kill() throws InterruptedException {
        process.destroyForcibly(); // SIGKILL on Linux
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -999;
        }
        return process.exitValue();
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy(); // SIGTERM: graceful stop
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
