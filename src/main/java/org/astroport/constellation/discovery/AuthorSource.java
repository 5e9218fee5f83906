package org.astroport.constellation.discovery;

/** The kinds of files a monitored key can come from, named as the station script's --stats names them. */
public enum AuthorSource {
    MULTIPASS("MULTIPASS locaux", "game/nostr/*/HEX"),
    AMIS("amisOfAmis.txt", "strfry/amisOfAmis.txt"),
    SWARM_AMIS("amisOfAmis (swarm)", "tmp/swarm/*/amisOfAmis.txt"),
    DESCRIPTOR("captainHEX+NODEHEX", "tmp/swarm/*/12345.json"),
    GEOKEY("Geokeys (flashmem)", "flashmem/*/HEX");

    private final String label;
    private final String pattern;

    AuthorSource(String label, String pattern) {
        this.label = label;
        this.pattern = pattern;
    }

    public String label() {
        return label;
    }

    public String pattern() {
        return pattern;
    }

    /** amisOfAmis entries override the blacklist. */
    public boolean overridesBlacklist() {
        return this == AMIS || this == SWARM_AMIS;
    }
}
