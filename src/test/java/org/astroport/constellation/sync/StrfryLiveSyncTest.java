package org.astroport.constellation.sync;

import static org.astroport.constellation.testsupport.RunningApp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.RunningApp;
import org.astroport.constellation.testsupport.StrfryProcess;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live-sync test against real strfry relays: two peers and the local one. Needs STRFRY_BIN;
 * without it JUnit reports these tests as skipped (not run), never as passed.
 */
@EnabledIfEnvironmentVariable(named = StrfryProcess.ENV, matches = ".+")
class StrfryLiveSyncTest {

    @Test
    void importSinkEndsWithWhatARelayKeepsOfTheFixture(@TempDir Path tmp) throws Exception {
        streamFixture(tmp, "import");
    }

    @Test
    void relaySinkEndsWithWhatARelayKeepsOfTheFixture(@TempDir Path tmp) throws Exception {
        streamFixture(tmp, "relay");
    }

    /**
     * strfry's default DM protection, with AUTH possible: a REQ for kind 4 alone is answered with an
     * AUTH challenge and CLOSED auth-required; the daemon signs in with the station key, subscribes
     * again, and the DMs come (the peer lets any authenticated client read them).
     */
    @Test
    void dmsFromAStrfryThatDemandsAuth(@TempDir Path tmp) throws Exception {
        Set<String> dms = new TreeSet<>();
        Map<String, String> kindById = new HashMap<>();
        for (String line : Fixtures.validLines()) {
            var e = Fixtures.JSON.readTree(line);
            kindById.put(e.get("id").asText(), e.get("kind").asText());
        }
        Fixtures.expected().get("events").get("storedAfterReplaceable").get("ids").forEach(n -> {
            if ("4".equals(kindById.get(n.asText()))) {
                dms.add(n.asText());
            }
        });
        try (StrfryProcess peerA = StrfryProcess.create(tmp.resolve("peer-a"), "127.0.0.2",
                     port -> "serviceUrl = \"ws://127.0.0.2:" + port + "\"\nrestrictedReadKinds = \"4, 1059\"\nrestrictReadToInvolvedPubkey = false");
             StrfryProcess local = StrfryProcess.create(tmp.resolve("local"))) {
            peerA.importLines(Fixtures.validLines());
            peerA.startRelay();
            local.startRelay();
            Path home = ZenHome.withPeers(tmp, peerA.url(), "ws://127.0.0.3:1"); // down
            Map<String, String> settings = settings(tmp, local, "relay");
            settings.put("constellation.kinds", "4");
            try (RunningApp app = RunningApp.start(home, settings)) {
                await("the local strfry holds the fixture's " + dms.size() + " DMs", 30_000, () -> {
                    try {
                        return local.storedIds().size() >= dms.size();
                    } catch (Exception e) {
                        return false;
                    }
                });
                Thread.sleep(1000);
                assertEquals(dms, local.storedIds());
            }
        }
        assertTrue(dms.size() >= 9, "the fixture's DMs: " + dms.size());
    }

    void streamFixture(Path tmp, String sinkMode) throws Exception {
        Set<String> want = new TreeSet<>();
        Fixtures.expected().get("events").get("storedAfterReplaceable").get("ids").forEach(n -> want.add(n.asText()));
        try (StrfryProcess peerA = StrfryProcess.create(tmp.resolve("peer-a"), "127.0.0.2");
             StrfryProcess peerB = StrfryProcess.create(tmp.resolve("peer-b"), "127.0.0.3");
             StrfryProcess local = StrfryProcess.create(tmp.resolve("local"))) {
            peerA.importLines(Fixtures.validLines());
            // strfry refuses some fixture events on import (those with a raw DEL character in the
            // content): what the peer does not hold, no replicator can deliver
            Set<String> peerHolds = peerA.storedIds();
            Set<String> refusedByPeer = new TreeSet<>(want);
            refusedByPeer.removeAll(peerHolds);
            want.retainAll(peerHolds);
            System.out.println("strfry refused on import " + refusedByPeer.size() + " of the events a relay would keep: " + refusedByPeer);
            Map<String, String> contentById = new HashMap<>();
            for (String line : Fixtures.validLines()) {
                var e = Fixtures.JSON.readTree(line);
                contentById.put(e.get("id").asText(), e.get("content").asText());
            }
            for (String id : refusedByPeer) {
                assertTrue(contentById.get(id).contains("\u007f"),
                        "peer A's strfry refused " + id + ", which has no DEL character: a new refusal to look into");
            }
            peerA.startRelay();
            peerB.startRelay();
            local.startRelay();
            Path home = ZenHome.withPeers(tmp, peerA.url(), peerB.url());
            Map<String, String> settings = settings(tmp, local, sinkMode);
            try (RunningApp app = RunningApp.start(home, settings)) {
                await("the local strfry holds what peer A holds of the fixture (" + want.size() + " events)", 30_000, () -> {
                    try {
                        return local.storedIds().size() >= want.size();
                    } catch (Exception e) {
                        return false;
                    }
                });
                Thread.sleep(1000); // anything extra would show up now
                assertEquals(want, local.storedIds());
            }
        }
    }

    /** The daemon on the fixture's reference time, syncing into the local strfry through the given sink. */
    static Map<String, String> settings(Path tmp, StrfryProcess local, String sinkMode) {
        Map<String, String> settings = new HashMap<>();
        settings.put("constellation.reference-time", String.valueOf(Fixtures.REFERENCE_TIME));
        settings.put("constellation.ipfs.bin", tmp.resolve("no-ipfs").toString());
        settings.put("constellation.sink.mode", sinkMode);
        settings.put("constellation.strfry.bin", local.bin());
        settings.put("constellation.strfry.config", local.config().toString());
        settings.put("constellation.local-relay-url", local.url());
        settings.put("constellation.spool.dir", tmp.resolve("spool").toString());
        settings.put("constellation.live.initial-lookback-seconds", String.valueOf(5 * 86_400));
        settings.put("constellation.peers.allow-private", "true"); // the peers listen on 127.0.0.x
        return settings;
    }
}
