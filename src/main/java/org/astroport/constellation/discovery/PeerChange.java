package org.astroport.constellation.discovery;

/** What the peer registry tells the rest of the application. */
public record PeerChange(Type type, Peer peer, Peer previous) {

    public enum Type { ADDED, CHANGED, REMOVED }

    @Override
    public String toString() {
        return type + " " + peer.describe();
    }
}
