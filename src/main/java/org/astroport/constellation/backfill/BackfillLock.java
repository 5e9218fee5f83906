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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One backfill at a time, across the daemon's Quartz trigger, JMX and command-line runs.
 * An OS file lock rather than a marker file: the kernel drops it when a run crashes, so a stale
 * lock never blocks the next run. The holder's pid is written inside for the refusal message.
 * <p>
 * Within one JVM the lock is an in-memory flag checked before the file is touched: on Linux an
 * fcntl lock belongs to the process, and closing <em>any</em> channel on the file drops it, so a
 * refused attempt that opened and closed its own channel would free the file for another process.
 */
public final class BackfillLock implements AutoCloseable {

    /** Lock files held by this JVM (real paths), each by exactly one open channel. */
    private static final Set<Path> HELD = new HashSet<>();
    /** Channels that must stay open (see tryAcquire). */
    private static final List<FileChannel> PARKED = new ArrayList<>();

    private final Path file;
    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private BackfillLock(Path file, Path key, FileChannel channel, FileLock lock) {
        this.file = file;
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock, or empty with the reason when another run (in this process or another) holds it. */
    public static Optional<BackfillLock> tryAcquire(Path file, StringBuilder whyNot) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path key = parent.toRealPath().resolve(file.getFileName());
        synchronized (HELD) {
            if (HELD.contains(key)) {
                // e.g. Quartz fired while a JMX-triggered run is going; no channel opened, so the lock stays
                whyNot.append("a backfill is already running in this process (pid ").append(ProcessHandle.current().pid())
                        .append("); lock ").append(file);
                return Optional.empty();
            }
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                // locked through another channel of this JVM, outside this class: closing ours would drop that lock
                PARKED.add(ch);
                whyNot.append("the lock file is locked elsewhere in this process; lock ").append(file);
                return Optional.empty();
            } catch (IOException | RuntimeException e) {
                ch.close(); // this JVM holds no lock on the file (HELD says so): closing drops nothing
                throw e;
            }
            if (l == null) {
                String holder = readHolder(ch);
                ch.close();
                whyNot.append("a backfill is already running").append(holder.isEmpty() ? "" : " (pid " + holder + ")")
                        .append("; lock ").append(file);
                return Optional.empty();
            }
            try {
                ch.truncate(0);
                ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
                ch.force(false);
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            HELD.add(key);
            return Optional.of(new BackfillLock(file, key, ch, l));
        }
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
        synchronized (HELD) {
            if (!channel.isOpen()) {
                return;
            }
            try {
                channel.truncate(0);
                lock.release();
            } finally {
                channel.close();
                HELD.remove(key);
            }
        }
    }
}
