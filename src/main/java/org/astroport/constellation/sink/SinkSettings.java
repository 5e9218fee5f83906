package org.astroport.constellation.sink;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@link SinkSelector} needs to choose and build the sink ({@code constellation.sink.*},
 * {@code constellation.strfry.*}, {@code constellation.local-relay-url}); blank means "not set".
 */
public record SinkSettings(String mode, Path home, String strfryBin, String strfryConfig, String localRelayUrl,
                           long importTimeoutSeconds, int importDebounceMillis, boolean importFried, long okTimeoutMillis, int retries, long retryBackoffMillis,
                           Batching importBatching, Batching relayBatching) {

    /**
     * A sink's micro-batches: at most {@code size} events, closed after {@code millis} anyway, or after
     * {@code burstMillis} while peers' frames are queued behind them (0: not waited for; {@link SinkBatchClosing}).
     */
    public record Batching(int size, long millis, long burstMillis) {
    }

    /** The import sink's batches are bigger: one long-lived strfry import commits each as a whole; the relay sink waits for an OK per event. */
    public Batching batchingFor(EventSink sink) {
        return sink instanceof StrfryImportSink ? importBatching : relayBatching;
    }

    /** constellation.strfry.config, else {@code <home>/strfry/strfry.conf} when it exists. */
    public Path strfryConfigFile() {
        Path astroport = home.resolve("strfry/strfry.conf");
        return !strfryConfig.isBlank() ? Path.of(strfryConfig.trim()) : Files.exists(astroport) ? astroport : null;
    }

    /** strfry's working directory: {@code <home>/strfry} when it exists. */
    public Path strfryDirectory() {
        return Files.isDirectory(home.resolve("strfry")) ? home.resolve("strfry") : null;
    }
}
