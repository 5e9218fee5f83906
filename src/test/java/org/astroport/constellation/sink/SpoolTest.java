package org.astroport.constellation.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.astroport.constellation.ingest.DeletionTracker;
import org.astroport.constellation.ingest.SeenEvents;
import org.astroport.constellation.ingest.SinkEvent;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.ops.ConstellationHealth;
import org.apache.camel.health.HealthCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk spool: corrupt lines moved aside, failed appends cut back, a size cap that turns health DOWN. */
class SpoolTest {

    /** Takes every batch and remembers the events' JSON in order. */
    static class CollectingSink extends org.astroport.constellation.testsupport.NamedSink {
        final List<String> written = new ArrayList<>();

        CollectingSink() {
            super("collecting");
        }

        @Override
        public Result write(List<SinkEvent> batch) {
            batch.forEach(e -> written.add(e.json()));
            return new Result(batch.size(), Map.of());
        }
    }

    static List<String> json(List<SinkEvent> events) {
        return events.stream().map(SinkEvent::json).toList();
    }

    static List<Path> files(Path dir, String glob) throws IOException {
        List<Path> out = new ArrayList<>();
        try (var ds = Files.newDirectoryStream(dir, glob)) {
            ds.forEach(out::add);
        }
        return out;
    }

    @Test
    void corruptLinesAreMovedAsideCountedAndNoLongerPending(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("spool");
        List<SinkEvent> events = StrfryImportSinkTest.notes(3, "spooled");
        Spool first = new Spool(dir, 8 << 20);
        first.append(events);
        first.close();
        // a line damaged on disk between two good ones, and a torn last line (a crash mid-write)
        Path seg = files(dir, "segment-*.ndjson").get(0);
        String good = Files.readString(seg);
        String[] lines = good.split("\n");
        Files.writeString(seg, lines[0] + "\n{\"id\":\"not an event\"\n" + lines[1] + "\n" + lines[2] + "\n" + "{\"id\":\"torn");

        Spool spool = new Spool(dir, 8 << 20);
        assertEquals(4, spool.pendingEvents(), "complete lines on disk");
        CollectingSink sink = new CollectingSink();
        assertEquals(3, spool.replay(sink, 2));
        assertEquals(json(events), sink.written);
        assertEquals(0, spool.pendingEvents(), "the corrupt line no longer counts as pending");
        assertTrue(spool.isEmpty(), "so the next batch does not detour through the spool");
        assertEquals(2, spool.corruptLines());
        List<Path> aside = files(dir, "corrupt-*.ndjson");
        assertEquals(1, aside.size());
        assertEquals(List.of("{\"id\":\"not an event\"", "{\"id\":\"torn"), Files.readAllLines(aside.get(0)));
        assertTrue(files(dir, "segment-*").isEmpty(), "replayed segment and cursor removed");

        // a restart finds nothing pending
        assertEquals(0, new Spool(dir, 8 << 20).pendingEvents());
    }

    @Test
    void aFailedAppendIsCutBackSoNoPartialLineMergesWithTheNextEvent(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("spool");
        DiskFillingOpener disk = new DiskFillingOpener();
        Spool spool = new Spool(dir, 8 << 20, Long.MAX_VALUE, disk);
        List<SinkEvent> before = StrfryImportSinkTest.notes(3, "before");
        List<SinkEvent> failing = StrfryImportSinkTest.notes(100, "failing"); // ~100 KB: more than the write buffer
        List<SinkEvent> after = StrfryImportSinkTest.notes(3, "after");
        spool.append(before);
        long size = Files.size(files(dir, "segment-*.ndjson").get(0));
        disk.spaceLeft = 70_000; // the disk fills up in the middle of the next batch
        IOException full = assertThrows(IOException.class, () -> spool.append(failing));
        assertEquals("No space left on device", full.getMessage());
        assertTrue(disk.partialWrites > 0, "some of the batch reached the file before the failure");
        assertEquals(size, Files.size(files(dir, "segment-*.ndjson").get(0)), "cut back to its size before the batch");
        assertEquals(3, spool.pendingEvents());
        disk.spaceLeft = Long.MAX_VALUE;
        spool.append(after);
        CollectingSink sink = new CollectingSink();
        assertEquals(6, spool.replay(sink, 500));
        List<String> want = new ArrayList<>(json(before));
        want.addAll(json(after));
        assertEquals(want, sink.written);
        assertEquals(0, spool.corruptLines());
    }

    @Test
    void beyondItsCapTheSpoolRefusesTheRouterForgetsTheEventsAndHealthIsDown(@TempDir Path tmp) throws Exception {
        List<SinkEvent> first = StrfryImportSinkTest.notes(3, "fits");
        List<SinkEvent> second = StrfryImportSinkTest.notes(3, "over the cap");
        long cap = first.stream().mapToLong(e -> e.json().length() + 1).sum() + 1000; // room for the first batch only
        Spool spool = new Spool(tmp.resolve("spool"), 8 << 20, cap);
        EventSink down = new CollectingSink() {
            @Override
            public Result write(List<SinkEvent> batch) {
                throw new IllegalStateException("local strfry gone");
            }
        };
        SeenEvents seen = new SeenEvents(1000);
        seen.start();
        SinkRouter router = new SinkRouter(down, spool, new DeletionTracker(100), new SyncStats(), 500, seen);
        ConstellationHealth.Sink health = new ConstellationHealth.Sink(router, 300_000);

        Stream.concat(first.stream(), second.stream()).forEach(e -> seen.add(e.id()));
        router.write(first);
        assertEquals(3, spool.pendingEvents());
        assertFalse(spool.isFull());
        assertEquals(HealthCheck.State.UP, health.call().getState(), "down for less than the threshold, spool not full");

        long spoolBytes = spool.sizeBytes();
        router.write(second);
        assertEquals(3, spool.pendingEvents(), "refused, nothing partial left behind");
        assertEquals(spoolBytes, spool.sizeBytes());
        assertTrue(spool.isFull());
        assertEquals(3, router.lostEvents());
        assertEquals(1, router.losses(), "every peer goes back to its last safe position");
        assertTrue(second.stream().noneMatch(e -> seen.contains(e.id())), "forgotten, so the peers' events are taken again");
        assertTrue(first.stream().allMatch(e -> seen.contains(e.id())), "spooled ones stay remembered");
        HealthCheck.Result r = health.call();
        assertEquals(HealthCheck.State.DOWN, r.getState());
        assertTrue(r.getMessage().orElse("").contains("full"), r.getMessage().toString());

        // the sink is back: replay frees the spool and health is UP again
        EventSink back = new CollectingSink();
        SinkRouter again = new SinkRouter(back, spool, new DeletionTracker(100), new SyncStats(), 500, seen);
        assertEquals(3, again.replaySpoolNow());
        assertFalse(spool.isFull());
        assertEquals(HealthCheck.State.UP, new ConstellationHealth.Sink(again, 300_000).call().getState());
    }

    /** Segments on a disk that runs out of space after spaceLeft more bytes: the write that crosses it is partial, then fails. */
    static final class DiskFillingOpener implements Spool.SegmentOpener {
        volatile long spaceLeft = Long.MAX_VALUE;
        int partialWrites;

        @Override
        public FileChannel open(Path segment) throws IOException {
            FileChannel real = FileChannel.open(segment, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            return new FileChannel() {
                @Override
                public int write(ByteBuffer src) throws IOException {
                    if (spaceLeft <= 0) {
                        throw new IOException("No space left on device");
                    }
                    if (src.remaining() > spaceLeft) {
                        ByteBuffer part = src.duplicate();
                        part.limit(part.position() + (int) spaceLeft);
                        int n = real.write(part);
                        src.position(src.position() + n);
                        spaceLeft -= n;
                        partialWrites++;
                        return n;
                    }
                    int n = real.write(src);
                    spaceLeft -= n;
                    return n;
                }

                @Override
                public long size() throws IOException {
                    return real.size();
                }

                @Override
                public FileChannel truncate(long size) throws IOException {
                    real.truncate(size);
                    return this;
                }

                @Override
                public void force(boolean metaData) throws IOException {
                    real.force(metaData);
                }

                @Override
                protected void implCloseChannel() throws IOException {
                    real.close();
                }

                @Override
                public int read(ByteBuffer dst) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public long read(ByteBuffer[] dsts, int offset, int length) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public long write(ByteBuffer[] srcs, int offset, int length) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public long position() throws IOException {
                    return real.position();
                }

                @Override
                public FileChannel position(long newPosition) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public long transferTo(long position, long count, WritableByteChannel target) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public long transferFrom(ReadableByteChannel src, long position, long count) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public int read(ByteBuffer dst, long position) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public int write(ByteBuffer src, long position) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public MappedByteBuffer map(MapMode mode, long position, long size) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public FileLock lock(long position, long size, boolean shared) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public FileLock tryLock(long position, long size, boolean shared) {
                    throw new UnsupportedOperationException();
                }
            };
        }
    }

    /** 200 spooled events of 60 KB replayed with batches of 5,000 allowed: each batch stays within 4 MiB, all in order. */
    @Test
    void replayedBatchesAreBoundedInBytes(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Spool spool = new Spool(tmp.resolve("spool"), 64L << 20);
        List<SinkEvent> big = new ArrayList<>();
        String filler = "q".repeat(60_000);
        for (int i = 0; i < 200; i++) {
            var e = org.astroport.constellation.nostr.EventSigner.sign(org.astroport.constellation.testsupport.Fixtures.secretOf("member-1"),
                    org.astroport.constellation.testsupport.Fixtures.REFERENCE_TIME - i, 1, List.of(), i + filler);
            big.add(SinkEvent.of(e, "peer", 0));
        }
        spool.append(big);
        List<Integer> batchBytes = new ArrayList<>();
        CollectingSink sink = new CollectingSink() {
            @Override
            public Result write(List<SinkEvent> batch) {
                batchBytes.add(batch.stream().mapToInt(e -> e.json().length() + 1).sum());
                return super.write(batch);
            }
        };
        assertEquals(200, spool.replay(sink, 5000));
        assertEquals(json(big), sink.written);
        assertTrue(batchBytes.size() > 1 && batchBytes.stream().allMatch(b -> b <= Spool.MAX_REPLAY_BATCH_BYTES + 70_000), batchBytes.toString());
    }
}
