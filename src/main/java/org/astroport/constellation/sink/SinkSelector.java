package org.astroport.constellation.sink;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.apache.camel.spi.IdempotentRepository;
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

    public static SinkRouter create(SinkSettings s, SpoolSettings spoolSettings, RelayTransport transport, DeletionTracker deletions,
                                    SyncStats stats, IdempotentRepository seen) {
        String mode = s.mode().trim();
        String strfry = findStrfry(s);
        EventSink sink;
        switch (mode) {
            case "import" -> {
                if (strfry == null) {
                    throw new IllegalArgumentException("constellation.sink.mode=import but no strfry binary: set constellation.strfry.bin");
                }
                sink = importSink(s, strfry);
            }
            case "relay" -> sink = relaySink(s, transport);
            case "none" -> sink = new DiscardingSink();
            case "auto" -> sink = strfry != null ? importSink(s, strfry) : relaySink(s, transport);
            default -> throw new IllegalArgumentException("constellation.sink.mode = '" + mode + "': expected auto, import, relay (or none, which stores nothing)");
        }
        Path spoolDir = spoolSettings.directory();
        Spool spool;
        try {
            spool = new Spool(spoolDir, spoolSettings.segmentBytes(), spoolSettings.maxBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use spool directory " + spoolDir + ": " + e.getMessage(), e);
        }
        LOG.info("sink: {} (mode {}); spool {}", sink.describe(), mode, spoolDir);
        // replayed batches go through the same sink, as big as live ones
        int replayBatch = spoolSettings.replayBatchSize() > 0 ? spoolSettings.replayBatchSize() : s.batchingFor(sink).size();
        return new SinkRouter(sink, spool, deletions, stats, replayBatch, seen);
    }

    private static EventSink importSink(SinkSettings s, String strfry) {
        return new StrfryImportSink(strfry, s.strfryConfigFile(), s.strfryDirectory(), Duration.ofSeconds(s.importTimeoutSeconds()), s.importDebounceMillis(),
                s.importFried());
    }

    private static EventSink relaySink(SinkSettings s, RelayTransport transport) {
        return new RelayPublishSink(transport.vertx(), s.localRelayUrl().trim(), s.okTimeoutMillis(), s.retries(), s.retryBackoffMillis());
    }

    /** constellation.strfry.bin, else ~/.zen/strfry/strfry (where Astroport installs it), else strfry on PATH. */
    public static String findStrfry(SinkSettings s) {
        if (!s.strfryBin().isBlank()) {
            return s.strfryBin().trim();
        }
        Path astroport = s.home().resolve("strfry/strfry");
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
