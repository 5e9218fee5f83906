package org.astroport.constellation.testsupport;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/** A real strfry (the binary named by STRFRY_BIN) on loopback, with its own database in a temp dir. */
public final class StrfryProcess implements AutoCloseable {

    public static final String ENV = "STRFRY_BIN";

    private final String bin;
    private final Path config;
    private final String host;
    private final int port;
    private Process relay;

    private StrfryProcess(String bin, Path config, String host, int port) {
        this.bin = bin;
        this.config = config;
        this.host = host;
        this.port = port;
    }

    /** The local relay, on 127.0.0.1. */
    public static StrfryProcess create(Path dir) throws Exception {
        return create(dir, "127.0.0.1");
    }

    /**
     * Writes a config (database under dir, relay on host:port, strfry's default limits). Peers need
     * another loopback address (127.0.0.2 ...): discovery treats a 127.0.0.1 relay as a NAT-ed peer.
     */
    public static StrfryProcess create(Path dir, String host) throws Exception {
        // what a constellation station sets: strfry's default (4, 1059) serves DMs only to an
        // authenticated sender or recipient, never to a replicating station
        return create(dir, host, port -> "restrictedReadKinds = \"\"");
    }

    /** As {@link #create(Path, String)}, with the body of strfry's relay.auth section (given the port). */
    public static StrfryProcess create(Path dir, String host, java.util.function.IntFunction<String> auth) throws Exception {
        return create(dir, host, auth, "");
    }

    /** As {@link #create(Path, String, java.util.function.IntFunction)}, with more lines in the relay section (a limit under test). */
    public static StrfryProcess create(Path dir, String host, java.util.function.IntFunction<String> auth, String relayLines) throws Exception {
        String bin = System.getenv(ENV);
        if (bin == null || bin.isBlank()) {
            throw new IllegalStateException(ENV + " is not set");
        }
        Files.createDirectories(dir.resolve("db"));
        int port = RunningApp.freePort();
        Path config = dir.resolve("strfry.conf");
        Files.writeString(config, """
                db = "%s/"
                relay {
                    bind = "%s"
                    port = %d
                    nofiles = 0
                    maxWebsocketPayloadSize = 131072
                    maxFilterLimit = 500
                    maxSubsPerConnection = 20
                    %s
                    info {
                        name = "constellation-sync test"
                    }
                    writePolicy {
                        plugin = ""
                    }
                    auth {
                        %s
                    }
                }
                """.formatted(dir.resolve("db"), host, port, relayLines, auth.apply(port)));
        return new StrfryProcess(bin, config, host, port);
    }

    public StrfryProcess startRelay() throws Exception {
        relay = new ProcessBuilder(bin, "--config=" + config, "relay").redirectErrorStream(true)
                .redirectOutput(config.resolveSibling("relay.log").toFile()).start();
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket(host, port)) {
                return this;
            } catch (IOException notYet) {
                if (!relay.isAlive()) {
                    throw new IllegalStateException("strfry relay exited: " + Files.readString(config.resolveSibling("relay.log")));
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("strfry relay did not listen on " + port);
    }

    /** CPU ms (user + system) the running relay has used, from /proc; 0 when it is not running. */
    public long relayCpuMillis() {
        if (relay == null || !relay.isAlive()) {
            return 0;
        }
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(relay.pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** kill -9 of the relay, as a crash or an OOM kill would end it; startRelay() brings it back on the same port. */
    public void killRelay() throws InterruptedException {
        if (relay != null) {
            relay.destroyForcibly();
            relay.waitFor(10, TimeUnit.SECONDS);
        }
    }

    public String url() {
        return "ws://" + host + ":" + port;
    }

    public Path config() {
        return config;
    }

    public String bin() {
        return bin;
    }

    /** strfry import of NDJSON lines (signatures verified by strfry). */
    public void importLines(List<String> lines) throws Exception {
        Process p = new ProcessBuilder(bin, "--config=" + config, "import").redirectErrorStream(true)
                .redirectOutput(config.resolveSibling("import.log").toFile()).start();
        p.getOutputStream().write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("strfry import failed: " + Files.readString(config.resolveSibling("import.log")));
        }
    }

    /** strfry export (with --fried: each line with its packed index record), sorted: what the database holds, whatever the order it was written in. */
    public List<String> exportSorted(boolean fried) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(bin, "--config=" + config, "export"));
        if (fried) {
            cmd.add("--fried");
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lines = new ArrayList<>();
        try (var r = p.inputReader(StandardCharsets.UTF_8)) {
            r.lines().forEach(lines::add);
        }
        p.waitFor(60, TimeUnit.SECONDS);
        lines.sort(null);
        return lines;
    }

    /** How many events the database holds (strfry scan --count). */
    public long count() throws Exception {
        Process p = new ProcessBuilder(bin, "--config=" + config, "scan", "--count", "{}").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out;
        try (var r = p.inputReader(StandardCharsets.UTF_8)) {
            out = r.lines().filter(l -> l.matches("\\d+")).findFirst().orElse("-1");
        }
        p.waitFor(60, TimeUnit.SECONDS);
        return Long.parseLong(out);
    }

    /** Ids of every event in the database (strfry scan). */
    public Set<String> storedIds() throws Exception {
        Process p = new ProcessBuilder(bin, "--config=" + config, "scan", "{}").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lines = new ArrayList<>();
        try (var r = p.inputReader(StandardCharsets.UTF_8)) {
            r.lines().forEach(lines::add);
        }
        p.waitFor(60, TimeUnit.SECONDS);
        Set<String> ids = new TreeSet<>();
        for (String l : lines) {
            if (l.startsWith("{")) {
                ids.add(Fixtures.JSON.readTree(l).get("id").asText());
            }
        }
        return ids;
    }

    @Override
    public void close() {
        if (relay != null) {
            relay.destroy();
            try {
                relay.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            relay.destroyForcibly();
        }
    }
}
