package org.astroport.constellation.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.astroport.constellation.ingest.DeletionTracker;
import org.astroport.constellation.ingest.SeenEvents;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.StrfryProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/** strfry import as a child process: a hung or failing child costs one deadline and spools the batch; rejections are counted. */
class StrfryImportSinkTest {

    /** n notes of about 1 KB each: 300 of them are more than a pipe buffer (64 KiB) holds. */
    static List<SinkEvent> notes(int n, String tag) {
        String padding = "x".repeat(900);
        List<SinkEvent> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(SinkEvent.of(EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 1000 + i, 1, List.of(),
                    tag + " " + i + " " + padding), "peer-a", System.nanoTime()));
        }
        return out;
    }

    static Path script(Path file, String body) throws Exception {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        assertTrue(file.toFile().setExecutable(true));
        return file;
    }

    static SinkRouter router(StrfryImportSink sink, Spool spool, SeenEvents seen) {
        return new SinkRouter(sink, spool, new DeletionTracker(100), new SyncStats(), 5000, seen);
    }

    static SeenEvents seen() {
        SeenEvents seen = new SeenEvents(10_000);
        seen.start();
        return seen;
    }

    static Set<String> idsOf(List<SinkEvent> events) {
        Set<String> s = new TreeSet<>();
        events.forEach(e -> s.add(e.id()));
        return s;
    }

    @Test
    void aChildThatNeverReadsIsKilledAtTheDeadlineAndTheBatchSpools(@TempDir Path tmp) throws Exception {
        // a wrapper that never reads stdin, and a child of it holding the same pipe (it must be killed too)
        Path strfry = script(tmp.resolve("strfry"), """
                echo $$ > "%1$s/parent.pid"
                sleep 3600 <&0 &
                echo $! > "%1$s/child.pid"
                wait""".formatted(tmp));
        Spool spool = new Spool(tmp.resolve("spool"), 8 << 20);
        SinkRouter router = router(new StrfryImportSink(strfry.toString(), null, tmp, Duration.ofSeconds(1)), spool, seen());
        List<SinkEvent> batch = notes(300, "hung");
        long started = System.nanoTime();
        // before the deadline covered the write, this never returned: the pipe was full and nobody read it
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> router.write(batch), "the writer thread is free again");
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(tookMillis >= 900 && tookMillis < 5000, "one deadline, write included: " + tookMillis + " ms");
        assertEquals(300, spool.pendingEvents(), "the batch is spooled");
        assertEquals(0, router.lostEvents());
        assertTrue(router.downSinceMillis() > 0);
        assertTrue(router.lastError().contains("did not finish within 1 s"), router.lastError());
        for (String pidFile : List.of("parent.pid", "child.pid")) {
            long pid = Long.parseLong(Files.readString(tmp.resolve(pidFile)).trim());
            RunningCheck.awaitDead(pid);
        }

        // the next batch goes straight behind the spooled one, without waiting on strfry
        List<SinkEvent> next = notes(5, "next");
        assertTimeoutPreemptively(Duration.ofSeconds(1), () -> router.write(next));
        assertEquals(305, spool.pendingEvents());

        // strfry is fine again: the replay brings every event, in order, nothing lost
        Path received = tmp.resolve("received.ndjson");
        script(strfry, "cat >> '" + received + "'\necho 'Done. Processed 0 lines. 0 added, 0 rejected, 0 dups'");
        Files.createDirectories(tmp.resolve("strfry-db"));
        Files.writeString(tmp.resolve("strfry.conf"), "db = \"./strfry-db/\"\n");
        assertEquals(305, router.replaySpoolNow());
        assertEquals(0, router.downSinceMillis());
        assertTrue(spool.isEmpty());
        List<String> got = Files.readAllLines(received);
        List<String> want = new ArrayList<>();
        batch.forEach(e -> want.add(e.json()));
        next.forEach(e -> want.add(e.json()));
        assertEquals(want, got);
    }

    @Test
    void aChildThatExitsNonZeroSpoolsTheBatch(@TempDir Path tmp) throws Exception {
        Path strfry = script(tmp.resolve("strfry"), "cat > /dev/null\necho 'strfry error: mdb_env_open: No such file or directory'\nexit 1");
        Spool spool = new Spool(tmp.resolve("spool"), 8 << 20);
        SeenEvents seen = seen();
        SinkRouter router = router(new StrfryImportSink(strfry.toString(), null, tmp, Duration.ofSeconds(5)), spool, seen);
        List<SinkEvent> batch = notes(20, "failing");
        batch.forEach(e -> seen.add(e.id()));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> router.write(batch));
        assertEquals(20, spool.pendingEvents());
        assertEquals(0, router.written());
        assertEquals(0, router.lostEvents());
        assertTrue(router.lastError().contains("exited 1") && router.lastError().contains("mdb_env_open"), router.lastError());
        assertTrue(batch.stream().allMatch(e -> seen.contains(e.id())), "spooled events stay remembered");
    }

    @Test
    void rejectionsReportedByStrfryAreRefusedNotWritten(@TempDir Path tmp) throws Exception {
        // strfry's own words (cmd_import.cpp, WriterPipeline.h) for 5 lines: 1 rejected, 1 not JSON, 1 duplicate
        Path strfry = script(tmp.resolve("strfry"), """
                cat > /dev/null
                echo '2026-11-29 22:24:29.234 (   0.041s) [main thread     ]WARN| Unable to parse JSON on line 4'
                echo '2026-11-29 22:24:29.234 (   0.041s) [Validator       ]INFO| Rejected event c6b8f028: event kind field was not an integer'
                echo '2026-11-29 22:24:29.236 (   0.043s) [main thread     ]INFO| Done. Processed 4 lines. 2 added, 1 rejected, 1 dups'""");
        StrfryImportSink sink = new StrfryImportSink(strfry.toString(), null, tmp, Duration.ofSeconds(5));
        EventSink.Result r = sink.write(notes(5, "mixed"));
        assertEquals(3, r.written(), "2 added + 1 already there");
        assertEquals(Map.of("invalid", 1, "unparsable", 1), r.refused());
    }

    @Test
    @EnabledIfEnvironmentVariable(named = StrfryProcess.ENV, matches = ".+")
    void aRealStrfryRejectingEventsAndALineOverItsMaxEventSize(@TempDir Path tmp) throws Exception {
        StrfryProcess local = StrfryProcess.create(tmp.resolve("strfry"));
        StrfryImportSink sink = new StrfryImportSink(local.bin(), local.config(), null, Duration.ofSeconds(30));
        sink.probe();
        List<SinkEvent> good = notes(6, "real");
        SinkEvent e = good.get(0);
        SinkEvent kindNotANumber = new SinkEvent("bad", e.pubkey(), 1, e.createdAt(),
                e.json().replaceFirst("\"kind\":1", "\"kind\":\"1\""), "peer-a", 0);
        // strfry's default maxEventSize is 65,536 bytes: it aborts the whole import at this line
        SinkEvent huge = SinkEvent.of(EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME, 1, List.of(), "y".repeat(70_000)),
                "peer-a", 0);
        List<SinkEvent> batch = List.of(good.get(0), good.get(1), kindNotANumber, good.get(2), huge, good.get(3), good.get(4), good.get(5));
        EventSink.Result r = sink.write(batch);
        assertEquals(Map.of("invalid", 1, "too-large", 1), r.refused());
        assertEquals(6, r.written());
        assertEquals(idsOf(good), local.storedIds());
        // again: all six are duplicates now, which strfry takes as written
        assertEquals(6, sink.write(good).written());
    }

    /** Polls the OS for a pid to be gone. */
    static final class RunningCheck {
        static void awaitDead(long pid) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 5000;
            while (System.currentTimeMillis() < deadline) {
                if (ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true)) {
                    return;
                }
                Thread.sleep(20);
            }
            assertFalse(true, "process " + pid + " still alive after the deadline");
        }
    }
}
