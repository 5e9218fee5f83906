package org.astroport.constellation.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.AppProcess;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/constellation-sync, as an operator runs it: the first backfill after a build writes the backfill's own
 * class-data archive at exit and still does its job; the next one maps that archive (the classes only a backfill
 * loads come from it) and leaves it as it is.
 */
class LauncherBackfillArchiveTest {

    @Test
    void theFirstBackfillAfterABuildWritesItsArchiveAndTheNextMapsIt(@TempDir Path tmp) throws Exception {
        AppProcess.preparePackaged(); // the jar and the daemon's archive, through the launcher
        Path archive = Path.of(AppProcess.BACKFILL_ARCHIVE);
        Files.deleteIfExists(archive);
        try (TestRelay peer = new TestRelay().host("127.0.0.2").start(); TestRelay local = new TestRelay().start()) {
            BackfillCommandTest.notes("member-1", 40, Fixtures.REFERENCE_TIME - 10).forEach(peer::storeOnly);
            Path home = stationWithOnePeer(tmp, peer);
            Path config = BackfillCommandTest.config(tmp, local, Map.of());

            Result first = launcher(tmp, home, config, null);
            assertEquals(0, first.status(), first.output());
            assertEquals(40, local.storedCount(), "the run that writes the archive does its backfill too: " + first.output());
            assertTrue(AppProcess.backfillArchiveFresh(), "the first backfill after the build wrote " + archive + ": " + first.output());
            long written = Files.getLastModifiedTime(archive).toMillis();

            Path classes = tmp.resolve("classes.log");
            Result second = launcher(tmp, home, config, "-Xmx160m -XX:+UseSerialGC -Xlog:class+load:file=" + classes);
            assertEquals(0, second.status(), second.output());
            String loaded = Files.readString(classes);
            assertTrue(loaded.contains("org.astroport.constellation.backfill.PeerFetch$Handler source: shared objects file (top)"),
                    "the second backfill maps the classes only a backfill loads from the archive");
            assertEquals(written, Files.getLastModifiedTime(archive).toMillis(), "the archive is written once per build, not per run");
        }
    }

    /** A JVM that cannot write an archive (here -Xshare:off) still runs its backfills, untrained, and writes none. */
    @Test
    void aJvmThatCannotWriteAnArchiveStillBackfills(@TempDir Path tmp) throws Exception {
        AppProcess.preparePackaged();
        Path archive = Path.of(AppProcess.BACKFILL_ARCHIVE);
        Files.deleteIfExists(archive);
        try (TestRelay peer = new TestRelay().host("127.0.0.2").start(); TestRelay local = new TestRelay().start()) {
            BackfillCommandTest.notes("member-1", 40, Fixtures.REFERENCE_TIME - 10).forEach(peer::storeOnly);
            Path home = stationWithOnePeer(tmp, peer);
            Result r = launcher(tmp, home, BackfillCommandTest.config(tmp, local, Map.of()), "-Xmx160m -XX:+UseSerialGC -Xshare:off");
            assertEquals(0, r.status(), r.output());
            assertEquals(40, local.storedCount(), r.output());
            assertTrue(!Files.exists(archive), "no archive from a JVM that maps none");
        }
    }

    /** A station whose one peer is this relay (no dead second peer to retry). */
    private static Path stationWithOnePeer(Path tmp, TestRelay peer) throws Exception {
        Path home = ZenHome.withPeers(tmp, peer.url(), "ws://127.0.0.3:1");
        Files.delete(home.resolve("tmp/swarm/" + ZenHome.PEER_B + "/12345.json"));
        return home;
    }

    record Result(int status, String output) {
    }

    /** bin/constellation-sync backfill; javaOpts: JAVA_OPTS (null: the launcher's defaults). */
    private static Result launcher(Path tmp, Path home, Path config, String javaOpts) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bin/constellation-sync", "--home", home.toString(), "--node-id", Fixtures.LOCAL_NODE_ID,
                "--config", config.toString(), "backfill", "--days", "0", "--no-profiles"));
        Path out = Files.createTempFile(tmp, "launcher", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("CONSTELLATION_CDS");
        pb.environment().remove("CONSTELLATION_CLI_JAVA_OPTS");
        if (javaOpts != null) {
            pb.environment().put("JAVA_OPTS", javaOpts);
        }
        Process p = pb.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/constellation-sync backfill still running after 180 s: " + Files.readString(out));
        }
        return new Result(p.exitValue(), Files.readString(out));
    }
}
