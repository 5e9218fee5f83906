package org.astroport.constellation.discovery;

import static org.astroport.constellation.testsupport.RunningApp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.management.ObjectName;

import org.apache.camel.builder.AdviceWith;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.RunningApp;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The running application notices files added, changed and removed, within 2 seconds. */
class LiveDiscoveryTest {

    static final String PEER_A = "12D3KooWRcEn1BT6TXaNmzRiNv3e9wrRTCToZE1pBhcnw7ZrcYCr";
    static final String NEW_PEER = "12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo";

    @Test
    void addModifyRemoveWhileRunning(@TempDir Path tmp) throws Exception {
        Path home = ZenHome.copyTo(tmp.resolve("zen"));
        // allow-private: nothing is dialled here, and the fixture's *.test relay names resolve nowhere
        try (RunningApp app = RunningApp.start(home, Map.of("constellation.live.enabled", "false", "constellation.reference-time", String.valueOf(Fixtures.REFERENCE_TIME),
                "constellation.ipfs.bin", tmp.resolve("no-ipfs").toString(), "constellation.peers.allow-private", "true"))) {
            List<Object> peerChanges = new CopyOnWriteArrayList<>();
            List<Object> authorChanges = new CopyOnWriteArrayList<>();
            // observe what the routes emit, at the end of the two notification routes
            AdviceWith.adviceWith(app.context(), "peer-changed", a -> a.weaveAddLast().process(e -> peerChanges.add(e.getMessage().getBody())));
            AdviceWith.adviceWith(app.context(), "authors-changed", a -> a.weaveAddLast().process(e -> authorChanges.add(e.getMessage().getBody())));
            PeerRegistry peers = app.bean("peerRegistry", PeerRegistry.class);
            AuthorRegistry authors = app.bean("authorRegistry", AuthorRegistry.class);
            await("initial load", 5000, () -> authors.size() == 32 && peers.allPeers().size() == 10);
            assertEquals(2, peers.allPeers().stream().filter(p -> p.state() == PeerState.ROUTABLE).count());

            // over JMX, while we are at it
            var mbs = ManagementFactory.getPlatformMBeanServer();
            assertEquals(32, mbs.getAttribute(new ObjectName("org.astroport.constellation:type=Authors"), "MonitoredCount"));
            assertEquals(2, mbs.getAttribute(new ObjectName("org.astroport.constellation:type=Peers"), "RoutableCount"));

            // a new peer appears
            int before = peerChanges.size();
            Path dir = Files.createDirectories(home.resolve("tmp/swarm/" + NEW_PEER));
            String descriptor = Files.readString(home.resolve("tmp/swarm/" + PEER_A + "/12345.json"))
                    .replace(PEER_A, NEW_PEER).replace("wss://relay.example-a.test", "wss://relay.new.test")
                    .replace("cd78905b3a225f0e8c686df94420496b0538ca3e9f592fcabb6bedcd5f5a32b2", "ab".repeat(32));
            Files.writeString(dir.resolve("12345.json"), descriptor);
            long added = await("new peer", 2000, () -> peers.peer(NEW_PEER) != null && peers.peer(NEW_PEER).state() == PeerState.ROUTABLE);
            await("added notification", 2000, () -> peerChanges.stream().skip(before)
                    .anyMatch(c -> c instanceof PeerChange pc && pc.type() == PeerChange.Type.ADDED && pc.peer().id().equals(NEW_PEER)));
            await("its captain key becomes an author", 2000, () -> authors.isMonitored("ab".repeat(32)));

            // the peer changes its relay
            Files.writeString(dir.resolve("12345.json"), descriptor.replace("wss://relay.new.test", "wss://relay.moved.test"));
            long changed = await("changed peer", 2000, () -> "wss://relay.moved.test".equals(peers.peer(NEW_PEER).relayUrl()));
            await("changed notification", 2000, () -> peerChanges.stream()
                    .anyMatch(c -> c instanceof PeerChange pc && pc.type() == PeerChange.Type.CHANGED && pc.peer().id().equals(NEW_PEER)));

            // ... and goes away
            Files.delete(dir.resolve("12345.json"));
            Files.delete(dir);
            long removed = await("removed peer", 2000, () -> peers.peer(NEW_PEER) == null);
            await("removed notification", 2000, () -> peerChanges.stream()
                    .anyMatch(c -> c instanceof PeerChange pc && pc.type() == PeerChange.Type.REMOVED && pc.peer().id().equals(NEW_PEER)));
            await("its keys go too", 2000, () -> !authors.isMonitored("ab".repeat(32)));

            // a member joins, a key is blacklisted, a member leaves
            int authorsBefore = authorChanges.size();
            String newMember = "cd".repeat(32);
            Path member = Files.createDirectories(home.resolve("game/nostr/new@example.test"));
            Files.writeString(member.resolve("HEX"), newMember.toUpperCase() + "\r\n");
            long joined = await("new member", 2000, () -> authors.isMonitored(newMember));
            await("authors-changed announced", 2000, () -> authorChanges.size() > authorsBefore);
            Files.writeString(home.resolve("strfry/blacklist.txt"), Files.readString(home.resolve("strfry/blacklist.txt")) + newMember + "\n");
            await("blacklisted", 2000, () -> !authors.isMonitored(newMember));
            Files.delete(home.resolve("strfry/blacklist.txt"));
            await("blacklist removed", 2000, () -> authors.isMonitored(newMember) && authors.isMonitored(Fixtures.pubkeyOf("blacklisted-1")));
            Files.delete(member.resolve("HEX"));
            await("member left", 2000, () -> !authors.isMonitored(newMember));
            // the same file coming back identical is read again
            Files.writeString(member.resolve("HEX"), newMember.toUpperCase() + "\r\n");
            await("member back", 2000, () -> authors.isMonitored(newMember));
            System.out.printf("discovery latency ms: peer added %d, changed %d, removed %d, member joined %d%n", added, changed, removed, joined);
            assertTrue(added < 2000 && changed < 2000 && removed < 2000 && joined < 2000);
        }
    }
}
