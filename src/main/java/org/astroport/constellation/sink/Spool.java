package org.astroport.constellation.sink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.astroport.constellation.nostr.EventParser;
import org.astroport.constellation.nostr.NostrEvent;
import org.astroport.constellation.nostr.ParseResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events the sink could not take, on disk, in arrival order: append-only NDJSON segments, fsynced
 * per batch. Replay advances a durable cursor only after the sink accepted a batch, so a crash
 * repeats at most one batch (the relay drops duplicates) and loses none. A torn last line (crash
 * mid-write) is skipped and counted.
 */
public class Spool {

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    private static final String PREFIX = "segment-";
    private static final String SUFFIX = ".ndjson";

    private final Path dir;
    private final long maxSegmentBytes;
    private final EventParser parser = new EventParser(1 << 20);
    private FileChannel current;
    private Path currentPath;
    private long nextSeq;
    private final AtomicLong pendingEvents = new AtomicLong();
    private final AtomicLong corruptLines = new AtomicLong();
    private final AtomicLong appended = new AtomicLong();
    private final AtomicLong replayed = new AtomicLong();

    public Spool(Path dir, long maxSegmentBytes) throws IOException {
        this.dir = dir;
        this.maxSegmentBytes = maxSegmentBytes;
        Files.createDirectories(dir);
        long maxSeq = 0;
        long pending = 0;
        for (Path seg : segments()) {
            maxSeq = Math.max(maxSeq, seqOf(seg));
            pending += countLines(seg, cursor(seg));
        }
        nextSeq = maxSeq + 1;
        pendingEvents.set(pending);
        if (pending > 0) {
            LOG.info("spool {} holds {} event(s) from before; they will be replayed in order", dir, pending);
        }
    }

    public Path directory() {
        return dir;
    }

    public synchronized void append(List<SinkEvent> batch) throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        if (current == null || current.size() >= maxSegmentBytes) {
            rotate();
        }
        StringBuilder sb = new StringBuilder(batch.size() * 600);
        for (SinkEvent e : batch) {
            sb.append(e.json()).append('\n');
        }
        ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
            current.write(buf);
        }
        current.force(false);
        pendingEvents.addAndGet(batch.size());
        appended.addAndGet(batch.size());
    }

    /** Feeds everything spooled to the sink, oldest first; stops at the first failure (and rethrows it). */
    public int replay(EventSink sink, int batchSize) throws IOException, SinkUnavailableException {
        synchronized (this) {
            rotate(); // appends go to a fresh segment while we read the older ones
        }
        int total = 0;
        for (Path seg : segments()) {
            synchronized (this) {
                if (seg.equals(currentPath)) {
                    break;
                }
            }
            total += replaySegment(seg, sink, batchSize);
            Files.deleteIfExists(cursorPath(seg));
            Files.deleteIfExists(seg);
        }
        return total;
    }

    private int replaySegment(Path seg, EventSink sink, int batchSize) throws IOException, SinkUnavailableException {
        byte[] all = Files.readAllBytes(seg);
        int pos = (int) Math.min(cursor(seg), all.length);
        int done = 0;
        while (pos < all.length) {
            List<SinkEvent> batch = new ArrayList<>(batchSize);
            int end = pos;
            while (end < all.length && batch.size() < batchSize) {
                int nl = indexOf(all, (byte) '\n', end);
                if (nl < 0) {
                    // no newline: a write torn by a crash
                    corruptLines.incrementAndGet();
                    LOG.warn("spool {}: dropping a torn last line ({} bytes) left by an interrupted write", seg.getFileName(), all.length - end);
                    end = all.length;
                    break;
                }
                String line = new String(all, end, nl - end, StandardCharsets.UTF_8);
                end = nl + 1;
                SinkEvent e = decode(line);
                if (e == null) {
                    corruptLines.incrementAndGet();
                    LOG.warn("spool {}: skipping an unreadable line", seg.getFileName());
                } else {
                    batch.add(e);
                }
            }
            if (!batch.isEmpty()) {
                // throws: the cursor stays and the batch is retried next time (what it already took comes back as duplicates)
                EventSink.Result r = sink.write(batch);
                if (!r.retryLater().isEmpty()) {
                    throw new SinkUnavailableException(r.retryLater().size() + " spooled event(s) not taken yet (rate-limited or a transient error)");
                }
            }
            writeCursor(seg, end);
            pendingEvents.addAndGet(-batch.size());
            replayed.addAndGet(batch.size());
            done += batch.size();
            pos = end;
        }
        return done;
    }

    private SinkEvent decode(String line) {
        if (line.isBlank()) {
            return null;
        }
        ParseResult r = parser.parse(line);
        if (r instanceof ParseResult.Ok ok) {
            NostrEvent e = ok.event();
            return new SinkEvent(e.id(), e.pubkey(), e.kind(), e.createdAt(), line, "spool", System.nanoTime());
        }
        return null;
    }

    private void rotate() throws IOException {
        if (current != null) {
            current.close();
            if (Files.size(currentPath) == 0) {
                Files.deleteIfExists(currentPath);
            }
        }
        currentPath = dir.resolve(String.format("%s%020d%s", PREFIX, nextSeq++, SUFFIX));
        current = FileChannel.open(currentPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    private List<Path> segments() throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            ds.forEach(out::add);
        }
        out.sort(null);
        return out;
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
        Files.move(tmp, c, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
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

    public long corruptLines() {
        return corruptLines.get();
    }

    public long appendedTotal() {
        return appended.get();
    }

    public long replayedTotal() {
        return replayed.get();
    }

    public long sizeBytes() {
        try {
            long n = 0;
            for (Path p : segments()) {
                n += Files.size(p);
            }
            return n;
        } catch (IOException e) {
            return -1;
        }
    }

    public synchronized void close() throws IOException {
        if (current != null) {
            current.close();
            if (Files.size(currentPath) == 0) {
                Files.deleteIfExists(currentPath);
            }
            current = null;
        }
    }
}
