package org.astroport.constellation.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackfillLockTest {

    @Test
    void secondAcquireInSameProcessIsRefusedWithHolderPid(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("strfry/constellation-backfill.lock");
        try (BackfillLock first = BackfillLock.tryAcquire(f, new StringBuilder()).orElseThrow()) {
            StringBuilder why = new StringBuilder();
            assertTrue(BackfillLock.tryAcquire(f, why).isEmpty());
            assertTrue(why.toString().contains("already running"), why.toString());
            assertTrue(why.toString().contains(String.valueOf(ProcessHandle.current().pid())), why.toString());
        }
        Optional<BackfillLock> again = BackfillLock.tryAcquire(f, new StringBuilder());
        assertTrue(again.isPresent(), "released lock can be taken again");
        again.get().close();
    }

    @Test
    void aRefusedAttemptInTheSameProcessLeavesTheLockHeldForOtherProcesses(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("strfry/constellation-backfill.lock");
        try (BackfillLock held = BackfillLock.tryAcquire(f, new StringBuilder()).orElseThrow()) {
            assertEquals("held", lockSeenFromAnotherProcess(tmp, f), "before any refused attempt");
            for (int i = 0; i < 2; i++) {
                StringBuilder why = new StringBuilder();
                assertTrue(BackfillLock.tryAcquire(f, why).isEmpty(), "refused in process");
                // the same file by another spelling is the same lock
                assertTrue(BackfillLock.tryAcquire(tmp.resolve("strfry/../strfry/constellation-backfill.lock"), why).isEmpty());
            }
            // on Linux, closing any channel on the file would have dropped this process's fcntl lock
            assertEquals("held", lockSeenFromAnotherProcess(tmp, f), "a CLI backfill must still be refused");
        }
        assertEquals("free", lockSeenFromAnotherProcess(tmp, f), "released on close");
    }

    /** "held" or "free": what a separate JVM sees when it tries to lock the file (as a CLI backfill would). */
    private static String lockSeenFromAnotherProcess(Path tmp, Path f) throws Exception {
        Path probe = tmp.resolve("LockProbe.java");
        Files.writeString(probe, """
                import java.nio.channels.FileChannel; import java.nio.file.*;
                public class LockProbe { public static void main(String[] a) throws Exception {
                  try (FileChannel ch = FileChannel.open(Path.of(a[0]), StandardOpenOption.WRITE)) {
                    System.out.print(ch.tryLock() == null ? "held" : "free"); } } }
                """);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), probe.toString(), f.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return out;
    }

    @Test
    void lockHeldByAnotherProcessIsRefusedAndFreedWhenThatProcessDies(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("constellation-backfill.lock");
        // another process takes an fcntl lock on the file, like a concurrent run would, then gets killed
        Path holder = tmp.resolve("Holder.java");
        Files.writeString(holder, """
                import java.nio.channels.FileChannel; import java.nio.file.*;
                public class Holder { public static void main(String[] a) throws Exception {
                  FileChannel ch = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                  ch.lock(); ch.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid()+"\\n").getBytes()), 0);
                  System.out.println("locked"); System.out.flush(); Thread.sleep(60_000); } }
                """);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), holder.toString(), f.toString())
                .redirectErrorStream(true).start();
        try {
            String line = new String(p.getInputStream().readNBytes(7));
            assertEquals("locked\n".trim(), line.trim());
            StringBuilder why = new StringBuilder();
            assertTrue(BackfillLock.tryAcquire(f, why).isEmpty(), "held by another process");
            assertTrue(why.toString().contains("pid " + p.pid()), why.toString());
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        // a crashed holder leaves the file behind but not the lock
        assertTrue(Files.exists(f));
        Optional<BackfillLock> after = BackfillLock.tryAcquire(f, new StringBuilder());
        assertTrue(after.isPresent());
        after.get().close();
    }

    @Test
    void optionsParseLikeTheReferenceScript() {
        BackfillOptions o = BackfillOptions.parse(List.of("--days", "3", "--DRYRUN", "-v", "--no-dms", "--verify", "--no-profiles"));
        assertEquals(3, o.days());
        assertTrue(o.dryRun() && o.verbose() && o.noDms() && o.verifyRequested() && o.noProfiles());
        assertFalse(o.stats() || o.showHex() || o.help());
        assertEquals(1_000_000L - 3 * 86_400L, o.since(1_000_000L));
        assertEquals(null, BackfillOptions.parse(List.of("--days", "0")).since(1_000_000L));
        IllegalArgumentException bad = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BackfillOptions.parse(List.of("--bogus")));
        assertTrue(bad.getMessage().contains("Unknown option: --bogus"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> BackfillOptions.parse(List.of("--days", "-2")));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> BackfillOptions.parse(List.of("--days")));
    }
}
