package org.astroport.constellation.backfill;

import static org.astroport.constellation.testsupport.Fixtures.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.vertx.core.Vertx;
import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.nostr.Filter;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.StrfryProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real strfry relays reconciled through their NIP-77 servers (PeerFetch.reconcileThrough): strfry's
 * own splits, its 500 KB answers cut short, its bounds. What each lacks must be exactly the difference.
 * Needs STRFRY_BIN; without it JUnit reports these tests as skipped, never passed.
 */
@EnabledIfEnvironmentVariable(named = StrfryProcess.ENV, matches = ".+")
class StrfryNegentropyBridgeTest {

    final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close();
    }

    /** n notes by a fixture member, two per second of created_at (shared seconds: bounds need id prefixes). */
    static List<String> signed(int n, String tag) {
        return java.util.stream.IntStream.range(0, n).parallel()
                .mapToObj(i -> EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 20_000 + i / 2, 1, List.of(), tag + " " + i).toJson())
                .toList();
    }

    PeerFetch.Reconciled reconcile(Path tmp, List<String> remoteEvents, List<String> localEvents, int frameLimit) throws Exception {
        try (StrfryProcess remote = StrfryProcess.create(tmp.resolve("remote"), "127.0.0.2");
             StrfryProcess local = StrfryProcess.create(tmp.resolve("local"))) {
            if (!remoteEvents.isEmpty()) {
                remote.importLines(remoteEvents);
            }
            if (!localEvents.isEmpty()) {
                local.importLines(localEvents);
            }
            remote.startRelay();
            local.startRelay();
            try (PeerFetch r = new PeerFetch(vertx, remote.url(), remote.url(), null, Clock.systemUTC(), 30_000);
                 PeerFetch l = new PeerFetch(vertx, local.url(), local.url(), null, Clock.systemUTC(), 30_000)) {
                r.open();
                l.open();
                PeerFetch.Reconciled out = r.reconcileThrough(l, Filter.builder().kinds(List.of(1)).build(), frameLimit, 30_000, true);
                Set<String> need = ids(remoteEvents);
                need.removeAll(ids(localEvents));
                Set<String> have = ids(localEvents);
                have.removeAll(ids(remoteEvents));
                assertEquals(need, new TreeSet<>(out.need()), "need: what only the remote strfry holds");
                assertEquals(have, new TreeSet<>(out.have()), "have: what only the local strfry holds");
                assertEquals(out.need().size(), new TreeSet<>(out.need()).size(), "each once");
                // down only: the same need, and what only our strfry holds is not asked of it
                PeerFetch.Reconciled down = r.reconcileThrough(l, Filter.builder().kinds(List.of(1)).build(), frameLimit, 30_000, false);
                assertEquals(need, new TreeSet<>(down.need()), "need, down only");
                assertEquals(List.of(), down.have());
                return out;
            }
        }
    }

    @Test
    void eachSideLacksSomeOfTheOther(@TempDir Path tmp) throws Exception {
        List<String> shared = signed(4_000, "shared");
        List<String> remote = new ArrayList<>(shared);
        remote.addAll(signed(300, "remote only"));
        List<String> local = new ArrayList<>(shared.subList(0, 3_900));
        local.addAll(signed(200, "local only"));
        PeerFetch.Reconciled r = reconcile(tmp, remote, local, 4096);
        assertEquals(400, r.need().size());
        assertTrue(r.rounds() >= 2, "rounds with the remote: " + r.rounds());
    }

    @Test
    void anEmptyLocalStrfryNeedsAllOfALargeRemote(@TempDir Path tmp) throws Exception {
        // 20,000 ids are 640 KB: strfry cuts its answer at 500 KB and leaves the rest to a fingerprint
        PeerFetch.Reconciled r = reconcile(tmp, signed(20_000, "many"), List.of(), 30_000);
        assertEquals(20_000, r.need().size());
    }

    @Test
    void anEmptyRemoteLacksAllOfTheLocalStrfry(@TempDir Path tmp) throws Exception {
        assertEquals(20_000, reconcile(tmp, List.of(), signed(20_000, "ours"), 30_000).have().size());
    }
}
