package org.astroport.constellation.discovery;

import java.time.Duration;

import org.astroport.constellation.untrusted.Destinations;

/**
 * What the registry accepts from other stations' descriptors: where their relays may make us connect,
 * how many peers are synced at most ({@code constellation.peers.max}), and how soon a peer whose name
 * did not resolve is tried again.
 */
public record PeerPolicy(Destinations destinations, int maxPeers, Duration unresolvedRetry) {

    public static final int DEFAULT_MAX_PEERS = 256;

    /** The daemon's defaults: public destinations only (names resolved within 2 s), 256 peers. */
    public static PeerPolicy defaults() {
        return new PeerPolicy(Destinations.publicOnly(Duration.ofSeconds(2)), DEFAULT_MAX_PEERS, Duration.ofSeconds(30));
    }

    /** Private destinations allowed and nothing resolved (constellation.peers.allow-private=true). */
    public static PeerPolicy allowingPrivate() {
        return new PeerPolicy(Destinations.anyAddress(), DEFAULT_MAX_PEERS, Duration.ofSeconds(30));
    }

    public PeerPolicy withMaxPeers(int max) {
        return new PeerPolicy(destinations, max, unresolvedRetry);
    }
}
