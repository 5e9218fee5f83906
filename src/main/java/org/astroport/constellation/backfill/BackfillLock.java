package org.astroport.constellation.backfill;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * One backfill at a time, across the daemon's Quartz trigger, JMX and command-line runs.
 * An OS file lock rather than a marker file: the kernel drops it when a run crashes, so a stale
 * lock never blocks the next run. The holder's pid is written inside for the refusal message.
 */
public final class BackfillLock implements AutoCloseable {

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private BackfillLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock, or empty with the reason when another run holds it. */
    public static Optional<BackfillLock> tryAcquire(Path file, StringBuilder whyNot) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null; // held by this same JVM (e.g. Quartz fired while a JMX-triggered run is going)
        }
        if (l == null) {
            String holder = readHolder(ch);
            ch.close();
            whyNot.append("a backfill is already running").append(holder.isEmpty() ? "" : " (pid " + holder + ")")
                    .append("; lock ").append(file);
            return Optional.empty();
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        ch.force(false);
        return Optional.of(new BackfillLock(file, ch, l));
    }

    private static String readHolder(FileChannel ch) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(32);
            int n = ch.read(buf, 0);
            return n <= 0 ? "" : new String(buf.array(), 0, n, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return "";
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        try {
            channel.truncate(0);
            lock.release();
        } finally {
            channel.close();
        }
    }
}
