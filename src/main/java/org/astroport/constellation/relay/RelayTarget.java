package org.astroport.constellation.relay;

import org.astroport.constellation.untrusted.Destinations;

/**
 * Where a {@code nostr-relay} endpoint connects, as one object: the URL we dial, the relay URL named in
 * NIP-42 AUTH, and the addresses the connection may reach. Peer routes receive it as a route-local bean
 * ({@code target: "#peerTarget"}), so a URL from another station's descriptor never becomes text in
 * an endpoint URI, where it could set other options.
 *
 * @param destinations checked again at every connect (null: anything)
 */
public record RelayTarget(String url, String authRelayUrl, Destinations destinations) {
}
