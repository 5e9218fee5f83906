package org.astroport.constellation.negentropy;

/** A message that breaks the protocol (malformed, unknown mode, unsupported version). */
public class NegentropyException extends Exception {

    private final int offeredVersion;

    public NegentropyException(String message) {
        this(message, -1);
    }

    public NegentropyException(String message, int offeredVersion) {
        super(message);
        this.offeredVersion = offeredVersion;
    }

    /** The protocol version byte the other side offered instead of ours, or -1. */
    public int offeredVersion() {
        return offeredVersion;
    }
}
