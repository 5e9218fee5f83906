package org.astroport.constellation.relay;

/**
 * What a {@link RelayConnection} tells its owner. Called on the connection's Vert.x event loop, one
 * call at a time: do not block.
 */
public interface RelaySessionHandler {

    /** After every successful (re)connect: authenticate and (re)subscribe here. */
    void onOpen(RelaySession session);

    void onFrame(RelaySession session, String frame);

    /**
     * A text message as read: its UTF-8 bytes. A handler that parses them itself overrides this and skips
     * the String (and the parser's copy of it). Malformed UTF-8 reaches {@link #onFrame(RelaySession, String)}
     * with replacement characters, as a text decoder would give it.
     */
    default void onFrame(RelaySession session, byte[] utf8) {
        onFrame(session, new String(utf8, java.nio.charset.StandardCharsets.UTF_8));
    }

    default void onClose(int code, String reason, boolean willReconnect) {
    }

    default void onError(Throwable error) {
    }
}
