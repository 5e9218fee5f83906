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
    private final int port;
    private Process relay;

    private StrfryProcess(String bin, Path config, int port) {
        this.bin = bin;
        this.config = config;
        this.port = port;
    }

    /** Writes a config (database under dir, relay on 127.0.0.1:port, strfry's default limits). */
    public static StrfryProcess create(Path dir) throws Exception {
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
                    bind = "127.0.0.1"
                    port = %d
                    nofiles = 0
                    maxWebsocketPayloadSize = 131072
                    maxFilterLimit = 500
                    maxSubsPerConnection = 20
                    info {
                        name = "constellation-sync test"
                    }
                    writePolicy {
                        plugin = ""
                    }
                }
                """.formatted(dir.resolve("db"), port));
        return new StrfryProcess(bin, config, port);
    }

    public StrfryProcess startRelay() throws Exception {
        relay = new ProcessBuilder(bin, "--config=" + config, "relay").redirectErrorStream(true)
                .redirectOutput(config.resolveSibling("relay.log").toFile()).start();
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
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

    public String url() {
        return "ws://127.0.0.1:" + port;
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
