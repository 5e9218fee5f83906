package org.astroport.constellation.discovery;

/** Told about every peer decision, in registry order. */
public interface PeerRegistryListener {

    default void peerAdded(Peer peer) {
    }

    default void peerChanged(Peer previous, Peer current) {
    }

    default void peerRemoved(Peer peer) {
    }
}
