package org.astroport.constellation.sink;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.apache.camel.spi.IdempotentRepository;
import org.astroport.constellation.app.Settings;
import org.astroport.constellation.ingest.DeletionTracker;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.relay.RelayTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * constellation.sink.mode: {@code import} (strfry import --no-verify), {@code relay} (EVENT to the
 * local relay), or {@code auto}: import when a strfry binary is found, else the local relay.
 */
public final class SinkSelector {

    private static final Logger LOG = LoggerFactory.getLogger(SinkSelector.class);

    private SinkSelector() {
    }

    public static SinkRouter create(Settings s, Path home, RelayTransport transport, DeletionTracker deletions, SyncStats stats,
                                    IdempotentRepository seen) {
        String mode = s.get("constellation.sink.mode", "auto");
        String strfry = findStrfry(s, home);
        EventSink sink;
        switch (mode) {
            case "import" -> {
                if (strfry == null) {
                    throw new IllegalArgumentException("constellation.sink.mode=import but no strfry binary: set constellation.strfry.bin");
                }
                sink = importSink(s, home, strfry);
            }
            case "relay" -> sink = relaySink(s, transport);
            case "none" -> sink = new DiscardingSink();
            case "auto" -> sink = strfry != null ? importSink(s, home, strfry) : relaySink(s, transport);
            default -> throw new IllegalArgumentException("constellation.sink.mode = '" + mode + "': expected auto, import, relay (or none, which stores nothing)");
        }
        // a backfill CLI run keeps its own spool: the daemon may be running and owns the main one
        Path spoolDir = Path.of(s.get("constellation.spool.dir", home.resolve("strfry/constellation-spool").toString())
                + s.get("constellation.spool.dir-suffix", ""));
        Spool spool;
        try {
            spool = new Spool(spoolDir, s.getLong("constellation.spool.segment-bytes", 8L << 20), s.getLong("constellation.spool.max-bytes", 512L << 20));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use spool directory " + spoolDir + ": " + e.getMessage(), e);
        }
        LOG.info("sink: {} (mode {}); spool {}", sink.describe(), mode, spoolDir);
        // replayed batches go through the same sink, as big as live ones
        int replayBatch = s.getInt("constellation.spool.replay-batch-size",
                sink instanceof StrfryImportSink ? org.astroport.constellation.app.ConstellationBeans.IMPORT_BATCH_SIZE : 500);
        return new SinkRouter(sink, spool, deletions, stats, replayBatch, seen);
    }

    public static Path strfryConfig(Settings s, Path home) {
        String conf = s.get("constellation.strfry.config", null);
        return conf != null ? Path.of(conf) : Files.exists(home.resolve("strfry/strfry.conf")) ? home.resolve("strfry/strfry.conf") : null;
    }

    private static EventSink importSink(Settings s, Path home, String strfry) {
        Path config = strfryConfig(s, home);
        Path workDir = Files.isDirectory(home.resolve("strfry")) ? home.resolve("strfry") : null;
        return new StrfryImportSink(strfry, config, workDir, Duration.ofSeconds(s.getInt("constellation.sink.import-timeout-seconds", 60)),
                s.getInt("constellation.sink.import-debounce-millis", StrfryImportSink.DEFAULT_DEBOUNCE_MILLIS));
    }

    private static EventSink relaySink(Settings s, RelayTransport transport) {
        return new RelayPublishSink(transport.vertx(), s.get("constellation.local-relay-url", "ws://127.0.0.1:7777"),
                s.getLong("constellation.sink.ok-timeout-millis", 10_000), s.getInt("constellation.sink.retries", 4),
                s.getLong("constellation.sink.retry-backoff-millis", 100));
    }

    /** constellation.strfry.bin, else ~/.zen/strfry/strfry (where Astroport installs it), else strfry on PATH. */
    public static String findStrfry(Settings s, Path home) {
        String configured = s.get("constellation.strfry.bin", null);
        if (configured != null) {
            return configured;
        }
        Path astroport = home.resolve("strfry/strfry");
        if (Files.isExecutable(astroport)) {
            return astroport.toString();
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                Path p = Path.of(dir, "strfry");
                if (Files.isExecutable(p)) {
                    return p.toString();
                }
            }
        }
        return null;
    }
}
