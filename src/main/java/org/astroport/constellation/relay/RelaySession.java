package org.astroport.constellation.relay;

/** The open socket of a {@link RelayConnection}, as its handler sees it. */
public interface RelaySession {

    /** Sends a text frame; false when the socket is no longer open. */
    boolean send(String frame);

    /** The URL this session is connected to. */
    String url();

    /** Runs a task on the connection's event loop, where its handler's state lives. */
    void execute(Runnable task);

    /** Closes the socket; the connection reconnects unless it was stopped. */
    void close(String reason);
}
