package org.astroport.constellation.discovery;

/** How we can reach a peer station's relay. */
public enum PeerState {
    /** its myRELAY is a public ws/wss URL */
    ROUTABLE,
    /** its relay is behind NAT (ws://127.0.0.1:7777) and it offers an IPFS p2p tunnel */
    TUNNEL,
    /** not a peer to sync with; see the reason */
    SKIPPED
}
