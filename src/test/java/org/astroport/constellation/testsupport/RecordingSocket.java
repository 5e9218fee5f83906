package org.astroport.constellation.testsupport;

import java.util.ArrayList;
import java.util.List;

import org.astroport.constellation.relay.RelaySession;

/** A session's socket for driving a PeerSession by hand: keeps what it sends, runs event-loop tasks at once. */
public final class RecordingSocket implements RelaySession {

    private final List<String> sent = new ArrayList<>();
    private final String url;

    public RecordingSocket(String url) {
        this.url = url;
    }

    /** The frames sent so far, in order (the live list). */
    public List<String> sent() {
        return sent;
    }

    @Override
    public boolean send(String frame) {
        sent.add(frame);
        return true;
    }

    @Override
    public String url() {
        return url;
    }

    @Override
    public void execute(Runnable task) {
        task.run();
    }

    @Override
    public void close(String reason) {
    }
}
