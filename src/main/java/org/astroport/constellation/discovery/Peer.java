package org.astroport.constellation.discovery;

/**
 * One swarm directory as the registry sees it. {@code id} is the directory name (the peer's IPFS node id).
 * For TUNNEL peers, {@code tunnelPort} is the local end of our tunnel (0 while none is open) and
 * {@code tunnelStatus} says why not.
 */
public record Peer(String id, String ipfsNodeId, String relayUrl, String hostname, String captainHex, String nodeHex,
                   String createdMoats, long createdEpoch, long descriptorModifiedMillis,
                   PeerState state, String reason, String detail, int tunnelPort, String tunnelStatus) {

    public static Peer skipped(String id, String reason, String detail) {
        return new Peer(id, id, null, null, null, null, null, -1, 0, PeerState.SKIPPED, reason, detail, 0, null);
    }

    /** The URL we dial: the relay itself, or our end of the tunnel; null when there is none. */
    public String dialUrl() {
        if (state == PeerState.ROUTABLE) {
            return relayUrl;
        }
        if (state == PeerState.TUNNEL && tunnelPort > 0) {
            return "ws://127.0.0.1:" + tunnelPort;
        }
        return null;
    }

    public boolean isReachable() {
        return dialUrl() != null;
    }

    /** A short name for logs, routes and JMX: the hostname when known, else the node id. */
    public String displayName() {
        return hostname != null && !hostname.isBlank() ? hostname : id;
    }

    public Peer withTunnel(int port, String status) {
        return new Peer(id, ipfsNodeId, relayUrl, hostname, captainHex, nodeHex, createdMoats, createdEpoch, descriptorModifiedMillis,
                state, reason, detail, port, status);
    }

    /** Same peer as far as syncing is concerned (ignores the descriptor's timestamps). */
    public boolean sameConnection(Peer other) {
        return other != null && state == other.state && java.util.Objects.equals(dialUrl(), other.dialUrl())
                && java.util.Objects.equals(relayUrl, other.relayUrl);
    }

    public String describe() {
        return switch (state) {
            case ROUTABLE -> id + " routable " + relayUrl + (hostname == null ? "" : " (" + hostname + ")");
            case TUNNEL -> id + " tunnel " + (tunnelPort > 0 ? "ws://127.0.0.1:" + tunnelPort : "not open: " + tunnelStatus)
                    + (hostname == null ? "" : " (" + hostname + ")");
            case SKIPPED -> id + " skipped " + reason + ": " + detail;
        };
    }
}
