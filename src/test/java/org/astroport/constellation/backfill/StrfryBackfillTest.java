package org.astroport.constellation.backfill;

import static org.astroport.constellation.backfill.BackfillCommandTest.cli;
import static org.astroport.constellation.backfill.BackfillCommandTest.config;
import static org.astroport.constellation.testsupport.Fixtures.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.astroport.constellation.backfill.BackfillCommandTest.Run;
import org.astroport.constellation.testsupport.LogCapture;
import org.astroport.constellation.testsupport.StrfryProcess;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backfill against real strfry relays: its NIP-77 server, its 500-event REQ cap, and `strfry scan`
 * as the local side. Needs STRFRY_BIN; without it JUnit reports these tests as skipped, never passed.
 */
@EnabledIfEnvironmentVariable(named = StrfryProcess.ENV, matches = ".+")
class StrfryBackfillTest {

    /** Peer A holds the 1,320-event window, the local strfry 90 % of it. */
    Run backfill(Path tmp, String sinkMode, boolean negentropy) throws Exception {
        return backfill(tmp, sinkMode, negentropy, true);
    }

    Run backfill(Path tmp, String sinkMode, boolean negentropy, boolean localRelayRuns) throws Exception {
        List<String> events = BackfillNegentropyTest.window();
        List<String> already = events.subList(0, events.size() * 90 / 100);
        try (StrfryProcess peerA = StrfryProcess.create(tmp.resolve("peer-a"), "127.0.0.2");
             StrfryProcess local = StrfryProcess.create(tmp.resolve("local"))) {
            peerA.importLines(events);
            local.importLines(already);
            peerA.startRelay();
            if (localRelayRuns) {
                local.startRelay();
            }
            Path home = ZenHome.withPeers(tmp, peerA.url(), "ws://127.0.0.3:1"); // down
            Map<String, String> settings = importSink(local);
            settings.put("constellation.sink.mode", sinkMode);
            settings.put("constellation.backfill.negentropy", String.valueOf(negentropy));
            settings.put("constellation.backfill.negentropy-frame-hex-chars", "8192"); // several rounds
            Run r = cli(home, config(tmp, local.url(), settings), "backfill", "--no-profiles");
            assertEquals(0, r.status(), r.out() + r.err());
            assertEquals(ids(events), local.storedIds(), "the local strfry ends with the whole window");
            return r;
        }
    }

    /** The settings of a station whose sink imports into this strfry (its binary, its config). */
    static Map<String, String> importSink(StrfryProcess local) {
        Map<String, String> settings = new HashMap<>();
        settings.put("constellation.sink.mode", "import");
        settings.put("constellation.strfry.bin", local.bin());
        settings.put("constellation.strfry.config", local.config().toString());
        return settings;
    }

    @Test
    void negentropyWithStrfryScanAsTheLocalSide(@TempDir Path tmp) throws Exception {
        Run r = backfill(tmp, "import", true);
        assertTrue(r.out().lines().anyMatch(l -> l.equals("SYNC_NEGENTROPY: reconciled=1 fallback=0 need=132")), r.out());
    }

    /** A station whose strfry relay is down: our side is listed with `strfry scan`, and the log says why. */
    @Test
    void negentropyWithStrfryScanWhenTheLocalRelayIsDown(@TempDir Path tmp) throws Exception {
        try (LogCapture logs = new LogCapture()) {
            Run r = backfill(tmp, "import", true, false);
            assertTrue(r.out().lines().anyMatch(l -> l.equals("SYNC_NEGENTROPY: reconciled=1 fallback=0 need=132")), r.out());
            assertEquals(1, logs.count("does not answer"), logs.text());
            assertEquals(1, logs.count("local event(s) match a filter (strfry scan"), "listed with strfry scan: " + logs.text());
        }
    }

    @Test
    void negentropyWithTheLocalRelayAsTheLocalSide(@TempDir Path tmp) throws Exception {
        Run r = backfill(tmp, "relay", true);
        assertTrue(r.out().lines().anyMatch(l -> l.equals("SYNC_NEGENTROPY: reconciled=1 fallback=0 need=132")), r.out());
    }

    @Test
    void directionBothUploadsWhatTheStrfryPeerLacks(@TempDir Path tmp) throws Exception {
        List<String> events = BackfillNegentropyTest.window();
        try (StrfryProcess peerA = StrfryProcess.create(tmp.resolve("peer-a"), "127.0.0.2");
             StrfryProcess local = StrfryProcess.create(tmp.resolve("local"))) {
            peerA.importLines(events.subList(0, 1000));
            local.importLines(events.subList(300, events.size()));
            peerA.startRelay();
            local.startRelay();
            Path home = ZenHome.withPeers(tmp, peerA.url(), "ws://127.0.0.3:1"); // down
            Map<String, String> settings = importSink(local);
            settings.put("constellation.direction", "both");
            Run r = cli(home, config(tmp, local.url(), settings), "backfill", "--no-profiles");
            assertEquals(0, r.status(), r.out() + r.err());
            assertTrue(r.out().contains("need=300 have=320 uploaded=320"), r.out());
            assertEquals(ids(events), local.storedIds(), "the local strfry got what it lacked");
            assertEquals(ids(events), peerA.storedIds(), "the peer's strfry accepted what it lacked");
        }
    }

    @Test
    void pagingPastStrfrysFiveHundredEventCap(@TempDir Path tmp) throws Exception {
        Run r = backfill(tmp, "import", false);
        assertTrue(!r.out().contains("SYNC_NEGENTROPY: reconciled=1"), r.out());
        // paging has to fetch the whole window, 500 events per page at most
        var received = java.util.regex.Pattern.compile("SYNC_DURATION: .* received=(\\d+)").matcher(r.out());
        assertTrue(received.find() && Integer.parseInt(received.group(1)) >= 1320, r.out());
    }
    /**
     * 900 notes by two monitored authors in one second, then older ones, paged by REQ from a real strfry (500 per
     * query): the second is asked for again by halves (one author each), so the local strfry ends with all of them.
     */
    @Test
    void pagingASecondHoldingMoreThanStrfrysCap(@TempDir Path tmp) throws Exception {
        List<String> events = new java.util.ArrayList<>();
        for (String author : List.of("member-1", "member-2")) {
            for (int i = 0; i < 450; i++) {
                events.add(org.astroport.constellation.nostr.EventSigner.sign(org.astroport.constellation.testsupport.Fixtures.secretOf(author),
                        org.astroport.constellation.testsupport.Fixtures.REFERENCE_TIME - 50, 1, List.of(), author + " same second " + i).toJson());
            }
        }
        events.addAll(BackfillCommandTest.notes("member-1", 30, org.astroport.constellation.testsupport.Fixtures.REFERENCE_TIME - 51));
        try (StrfryProcess peerA = StrfryProcess.create(tmp.resolve("peer-a"), "127.0.0.2");
             StrfryProcess local = StrfryProcess.create(tmp.resolve("local"))) {
            peerA.importLines(events);
            peerA.startRelay();
            local.startRelay();
            Path home = ZenHome.withPeers(tmp, peerA.url(), "ws://127.0.0.3:1"); // down
            Map<String, String> settings = importSink(local);
            settings.put("constellation.backfill.negentropy", "false");
            Run r = cli(home, config(tmp, local.url(), settings), "backfill", "--no-profiles");
            assertEquals(0, r.status(), r.out() + r.err());
            java.util.Set<String> missing = new java.util.TreeSet<>(ids(events));
            missing.removeAll(local.storedIds());
            assertEquals(0, missing.size(), "events the local strfry lacks, of " + events.size());
            assertTrue(!r.out().contains("SYNC_PAGING"), r.out());
        }
    }
}
