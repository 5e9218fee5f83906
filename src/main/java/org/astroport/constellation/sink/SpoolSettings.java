package org.astroport.constellation.sink;

import java.nio.file.Path;

/**
 * The spool's settings ({@code constellation.spool.*}); a blank directory is {@code <home>/strfry/constellation-spool},
 * and a replay batch size of 0 replays in batches of the sink's own default size.
 */
public record SpoolSettings(Path directory, long segmentBytes, long maxBytes, int replayBatchSize) {

    public static SpoolSettings of(Path home, String dir, String dirSuffix, long segmentBytes, long maxBytes, String replayBatchSize) {
        String base = dir.isBlank() ? home.resolve("strfry/constellation-spool").toString() : dir.trim();
        return new SpoolSettings(Path.of(base + dirSuffix.trim()), segmentBytes, maxBytes,
                replayBatchSize.isBlank() ? 0 : Integer.parseInt(replayBatchSize.trim()));
    }
}
