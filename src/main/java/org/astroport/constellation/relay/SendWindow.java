package org.astroport.constellation.relay;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What we may queue on one peer's socket: at most {@link #MAX_UNWRITTEN_BYTES} of frames it has not
 * read. A slow peer gets {@link #DRAIN_WAIT_MILLIS} to drain (the sender waits); one that does not is
 * skipped, without waiting, until half of what it owes is written. It pulls what it missed itself
 * (its live sync, its backfill), not from our heap.
 */
public final class SendWindow {

    /** Unwritten bytes on a peer's socket beyond which no frame is queued for it. */
    public static final long MAX_UNWRITTEN_BYTES = 4L << 20;
    public static final long DRAIN_WAIT_MILLIS = 2000;
    private static final Logger LOG = LoggerFactory.getLogger(SendWindow.class);

    /** What became of a frame. */
    public enum Outcome {
        SENT, OFFLINE, NOT_READING
    }

    private final String peer;
    private volatile boolean notReading;

    public SendWindow(String peer) {
        this.peer = peer;
    }

    public synchronized Outcome send(RelayConnection connection, String frame) {
        if (connection == null || connection.state() != RelayConnection.State.OPEN) {
            return Outcome.OFFLINE;
        }
        return readsWhatWeSend(connection) && connection.send(frame, MAX_UNWRITTEN_BYTES) ? Outcome.SENT : Outcome.NOT_READING;
    }

    private boolean readsWhatWeSend(RelayConnection connection) {
        if (notReading) {
            if (connection.pendingBytes() > MAX_UNWRITTEN_BYTES / 2) {
                return false;
            }
            notReading = false;
            LOG.info("{} reads again", peer);
            return true;
        }
        long deadline = System.currentTimeMillis() + DRAIN_WAIT_MILLIS;
        while (connection.pendingBytes() > MAX_UNWRITTEN_BYTES) {
            if (Thread.currentThread().isInterrupted()) {
                return false; // stopping
            }
            if (System.currentTimeMillis() > deadline) {
                notReading = true;
                LOG.warn("{} has not read {} KB we sent; nothing more is queued for it until it does", peer, connection.pendingBytes() / 1024);
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        return true;
    }
}
