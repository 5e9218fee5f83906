package org.astroport.constellation.relay;

/**
 * What a {@link RelayConnection} tells its owner. Called on the connection's Vert.x event loop, one
 * call at a time: do not block.
 */
public interface RelaySessionHandler {

    /** After every successful (re)connect: authenticate and (re)subscribe here. */
    void onOpen(RelaySession session);

    void onFrame(RelaySession session, String frame);

    default void onClose(int code, String reason, boolean willReconnect) {
    }

    default void onError(Throwable error) {
    }
}
