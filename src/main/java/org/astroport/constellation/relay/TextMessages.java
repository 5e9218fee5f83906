package org.astroport.constellation.relay;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;

/**
 * Text messages out of a socket's frames, as UTF-8 bytes: what Vert.x's text message handler does
 * (continuation frames joined, at most maxBytes a message), without decoding each message into a
 * String that the parser would only copy again. Binary messages are skipped, as there. One per socket,
 * on its event loop.
 */
final class TextMessages {

    /** A message that went over the limit: its frames so far are dropped, and so are the rest of them. */
    static final class TooLong extends IllegalStateException {
        TooLong(long bytes, int maxBytes) {
            super("text message too big: " + bytes + " bytes so far, over the limit of " + maxBytes + "; dropped");
        }
    }

    private final int maxBytes;
    private Buffer partial; // the text message being joined
    private boolean skipping; // the rest of a binary or oversized message

    TextMessages(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The whole message once its last frame came, else null (a control frame, a fragment, a binary message). */
    byte[] accept(WebSocketFrame frame) {
        if (frame.isText()) {
            partial = null;
            skipping = false;
            if (frame.isFinal()) {
                return bounded(frame).getBytes();
            }
            partial = bounded(frame).copy();
            return null;
        }
        if (frame.isBinary()) {
            partial = null;
            skipping = !frame.isFinal();
            return null;
        }
        if (!frame.isContinuation() || skipping || partial == null) {
            if (frame.isContinuation() && frame.isFinal()) {
                skipping = false;
            }
            return null;
        }
        Buffer data = frame.binaryData();
        long joined = (long) partial.length() + data.length();
        if (joined > maxBytes) {
            partial = null;
            skipping = !frame.isFinal();
            throw new TooLong(joined, maxBytes);
        }
        partial.appendBuffer(data);
        if (!frame.isFinal()) {
            return null;
        }
        byte[] whole = partial.getBytes();
        partial = null;
        return whole;
    }

    private Buffer bounded(WebSocketFrame frame) {
        Buffer data = frame.binaryData();
        if (data.length() > maxBytes) {
            skipping = !frame.isFinal();
            throw new TooLong(data.length(), maxBytes);
        }
        return data;
    }
}
