package org.astroport.constellation.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.Configuration;
import org.apache.camel.PropertyInject;
import org.astroport.constellation.nostr.StationKey;
import org.astroport.constellation.nostr.SyncedKinds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The station itself: its clock, its key, the kinds it syncs. */
@Configuration
public class StationConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(StationConfiguration.class);
    private boolean stationKeyRead;
    private StationKey stationKey;

    /** The wall clock, unless constellation.reference-time pins "now" (fixtures, replays). */
    @BindToRegistry
    public Clock clock(@PropertyInject("constellation.reference-time") String referenceTime) {
        return referenceTime.isBlank() ? Clock.systemUTC() : Clock.fixed(Instant.ofEpochSecond(Long.parseLong(referenceTime.trim())), ZoneOffset.UTC);
    }

    @BindToRegistry(lazy = true)
    public SyncedKinds syncedKinds(@PropertyInject("constellation.kinds") String kinds, @PropertyInject("constellation.no-dms") boolean noDms) {
        return SyncedKinds.of(kinds, noDms);
    }

    /**
     * The key we answer NIP-42 AUTH with; none (not bound: eager, since a lazy bean may not be null) when
     * the station has no usable one. camel-main 4.17 post-processes a configuration class twice: read once.
     */
    @BindToRegistry
    public synchronized StationKey stationKey(@PropertyInject("constellation.home") String home) {
        if (stationKeyRead) {
            return stationKey;
        }
        stationKeyRead = true;
        stationKey = readStationKey(home);
        return stationKey;
    }

    private static StationKey readStationKey(String home) {
        Path f = Path.of(home).resolve("game/secret.nostr");
        if (!Files.exists(f)) {
            LOG.info("no station key at {}: relays that demand NIP-42 authentication will not serve us", f);
            return null;
        }
        try {
            StationKey k = StationKey.load(f);
            LOG.info("station key {} loaded from {} (for NIP-42 AUTH)", k.publicKeyHex(), f);
            return k;
        } catch (Exception e) {
            LOG.warn("station key {} unusable: {}", f, e.getMessage());
            return null;
        }
    }
}
