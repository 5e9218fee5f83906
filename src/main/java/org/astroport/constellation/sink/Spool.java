package org.astroport.constellation.sink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.astroport.constellation.ingest.SinkEvent;
import org.astroport.constellation.nostr.EventParser;
import org.astroport.constellation.nostr.NostrEvent;
import org.astroport.constellation.nostr.ParseResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events the sink could not take, on disk, in arrival order: append-only NDJSON segments, fsynced
 * per batch. Replay advances a durable cursor only after the sink accepted a batch, so a crash
 * repeats at most one batch (the relay drops duplicates) and loses none.
 * <p>
 * A line that does not parse (or a torn last line left by a crash) is moved aside into
 * {@code corrupt-<time>.ndjson} in the same directory and counted: it no longer counts as pending.
 * An append that fails (disk full, or the {@code maxBytes} cap) is cut back to the segment's
 * previous size, so no partial line merges with the next event, and the caller gets the exception.
 */
public class Spool {

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    private static final String PREFIX = "segment-";
    private static final String SUFFIX = ".ndjson";
    private static final DateTimeFormatter CORRUPT_NAME = DateTimeFormatter.ofPattern("'corrupt-'yyyyMMdd'T'HHmmss'Z.ndjson'").withZone(ZoneOffset.UTC);

    /** Opens a segment for appending; a test swaps in a channel that fails like a full disk. */
    interface SegmentOpener {
        FileChannel open(Path segment) throws IOException;
    }

    /** An append refused because the spool reached its size cap. */
    public static class FullException extends IOException {
        FullException(String message) {
            super(message);
        }
    }

    private final Path dir;
    private final long maxSegmentBytes;
    private final long maxBytes;
    private final SegmentOpener opener;
    private final EventParser parser = new EventParser(1 << 20);
    private final ByteBuffer out = ByteBuffer.allocate(1 << 16);
    private FileChannel current;
    private Path currentPath;
    private long nextSeq;
    private final AtomicLong pendingEvents = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong corruptLines = new AtomicLong();
    private final AtomicLong appended = new AtomicLong();
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong refusedFull = new AtomicLong();
    private volatile boolean full;

    public Spool(Path dir, long maxSegmentBytes) throws IOException {
        this(dir, maxSegmentBytes, Long.MAX_VALUE);
    }

    /** maxBytes: beyond it appends fail with {@link FullException} (the caller forgets those events; peers send them again). */
    public Spool(Path dir, long maxSegmentBytes, long maxBytes) throws IOException {
        this(dir, maxSegmentBytes, maxBytes,
                seg -> FileChannel.open(seg, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
    }

    Spool(Path dir, long maxSegmentBytes, long maxBytes, SegmentOpener opener) throws IOException {
        this.dir = dir;
        this.maxSegmentBytes = maxSegmentBytes;
        this.maxBytes = maxBytes;
        this.opener = opener;
        Files.createDirectories(dir);
        removeOrphanCursors();
        long maxSeq = 0;
        long size = 0;
        for (Path seg : segments()) {
            maxSeq = Math.max(maxSeq, seqOf(seg));
            size += Files.size(seg);
        }
        nextSeq = maxSeq + 1;
        bytes.set(size);
        pendingEvents.set(countPending());
        if (pendingEvents.get() > 0) {
            LOG.info("spool {} holds {} event(s) from before; they will be replayed in order", dir, pendingEvents.get());
        }
    }

    public Path directory() {
        return dir;
    }

    /** Appends the batch and fsyncs it; on failure nothing of it stays in the segment. */
    public synchronized void append(List<SinkEvent> batch) throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        if (current != null && current.size() >= maxSegmentBytes) {
            closeCurrent();
        }
        if (current == null) {
            openSegment();
        }
        long before = current.size();
        long added = 0;
        out.clear();
        try {
            for (SinkEvent e : batch) {
                byte[] line = e.json().getBytes(StandardCharsets.UTF_8);
                if (bytes.get() + added + line.length + 1 > maxBytes) {
                    refusedFull.addAndGet(batch.size());
                    full = true;
                    throw new FullException("spool " + dir + " is full (" + (bytes.get() + added) + " bytes, cap " + maxBytes + ")");
                }
                if (out.remaining() < line.length + 1) {
                    drain();
                }
                if (line.length + 1 > out.capacity()) {
                    ByteBuffer big = ByteBuffer.wrap(line);
                    while (big.hasRemaining()) {
                        current.write(big);
                    }
                } else {
                    out.put(line);
                }
                out.put((byte) '\n');
                added += line.length + 1;
            }
            drain();
            current.force(false);
        } catch (IOException | RuntimeException | Error e) {
            cutBack(before);
            throw e;
        }
        bytes.addAndGet(added);
        pendingEvents.addAndGet(batch.size());
        appended.addAndGet(batch.size());
        full = false;
    }

    private void drain() throws IOException {
        out.flip();
        while (out.hasRemaining()) {
            current.write(out);
        }
        out.clear();
    }

    /** Truncates the segment to its size before a failed append; if even that fails, the next append starts a new segment. */
    private void cutBack(long size) {
        out.clear();
        try {
            current.truncate(size);
            current.force(false);
        } catch (IOException | RuntimeException e) {
            // the partial bytes stay as a torn last line of this segment, which replay moves aside
            LOG.error("spool {}: cannot cut a failed append back to {} bytes ({}); continuing in a new segment", dir, size, e.toString());
            try {
                current.close();
            } catch (IOException ignored) {
                // already failing
            }
            current = null;
        }
    }

    /** Feeds everything spooled to the sink, oldest first; stops at the first failure (and rethrows it). */
    public int replay(EventSink sink, int batchSize) throws IOException, SinkUnavailableException {
        long boundary;
        synchronized (this) {
            closeCurrent(); // appends go to a fresh segment while we read the older ones
            boundary = nextSeq;
        }
        int total = 0;
        Corrupt corrupt = new Corrupt();
        try {
            for (Path seg : segments()) {
                if (seqOf(seg) >= boundary) {
                    break;
                }
                total += replaySegment(seg, sink, batchSize, corrupt);
                long size = Files.size(seg);
                Files.deleteIfExists(seg);
                Files.deleteIfExists(cursorPath(seg));
                syncDirectory(dir);
                bytes.addAndGet(-size);
                full = false;
            }
            synchronized (this) {
                pendingEvents.set(countPending()); // exact again: only what arrived during the replay
            }
        } finally {
            corrupt.close();
        }
        return total;
    }

    static final int MAX_REPLAY_BATCH_BYTES = 4 << 20;

    private int replaySegment(Path seg, EventSink sink, int batchSize, Corrupt corrupt) throws IOException, SinkUnavailableException {
        byte[] all = Files.readAllBytes(seg);
        int pos = (int) Math.min(cursor(seg), all.length);
        int done = 0;
        while (pos < all.length) {
            List<SinkEvent> batch = new ArrayList<>(batchSize);
            List<byte[]> unreadable = new ArrayList<>();
            int lines = 0;
            int end = pos;
            // a replayed batch is bounded in bytes too: 5,000 spooled events of 64 KB would not fit a small heap
            while (end < all.length && batch.size() < batchSize && end - pos < MAX_REPLAY_BATCH_BYTES) {
                int nl = indexOf(all, (byte) '\n', end);
                if (nl < 0) {
                    // no newline: a write torn by a crash (never counted as pending)
                    LOG.warn("spool {}: moving a torn last line ({} bytes at offset {}) left by an interrupted write aside", seg.getFileName(),
                            all.length - end, end);
                    unreadable.add(java.util.Arrays.copyOfRange(all, end, all.length));
                    end = all.length;
                    break;
                }
                String line = new String(all, end, nl - end, StandardCharsets.UTF_8);
                SinkEvent e = decode(line);
                lines++;
                if (e == null) {
                    LOG.warn("spool {}: moving an unreadable line ({} bytes at offset {}) aside", seg.getFileName(), nl - end, end);
                    unreadable.add(java.util.Arrays.copyOfRange(all, end, nl));
                } else {
                    batch.add(e);
                }
                end = nl + 1;
            }
            if (!batch.isEmpty()) {
                // throws: the cursor stays and the batch is retried next time (what it already took comes back as duplicates)
                EventSink.Result r = sink.write(batch);
                if (!r.retryLater().isEmpty()) {
                    throw new SinkUnavailableException(r.retryLater().size() + " spooled event(s) not taken yet (rate-limited or a transient error)");
                }
            }
            // aside (fsynced) before the cursor passes them: a crash in between copies them twice, never loses them
            corrupt.write(unreadable);
            writeCursor(seg, end);
            pendingEvents.addAndGet(-lines);
            replayed.addAndGet(batch.size());
            done += batch.size();
            pos = end;
        }
        return done;
    }

    /** corrupt-&lt;time&gt;.ndjson, opened on the first unreadable line of a replay. */
    private final class Corrupt {
        private FileChannel channel;
        private Path path;

        void write(List<byte[]> lines) throws IOException {
            if (lines.isEmpty()) {
                return;
            }
            if (channel == null) {
                path = dir.resolve(CORRUPT_NAME.format(Instant.now()));
                channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                syncDirectory(dir);
            }
            for (byte[] l : lines) {
                ByteBuffer b = ByteBuffer.allocate(l.length + 1).put(l).put((byte) '\n').flip();
                while (b.hasRemaining()) {
                    channel.write(b);
                }
            }
            channel.force(false);
            corruptLines.addAndGet(lines.size());
            LOG.warn("spool {}: {} unreadable line(s) moved to {} ({} so far)", dir, lines.size(), path.getFileName(), corruptLines.get());
        }

        void close() throws IOException {
            if (channel != null) {
                channel.close();
            }
        }
    }

    private SinkEvent decode(String line) {
        if (line.isBlank()) {
            return null;
        }
        ParseResult r = parser.parse(line);
        if (r instanceof ParseResult.Ok ok) {
            NostrEvent e = ok.event();
            return new SinkEvent(e.id(), e.pubkey(), e.kind(), e.createdAt(), line, "spool", System.nanoTime(), e);
        }
        return null;
    }

    private void openSegment() throws IOException {
        currentPath = dir.resolve(String.format("%s%020d%s", PREFIX, nextSeq++, SUFFIX));
        current = opener.open(currentPath);
        syncDirectory(dir); // the new name survives a crash along with the data fsynced into it
    }

    private void closeCurrent() throws IOException {
        if (current != null) {
            current.close();
            current = null;
            if (Files.size(currentPath) == 0) {
                Files.deleteIfExists(currentPath); // every append to it failed
            }
        }
    }

    private List<Path> segments() throws IOException {
        List<Path> segs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            ds.forEach(segs::add);
        }
        segs.sort(null);
        return segs;
    }

    private long countPending() throws IOException {
        long pending = 0;
        for (Path seg : segments()) {
            pending += countLines(seg, cursor(seg));
        }
        return pending;
    }

    /** Cursor files whose segment is gone (a crash between the two deletions). */
    private void removeOrphanCursors() throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX + ".cursor*")) {
            for (Path c : ds) {
                String n = c.getFileName().toString();
                Path seg = dir.resolve(n.substring(0, n.indexOf(".cursor")));
                if (!Files.exists(seg) || n.endsWith(".tmp")) {
                    Files.deleteIfExists(c);
                }
            }
        }
    }

    private static long seqOf(Path seg) {
        String n = seg.getFileName().toString();
        return Long.parseLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length()));
    }

    private static Path cursorPath(Path seg) {
        return seg.resolveSibling(seg.getFileName().toString() + ".cursor");
    }

    private static long cursor(Path seg) {
        try {
            Path c = cursorPath(seg);
            return Files.exists(c) ? Long.parseLong(Files.readString(c).trim()) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0; // replay the whole segment again: duplicates, never loss
        }
    }

    private static void writeCursor(Path seg, long offset) throws IOException {
        Path c = cursorPath(seg);
        Path tmp = c.resolveSibling(c.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(Long.toString(offset).getBytes(StandardCharsets.US_ASCII)));
            ch.force(false);
        }
        Files.move(tmp, c, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(seg.getParent()); // the rename itself survives a crash
    }

    /** fsync of a directory, so that names created, renamed or removed in it are on disk (Linux; a no-op where unsupported). */
    static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            LOG.debug("cannot fsync directory {}: {}", dir, e.toString());
        }
    }

    private static long countLines(Path seg, long from) throws IOException {
        byte[] all = Files.readAllBytes(seg);
        long n = 0;
        for (int i = (int) Math.min(from, all.length); i < all.length; i++) {
            if (all[i] == '\n') {
                n++;
            }
        }
        return n;
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    public long pendingEvents() {
        return pendingEvents.get();
    }

    public boolean isEmpty() {
        return pendingEvents.get() <= 0;
    }

    /** Unreadable lines moved aside into corrupt-*.ndjson files. */
    public long corruptLines() {
        return corruptLines.get();
    }

    public long appendedTotal() {
        return appended.get();
    }

    public long replayedTotal() {
        return replayed.get();
    }

    /** Events refused because the spool was at its size cap. */
    public long refusedFull() {
        return refusedFull.get();
    }

    /** True from an append refused for the size cap until the spool takes a batch again or replay frees space. */
    public boolean isFull() {
        return full || bytes.get() >= maxBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Bytes in the segments on disk (replayed segments count until they are deleted, segment by segment). */
    public long sizeBytes() {
        return bytes.get();
    }

    public synchronized void close() throws IOException {
        closeCurrent();
    }
}
