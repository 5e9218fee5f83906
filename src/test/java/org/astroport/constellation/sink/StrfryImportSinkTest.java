package org.astroport.constellation.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.astroport.constellation.ingest.DeletionTracker;
import org.astroport.constellation.ingest.SeenEvents;
import org.astroport.constellation.ingest.SinkEvent;
import org.astroport.constellation.ingest.SyncStats;
import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.testsupport.FakeStrfry;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.RunningApp;
import org.astroport.constellation.testsupport.StrfryProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * strfry import as one long-lived child: every batch through it, acknowledged from its output; a hung
 * or failing child costs one deadline and spools the batch, a dead one is replaced; rejections are
 * counted; stopping lets it finish. Stand-ins (FakeStrfry, shell scripts) for the failures, the real
 * strfry (STRFRY_BIN) for the protocol.
 */
class StrfryImportSinkTest {

    /** n notes of about 1 KB each: 300 of them are more than a pipe buffer (64 KiB) holds. */
    static List<SinkEvent> notes(int n, String tag) {
        String padding = "x".repeat(900);
        List<SinkEvent> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            // as ingest makes them: the JSON made only if the sink asks for it
            out.add(SinkEvent.of(EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 1000 + i, 1, List.of(),
                    tag + " " + i + " " + padding), "peer-a", System.nanoTime(), 1000));
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

    static Set<String> idsOfLines(List<String> lines) {
        Set<String> s = new TreeSet<>();
        lines.forEach(l -> s.add(l.substring(7, 71)));
        return s;
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
        FakeStrfry.importer(strfry, received);
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
        // what strfry does when its database cannot be opened: it says so and exits before reading anything
        Path strfry = script(tmp.resolve("strfry"), "echo 'strfry error: mdb_env_open: No such file or directory'\nexit 1");
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
        Path strfry = FakeStrfry.importer(tmp.resolve("strfry"), tmp.resolve("received.ndjson"), "", """
                NR == 3 { print "2026-11-29 22:24:29.234 (   0.041s) [Validator       ]INFO| Rejected event c6b8f028: event kind field was not an integer"; fflush(); next }
                NR == 4 { print "2026-11-29 22:24:29.234 (   0.041s) [main thread     ]WARN| Unable to parse JSON on line " NR; fflush(); next }
                NR == 5 { print "2026-11-29 22:24:29.236 (   0.043s) [Writer          ]INFO| Writer: added: 0 dups: 1 replaced: 0 deleted: 0"; fflush(); next }""");
        StrfryImportSink sink = new StrfryImportSink(strfry.toString(), null, tmp, Duration.ofSeconds(5));
        EventSink.Result r = sink.write(notes(5, "mixed"));
        assertEquals(3, r.written(), "2 added + 1 already there");
        assertEquals(Map.of("invalid", 1, "unparsable", 1), r.refused());
        sink.close();
    }

    @Test
    void oneChildTakesEveryBatchInOrderAndCountsEachBatchsRefusals(@TempDir Path tmp) throws Exception {
        Path received = tmp.resolve("received.ndjson");
        // the 15th line since the child started is rejected, the 27th is not JSON: both in the second and third batches
        Path strfry = FakeStrfry.importer(tmp.resolve("strfry"), received, "", """
                NR == 15 { print "[Validator       ]INFO| Rejected event x: bad"; fflush(); next }
                NR == 27 { print "[main thread     ]WARN| Unable to parse JSON on line " NR; fflush(); next }""");
        StrfryImportSink sink = new StrfryImportSink(strfry.toString(), null, tmp, Duration.ofSeconds(5));
        List<String> want = new ArrayList<>();
        List<EventSink.Result> results = new ArrayList<>();
        for (int b = 0; b < 30; b++) {
            List<SinkEvent> batch = notes(10, "batch " + b);
            batch.forEach(e -> want.add(e.json()));
            results.add(sink.write(batch));
        }
        assertEquals(1, FakeStrfry.starts(strfry).size(), "one child for every batch: " + FakeStrfry.starts(strfry));
        assertTrue(ProcessHandle.of(FakeStrfry.starts(strfry).get(0)).map(ProcessHandle::isAlive).orElse(false), "still running between batches");
        assertEquals(new EventSink.Result(10, Map.of()), results.get(0));
        assertEquals(new EventSink.Result(9, Map.of("invalid", 1)), results.get(1));
        assertEquals(new EventSink.Result(9, Map.of("unparsable", 1)), results.get(2));
        assertEquals(new EventSink.Result(10, Map.of()), results.get(29));
        List<String> strayed = new ArrayList<>(want);
        strayed.remove(26); // neither stored by a stand-in that found it unparsable, nor by one that rejected it
        strayed.remove(14);
        assertEquals(strayed, FakeStrfry.received(received), "every line once, in order");
        assertEquals(0, sink.restarts());
        sink.close();
    }

    @Test
    void aBatchFollowsTheOneBeforeItsAcknowledgementAndEachGetsItsOwnRefusals(@TempDir Path tmp) throws Exception {
        // lines 1-20 are acknowledged only once line 20 has been read: the first batch's acknowledgement needs the second fed
        Path strfry = FakeStrfry.importer(tmp.resolve("strfry"), tmp.resolve("received.ndjson"), "", """
                NR == 5 { print "[main thread     ]WARN| Unable to parse JSON on line " NR; fflush(); next }
                NR == 15 { print "[Validator       ]INFO| Rejected event " substr($0, 8, 64) ": bad"; fflush(); next }
                NR < 20 { print >> out; fflush(out); next }
                NR == 20 { print >> out; fflush(out); print "Writer: added: 18 dups: 0 replaced: 0 deleted: 0"; fflush(); next }""");
        StrfryImportSink sink = new StrfryImportSink(strfry.toString(), null, tmp, Duration.ofSeconds(5));
        EventSink.Pending first = sink.submit(notes(10, "first"));
        EventSink.Pending second = sink.submit(notes(10, "second"));
        assertEquals(new EventSink.Result(9, Map.of("unparsable", 1)), first.await());
        assertEquals(new EventSink.Result(9, Map.of("invalid", 1)), second.await());
        assertEquals(new EventSink.Result(10, Map.of()), sink.submit(notes(10, "third")).await());
        assertEquals(1, FakeStrfry.starts(strfry).size());
        sink.close();
    }

    @Test
    void aBatchIsNotAcknowledgedByTheRefusalsOfTheOneAfterIt(@TempDir Path tmp) throws Exception {
        // strfry's writer takes lines in order: line 10 and all after it wait for a trigger, while line 11
        // (the next batch's first) is found unparsable at once; 9 written + 1 refused must not pass for the first 10
        Path trigger = tmp.resolve("trigger");
        Path strfry = FakeStrfry.importer(tmp.resolve("strfry"), tmp.resolve("received.ndjson"), "", """
                NR == 11 { print "[main thread     ]WARN| Unable to parse JSON on line " NR; fflush(); next }
                NR >= 10 && NR < 20 { print >> out; fflush(out); next }
                NR == 20 { for (i = 0; i < 400 && system("test -e %s") != 0; i++) system("sleep 0.05"); print >> out; fflush(out); print "Writer: added: 10 dups: 0 replaced: 0 deleted: 0"; fflush(); next }"""
                .formatted(trigger));
        StrfryImportSink sink = new StrfryImportSink(strfry.toString(), null, tmp, Duration.ofSeconds(10));
        try (sink) {
            EventSink.Pending first = sink.submit(notes(10, "first"));
            EventSink.Pending second = sink.submit(notes(10, "second"));
            java.util.concurrent.CompletableFuture<EventSink.Result> firstDone = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return first.await();
                } catch (SinkUnavailableException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500);
            assertFalse(firstDone.isDone(), "acknowledged before its 10th line was written: " + (firstDone.isDone() ? firstDone.join() : ""));
            Files.writeString(trigger, "go");
            assertEquals(new EventSink.Result(10, Map.of()), firstDone.get(5, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(new EventSink.Result(9, Map.of("unparsable", 1)), second.await());
        }
    }

    @Test
    void aChildThatReadsButNeverAcknowledgesIsKilledAtTheDeadline(@TempDir Path tmp) throws Exception {
        Path strfry = script(tmp.resolve("strfry"), "echo $$ > '" + tmp.resolve("pid") + "'\nexec cat > /dev/null");
        StrfryImportSink sink = new StrfryImportSink(strfry.toString(), null, tmp, Duration.ofSeconds(1));
        long started = System.nanoTime();
        SinkUnavailableException e = assertThrows(SinkUnavailableException.class, () -> sink.write(notes(300, "unacknowledged")));
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(tookMillis >= 900 && tookMillis < 5000, "one deadline: " + tookMillis + " ms");
        assertTrue(e.getMessage().contains("did not finish within 1 s (it read the batch but acknowledged 0 of 300 line(s)); killed"), e.getMessage());
        RunningCheck.awaitDead(Long.parseLong(Files.readString(tmp.resolve("pid")).trim()));

        // the next write starts a new child
        FakeStrfry.importer(strfry, tmp.resolve("received.ndjson"));
        assertEquals(5, sink.write(notes(5, "after")).written());
        assertEquals(1, sink.restarts());
        sink.close();
    }

    @Test
    void aChildThatDiesMidBatchSpoolsItAndTheNextWriteRestartsIt(@TempDir Path tmp) throws Exception {
        Path received = tmp.resolve("received.ndjson");
        Path died = tmp.resolve("died");
        // the first child is killed (as by the OOM killer) while reading line 4, after acknowledging 3
        Path strfry = FakeStrfry.importer(tmp.resolve("strfry"), received,
                "if [ -e '" + died + "' ]; then DIE=0; else touch '" + died + "'; DIE=1; fi; export DIE",
                "NR == 4 && ENVIRON[\"DIE\"] == \"1\" { system(\"kill -9 $PPID\") }");
        Spool spool = new Spool(tmp.resolve("spool"), 8 << 20);
        StrfryImportSink sink = new StrfryImportSink(strfry.toString(), null, tmp, Duration.ofSeconds(10));
        SinkRouter router = router(sink, spool, seen());
        List<SinkEvent> batch = notes(10, "killed");
        long started = System.nanoTime();
        router.write(batch);
        assertTrue((System.nanoTime() - started) / 1_000_000 < 5000, "a death is seen at once, not at the deadline");
        assertEquals(10, spool.pendingEvents(), "the batch is spooled");
        assertTrue(router.lastError().contains("ended during a batch, 3 of 10 line(s) acknowledged: exited 137"), router.lastError());
        RunningCheck.awaitDead(FakeStrfry.starts(strfry).get(0));

        Files.createDirectories(tmp.resolve("strfry-db")); // what the replay's probe checks
        Files.writeString(tmp.resolve("strfry.conf"), "db = \"./strfry-db/\"\n");
        assertEquals(10, router.replaySpoolNow());
        assertEquals(0, router.downSinceMillis());
        assertEquals(2, FakeStrfry.starts(strfry).size());
        assertEquals(1, sink.restarts());
        assertEquals(idsOf(batch), idsOfLines(FakeStrfry.received(received)), "nothing lost (the first 3 twice: strfry counts them as duplicates)");
        assertEquals(0, router.lostEvents());
        sink.close();
    }

    @Test
    void aChildKilledWhileIdleIsReplacedByTheNextWrite(@TempDir Path tmp) throws Exception {
        Path received = tmp.resolve("received.ndjson");
        Path strfry = FakeStrfry.importer(tmp.resolve("strfry"), received);
        StrfryImportSink sink = new StrfryImportSink(strfry.toString(), null, tmp, Duration.ofSeconds(5));
        assertEquals(10, sink.write(notes(10, "first")).written());
        long pid = FakeStrfry.starts(strfry).get(0);
        ProcessHandle first = ProcessHandle.of(pid).orElseThrow();
        assertTrue(first.isAlive(), "the child outlives its batch");
        assertEquals(pid, sink.childPid());
        first.destroyForcibly();
        RunningCheck.awaitDead(pid);
        assertEquals(10, sink.write(notes(10, "second")).written(), "no batch fails for a child that died between batches");
        assertEquals(2, FakeStrfry.starts(strfry).size());
        assertEquals(1, sink.restarts());
        assertEquals(20, FakeStrfry.received(received).size());
        sink.close();
    }

    @Test
    void aLineStrfryFindsTooLargeIsRefusedAndTheRestImported(@TempDir Path tmp) throws Exception {
        StrfryImportSink sink = sinkAbortingOverLinesOf5000(tmp);
        Path received = tmp.resolve("received.ndjson");
        Path strfry = tmp.resolve("strfry");
        List<SinkEvent> small = notes(6, "small");
        SinkEvent big = eventOf6000Bytes();
        List<SinkEvent> batch = List.of(small.get(0), small.get(1), small.get(2), big, small.get(3), small.get(4), small.get(5));
        assertEquals(new EventSink.Result(6, Map.of("too-large", 1)), sink.write(batch));
        assertEquals(idsOf(small), idsOfLines(FakeStrfry.received(received)));
        assertEquals(2, FakeStrfry.starts(strfry).size(), "the aborted child replaced once");
        // from now on such a line is refused before it is sent: the child lives on
        assertEquals(new EventSink.Result(1, Map.of("too-large", 1)), sink.write(List.of(big, notes(1, "after").get(0))));
        assertEquals(2, FakeStrfry.starts(strfry).size());
        sink.close();
    }

    @Test
    void aLineStrfryFindsTooLargeInASubmittedBatchIsLearnedAndRefusedFromThen(@TempDir Path tmp) throws Exception {
        StrfryImportSink sink = sinkAbortingOverLinesOf5000(tmp);
        List<SinkEvent> small = notes(4, "small");
        SinkEvent big = eventOf6000Bytes();
        // as the sink router hands a batch over (acknowledged later): the size of the line strfry stops at is learned here too
        EventSink.Pending pending = sink.submit(List.of(small.get(0), small.get(1), big, small.get(2)));
        assertThrows(SinkUnavailableException.class, pending::await, "the batch goes again (spooled)");
        assertEquals(idsOf(small.subList(0, 2)), idsOfLines(FakeStrfry.received(tmp.resolve("received.ndjson"))));
        // the replayed batch: the big line is refused before it is sent, and the child lives on
        assertEquals(new EventSink.Result(3, Map.of("too-large", 1)), sink.write(List.of(big, small.get(2), small.get(3), notes(1, "after").get(0))));
        assertEquals(2, FakeStrfry.starts(tmp.resolve("strfry")).size(), "the aborted child replaced once");
        sink.close();
    }

    /**
     * A sink on tmp/strfry, a strfry whose maxEventSize we could not read: it writes the lines it takes to tmp/received.ndjson,
     * commits what came before a line over 5,000 bytes, says so, and exits 1.
     */
    private static StrfryImportSink sinkAbortingOverLinesOf5000(Path tmp) throws Exception {
        Path strfry = FakeStrfry.importer(tmp.resolve("strfry"), tmp.resolve("received.ndjson"), "", """
                length($0) > 5000 { print "strfry error: Line larger than configured maxEventSize on line " NR; fflush(); exit 1 }""");
        return new StrfryImportSink(strfry.toString(), null, tmp, Duration.ofSeconds(5));
    }

    private static SinkEvent eventOf6000Bytes() {
        return SinkEvent.of(EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME, 1, List.of(), "y".repeat(6000)), "peer-a", 0);
    }

    @Test
    void theProbeStartsTheChildReplacesADeadOneAndFailsWhenItCannotStart(@TempDir Path tmp) throws Exception {
        Files.createDirectories(tmp.resolve("strfry-db"));
        Files.writeString(tmp.resolve("strfry.conf"), "db = \"./strfry-db/\"\n");
        Path strfry = FakeStrfry.importer(tmp.resolve("strfry"), tmp.resolve("received.ndjson"));
        StrfryImportSink sink = new StrfryImportSink(strfry.toString(), null, tmp, Duration.ofSeconds(5));
        sink.probe();
        assertEquals(1, FakeStrfry.starts(strfry).size(), "started before any event needs it");
        long pid = FakeStrfry.starts(strfry).get(0);
        assertEquals(pid, sink.childPid());
        sink.probe();
        assertEquals(1, FakeStrfry.starts(strfry).size(), "a live child is left alone");
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        RunningCheck.awaitDead(pid);
        RunningApp.await("the JVM saw it end", 5000, () -> sink.childPid() == -1);
        sink.probe();
        assertEquals(2, FakeStrfry.starts(strfry).size(), "a dead child is replaced");
        assertEquals(1, sink.restarts());
        // a strfry that cannot open its database exits at once: the probe fails with its words
        script(strfry, "echo 'strfry error: mdb_env_open: Permission denied'\nexit 1");
        ProcessHandle.of(FakeStrfry.starts(strfry).get(1)).ifPresent(ProcessHandle::destroyForcibly);
        RunningCheck.awaitDead(FakeStrfry.starts(strfry).get(1));
        // dead to the kernel is not yet dead to the JVM: a probe before it noticed finds the child alive
        RunningApp.await("the JVM saw it end", 5000, () -> sink.childPid() == -1);
        SinkUnavailableException e = assertThrows(SinkUnavailableException.class, sink::probe);
        assertTrue(e.getMessage().contains("exited 1") && e.getMessage().contains("mdb_env_open: Permission denied"), e.getMessage());
        assertEquals(-1, sink.childPid());
        sink.close();
    }

    @Test
    void closeLetsTheChildFinishThenKillsOneThatDoesNot(@TempDir Path tmp) throws Exception {
        Files.createDirectories(tmp.resolve("strfry-db"));
        Files.writeString(tmp.resolve("strfry.conf"), "db = \"./strfry-db/\"\n");
        Path strfry = script(tmp.resolve("strfry"), """
                echo $$ > '%1$s/pid'
                cat > /dev/null
                echo 'Done. Processed 0 lines. 0 added, 0 rejected, 0 dups'
                touch '%1$s/finished'""".formatted(tmp));
        StrfryImportSink sink = new StrfryImportSink(strfry.toString(), null, tmp, Duration.ofSeconds(30));
        sink.probe();
        long pid = Long.parseLong(Files.readString(tmp.resolve("pid")).trim());
        long started = System.nanoTime();
        sink.close();
        assertTrue((System.nanoTime() - started) / 1_000_000 < 3000, "no waiting once it said Done.");
        assertTrue(Files.exists(tmp.resolve("finished")), "its input closed, it ended on its own");
        RunningCheck.awaitDead(pid);
        SinkUnavailableException e = assertThrows(SinkUnavailableException.class, () -> sink.write(notes(1, "late")));
        assertTrue(e.getMessage().contains("stopped"), e.getMessage());

        // one that ignores the end of its input is killed, with its children, after a bounded wait
        Path stubborn = script(tmp.resolve("stubborn"), """
                echo $$ > '%1$s/stubborn.pid'
                cat > /dev/null
                sleep 3600 &
                echo $! > '%1$s/sleep.pid'
                wait""".formatted(tmp));
        StrfryImportSink other = new StrfryImportSink(stubborn.toString(), null, tmp, Duration.ofSeconds(1));
        other.probe();
        started = System.nanoTime();
        other.close();
        long took = (System.nanoTime() - started) / 1_000_000;
        assertTrue(took >= 900 && took < 5000, "bounded: " + took + " ms");
        RunningCheck.awaitDead(Long.parseLong(Files.readString(tmp.resolve("stubborn.pid")).trim()));
        RunningCheck.awaitDead(Long.parseLong(Files.readString(tmp.resolve("sleep.pid")).trim()));
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
        assertEquals(0, sink.restarts(), "the line over maxEventSize never reached strfry");
        // again: all six are duplicates now, which strfry takes as written (strfry prints no "Committed" line for them)
        assertEquals(6, sink.write(good).written());
        sink.close();
    }

    /**
     * Events fried by us and events parsed by strfry end up alike: the same database (the stored JSON and
     * the packed index records), the same counts. Those we must not fry go through strfry's parser.
     */
    @Test
    @EnabledIfEnvironmentVariable(named = StrfryProcess.ENV, matches = ".+")
    void friedEventsAreStoredAsStrfrysOwnParserStoresThem(@TempDir Path tmp) throws Exception {
        StrfryProcess friedDb = StrfryProcess.create(tmp.resolve("fried"));
        StrfryProcess plainDb = StrfryProcess.create(tmp.resolve("plain"));
        StrfryImportSink fried = new StrfryImportSink(friedDb.bin(), friedDb.config(), null, Duration.ofSeconds(30), 5, true);
        StrfryImportSink plain = new StrfryImportSink(plainDb.bin(), plainDb.config(), null, Duration.ofSeconds(30), 5, false);
        String secret = Fixtures.secretOf("member-1");
        String author = org.astroport.constellation.nostr.Schnorr.publicKeyHex(secret);
        String other = org.astroport.constellation.nostr.Schnorr.publicKeyHex(Fixtures.secretOf("member-2"));
        long t = Fixtures.REFERENCE_TIME - 500;
        List<SinkEvent> batch = new ArrayList<>();
        java.util.function.BiConsumer<Integer, List<List<String>>> add = (kind, tags) -> batch.add(SinkEvent.of(
                EventSigner.sign(secret, t + batch.size(), kind, tags, "event " + batch.size() + ": \" \\ \n \t \u007f \u0001 caf\u00e9 \ud83d\ude00"),
                "peer-a", 0, 1)); // as ingest makes them (JSON made when asked for), with a received size no JSON has
        add.accept(1, List.of(List.of("t", "bench"), List.of("e", "ab".repeat(32)), List.of("p", other), List.of("alt", "a name of three letters"),
                List.of("x"), List.of("r", "r".repeat(300)), List.of("\u00e9", "a name of two bytes"), List.of("t", "v".repeat(255)), List.of("t", "w".repeat(256))));
        add.accept(0, List.of());
        add.accept(3, List.of(List.of("p", other), List.of("p", author)));
        add.accept(41, List.of(List.of("e", "cd".repeat(32))));
        add.accept(10002, List.of(List.of("r", "wss://relay.example"), List.of("r", "wss://other.example", "read")));
        add.accept(30023, List.of(List.of("d", "a-slug"), List.of("t", "long-form")));
        add.accept(30023, List.of(List.of("d", "kept")));
        // strfry's parser decides these three: an expiration, an a tag on a deletion (it deletes the first article), an e value that is not an id
        add.accept(1, List.of(List.of("expiration", String.valueOf(Fixtures.REFERENCE_TIME + 86_400))));
        add.accept(5, List.of(List.of("a", "30023:" + author + ":a-slug")));
        add.accept(1, List.of(List.of("e", "not-an-event-id")));
        SinkEvent e = batch.get(0);
        batch.add(new SinkEvent("bad", e.pubkey(), 1, e.createdAt(), e.event().toJson().replaceFirst("\"kind\":1", "\"kind\":\"1\""), "peer-a", 0));
        // not fried, and over strfry's maxEventSize as plain JSON too: refused before strfry's parser (it would abort there)
        batch.add(SinkEvent.of(EventSigner.sign(secret, t + batch.size(), 1, List.of(List.of("expiration", String.valueOf(Fixtures.REFERENCE_TIME + 86_400))),
                "z".repeat(70_000)), "peer-a", 0));

        EventSink.Result r = fried.submit(batch).await(); // as the sink router hands it a batch
        for (int i = 0; i < 7; i++) {
            assertEquals(1, batch.get(i).size(), "event " + i + " was fried from its fields: its JSON was never made");
        }
        assertNotEquals(1, batch.get(7).size(), "the expiration went through strfry's parser, as JSON");
        EventSink.Result expected = plain.write(batch);
        assertEquals(Boolean.TRUE, fried.fried(), "this strfry passed the check");
        assertEquals(4, fried.parsedByStrfry(), "the three that must not be fried and the one that does not parse (not the long one)");
        assertEquals(expected.refused(), r.refused());
        assertEquals(Map.of("invalid", 2, "too-large", 1), r.refused(), "the e value and the kind that is not a number; the long one");
        assertEquals(expected.written(), r.written());
        fried.close();
        plain.close();
        List<String> stored = friedDb.exportSorted(false);
        assertEquals(plainDb.exportSorted(false), stored);
        assertEquals(plainDb.exportSorted(true), friedDb.exportSorted(true), "the same packed index records");
        assertEquals(batch.size() - 3 - 1, stored.size(), "every event but the three refused and the deleted article");
    }

    @Test
    @EnabledIfEnvironmentVariable(named = StrfryProcess.ENV, matches = ".+")
    void aRealStrfryTakesManyBatchesThroughOneChild(@TempDir Path tmp) throws Exception {
        StrfryProcess local = StrfryProcess.create(tmp.resolve("strfry"));
        StrfryImportSink sink = new StrfryImportSink(local.bin(), local.config(), null, Duration.ofSeconds(30));
        List<SinkEvent> all = notes(2000, "many");
        long pid = -1;
        int written = 0;
        Map<String, Integer> refused = new TreeMap<>();
        for (int b = 0; b < 40; b++) {
            List<SinkEvent> batch = new ArrayList<>(all.subList(b * 50, b * 50 + 50));
            if (b % 10 == 9) { // a rejected line and a duplicate of the batch before
                SinkEvent e = batch.get(0);
                batch.add(new SinkEvent("bad" + b, e.pubkey(), 1, e.createdAt(), e.json().replaceFirst("\"kind\":1", "\"kind\":\"1\""), "peer-a", 0));
                batch.add(all.get(b * 50 - 1));
            }
            EventSink.Result r = sink.write(batch);
            written += r.written();
            r.refused().forEach((k, v) -> refused.merge(k, v, Integer::sum));
            if (b == 0) {
                pid = sink.childPid();
            }
            assertEquals(pid, sink.childPid(), "the same child for batch " + b);
        }
        assertEquals(Map.of("invalid", 4), refused);
        assertEquals(2000 + 4, written, "every event, the duplicates counted as written");
        assertEquals(idsOf(all), local.storedIds());
        assertEquals(1, sink.starts());
        sink.close();
        RunningCheck.awaitDead(pid);
    }

    @Test
    @EnabledIfEnvironmentVariable(named = StrfryProcess.ENV, matches = ".+")
    void aRealStrfryKilledDuringTheStreamIsRestartedWithNothingLost(@TempDir Path tmp) throws Exception {
        killedDuringTheStream(tmp, false);
    }

    @Test
    @EnabledIfEnvironmentVariable(named = StrfryProcess.ENV, matches = ".+")
    void aRealStrfryKilledWithABatchInFlightBehindAnotherLosesNothing(@TempDir Path tmp) throws Exception {
        killedDuringTheStream(tmp, true);
    }

    /** overlap: each batch but the last is left in flight when the next is handed over, as while batches queue up. */
    private static void killedDuringTheStream(Path tmp, boolean overlap) throws Exception {
        StrfryProcess local = StrfryProcess.create(tmp.resolve("strfry"));
        StrfryImportSink sink = new StrfryImportSink(local.bin(), local.config(), null, Duration.ofSeconds(30));
        Spool spool = new Spool(tmp.resolve("spool"), 8 << 20);
        SinkRouter router = router(sink, spool, seen());
        List<SinkEvent> all = notes(6000, "killed");
        java.util.concurrent.atomic.AtomicInteger handedOver = new java.util.concurrent.atomic.AtomicInteger();
        router.overlapWhile(() -> overlap && handedOver.get() < all.size());
        java.util.concurrent.atomic.AtomicInteger kills = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        // a kill is checked and done under this lock, and the stream ends under it before its last batch: so every
        // kill has a batch after it, which must restart the child (a kill after the last batch restarts nothing)
        Object killing = new Object();
        Thread killer = new Thread(() -> {
            try {
                while (kills.get() < 3) {
                    Thread.sleep(300);
                    synchronized (killing) {
                        if (!writing.get()) {
                            return;
                        }
                        long pid = sink.childPid();
                        if (pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false)) {
                            kills.incrementAndGet();
                        }
                    }
                }
            } catch (InterruptedException ignored) {
                // done
            }
        });
        killer.start();
        for (int from = 0; from < all.size(); from += 100) {
            if (from + 100 >= all.size()) {
                synchronized (killing) {
                    writing.set(false);
                }
            }
            handedOver.addAndGet(100);
            router.write(all.subList(from, from + 100));
            if (router.downSinceMillis() > 0) {
                router.replaySpoolNow(); // as the replay timer would, without its backoff
            }
            Thread.sleep(10);
        }
        killer.join();
        for (int i = 0; i < 5 && (!spool.isEmpty() || router.downSinceMillis() > 0); i++) {
            router.replaySpoolNow();
        }
        assertTrue(kills.get() >= 1, "the child was killed " + kills.get() + " time(s)");
        assertTrue(sink.restarts() >= kills.get(), sink.restarts() + " restarts for " + kills.get() + " kills");
        assertTrue(spool.isEmpty());
        assertEquals(0, router.lostEvents());
        assertEquals(all.size(), router.settled(), "every batch counted out, the last one in flight included");
        assertEquals(idsOf(all), local.storedIds(), "nothing lost");
        sink.close();
    }

    @Test
    @EnabledIfEnvironmentVariable(named = StrfryProcess.ENV, matches = ".+")
    void aDatabaseMovedAsideOrRestoredGetsANewChild(@TempDir Path tmp) throws Exception {
        StrfryProcess local = StrfryProcess.create(tmp.resolve("strfry"));
        StrfryImportSink sink = new StrfryImportSink(local.bin(), local.config(), null, Duration.ofSeconds(30));
        List<SinkEvent> before = notes(10, "before");
        assertEquals(10, sink.write(before).written());
        // the operator moves the database aside (a backup, a restore) while the daemon runs
        Path db = tmp.resolve("strfry/db");
        Files.move(db, tmp.resolve("strfry/db-old"));
        Files.createDirectories(db);
        List<SinkEvent> after = notes(10, "after");
        assertEquals(10, sink.write(after).written());
        assertEquals(idsOf(after), local.storedIds(), "written into the database strfry now serves, not the old file");
        assertEquals(1, sink.restarts());
        sink.close();
    }

    @Test
    @EnabledIfEnvironmentVariable(named = StrfryProcess.ENV, matches = ".+")
    void aRealStrfrysMaxEventSizeIsReadFromItsConfigAndItsEndIsGraceful(@TempDir Path tmp) throws Exception {
        StrfryProcess local = StrfryProcess.create(tmp.resolve("strfry"));
        Files.writeString(local.config(), Files.readString(local.config()) + "events {\n    maxEventSize = 4096 # bytes\n}\n");
        StrfryImportSink sink = new StrfryImportSink(local.bin(), local.config(), null, Duration.ofSeconds(30));
        List<SinkEvent> good = notes(3, "fits"); // about 1,300 bytes each
        SinkEvent big = SinkEvent.of(EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME, 1, List.of(), "y".repeat(5000)), "peer-a", 0);
        assertEquals(new EventSink.Result(3, Map.of("too-large", 1)), sink.write(List.of(good.get(0), big, good.get(1), good.get(2))));
        long pid = sink.childPid();
        assertTrue(pid > 0);
        assertEquals(0, sink.restarts(), "refused before sending: strfry never aborted");
        long started = System.nanoTime();
        sink.close();
        assertTrue((System.nanoTime() - started) / 1_000_000 < 5000, "strfry said Done. and exited");
        RunningCheck.awaitDead(pid);
        assertEquals(idsOf(good), local.storedIds());
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
