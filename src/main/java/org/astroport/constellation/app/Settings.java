package org.astroport.constellation.app;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.apache.camel.CamelContext;
import org.astroport.constellation.nostr.Kinds;

/** Typed access to the {@code constellation.*} properties, with the defaults an operator expects. */
public final class Settings {

    private final CamelContext context;

    public Settings(CamelContext context) {
        this.context = context;
    }

    public String get(String key, String defaultValue) {
        return context.getPropertiesComponent().resolveProperty(key).map(String::trim).filter(s -> !s.isEmpty()).orElse(defaultValue);
    }

    public int getInt(String key, int defaultValue) {
        String v = get(key, null);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " = '" + v + "' is not a whole number");
        }
    }

    public long getLong(String key, long defaultValue) {
        String v = get(key, null);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " = '" + v + "' is not a whole number");
        }
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        String v = get(key, null);
        return v == null ? defaultValue : Boolean.parseBoolean(v);
    }

    public Path home() {
        String userHome = System.getenv("HOME") != null && !System.getenv("HOME").isBlank() ? System.getenv("HOME") : System.getProperty("user.home");
        return Path.of(get("constellation.home", userHome + "/.zen"));
    }

    public String nodeId() {
        return get("constellation.node-id", "");
    }

    /** The wall clock, unless constellation.reference-time pins "now" (fixtures, replays). */
    public Clock clock() {
        long fixed = getLong("constellation.reference-time", 0);
        return fixed > 0 ? Clock.fixed(Instant.ofEpochSecond(fixed), ZoneOffset.UTC) : Clock.systemUTC();
    }

    /** The kinds to sync: constellation.kinds (default: the constellation's list), minus kind 4 with no-dms. */
    public List<Integer> kinds() {
        String list = get("constellation.kinds", null);
        List<Integer> kinds = list == null ? Kinds.DEFAULT : Kinds.parse(list);
        return getBoolean("constellation.no-dms", false) ? Kinds.withoutDms(kinds) : kinds;
    }
}
