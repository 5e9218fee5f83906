package org.astroport.constellation.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.untrusted.Destinations;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registries on the fixture station equal expected.json. */
class FixtureRegistriesTest {

    static final Clock REFERENCE = Clock.fixed(Instant.ofEpochSecond(Fixtures.REFERENCE_TIME), ZoneOffset.UTC);
    /** The daemon's default policy, the fixture's *.test relay names resolving to a public (documentation) address. */
    static final PeerPolicy FIXTURE_POLICY = new PeerPolicy(Destinations.publicOnly(Duration.ofSeconds(1),
            name -> new InetAddress[] {InetAddress.getByAddress(name, new byte[] {(byte) 198, 51, 100, 7})}), 256, Duration.ofSeconds(30));

    @Test
    void registriesEqualExpectedJson(@TempDir Path tmp) throws Exception {
        Path home = ZenHome.copyTo(tmp.resolve("zen"));
        Path ipfsLog = tmp.resolve("ipfs-args.log");
        Path ipfs = ZenHome.fakeIpfs(tmp, ipfsLog);
        AuthorRegistry authors = new AuthorRegistry(home);
        PeerRegistry peers = new PeerRegistry(home, Fixtures.LOCAL_NODE_ID, 3, REFERENCE, authors, new IpfsTunnels(ipfs.toString(), Duration.ofSeconds(10)),
                FIXTURE_POLICY);
        StationScan.loadAll(home, peers, authors);
        JsonNode expected = Fixtures.expected();

        // routable peers
        List<String> routable = new ArrayList<>();
        for (Peer p : peers.allPeers()) {
            if (p.state() == PeerState.ROUTABLE) {
                routable.add(p.id() + " " + p.relayUrl() + " " + p.hostname() + " " + (Fixtures.REFERENCE_TIME - p.createdEpoch()));
            }
        }
        List<String> expectedRoutable = new ArrayList<>();
        expected.get("routablePeers").forEach(n -> expectedRoutable.add(n.get("ipfsnodeid").asText() + " " + n.get("url").asText() + " "
                + n.get("hostname").asText() + " " + n.get("ageSeconds").asLong()));
        assertEquals(expectedRoutable, routable);

        // tunnel peers, with the exact command and no shared port
        List<Peer> tunnel = peers.allPeers().stream().filter(p -> p.state() == PeerState.TUNNEL).toList();
        assertEquals(expected.get("p2pPeers").size(), tunnel.size());
        JsonNode p2p = expected.get("p2pPeers").get(0);
        Peer t = tunnel.get(0);
        assertEquals(p2p.get("ipfsnodeid").asText(), t.id());
        assertEquals(p2p.get("remoteRelay").asText(), t.relayUrl());
        assertTrue(t.tunnelPort() > 0, "tunnel opened through the fake ipfs");
        assertEquals("ws://127.0.0.1:" + t.tunnelPort(), t.dialUrl());
        String recorded = Files.readString(ipfsLog).strip();
        assertEquals(p2p.get("command").asText().replace("ipfs ", "").replace("<free port>", String.valueOf(t.tunnelPort())), recorded);

        // skipped, with reasons
        Map<String, String> skipped = new TreeMap<>();
        peers.allPeers().stream().filter(p -> p.state() == PeerState.SKIPPED).forEach(p -> skipped.put(p.id(), p.reason()));
        Map<String, String> expectedSkipped = new TreeMap<>();
        expected.get("skippedPeers").forEach(n -> expectedSkipped.put(n.get("ipfsnodeid").asText(), n.get("reason").asText()));
        assertEquals(expectedSkipped, skipped);
        for (JsonNode n : expected.get("skippedPeers")) {
            if (!n.get("reason").asText().equals("stale")) {
                assertEquals(n.get("detail").asText(), peers.peer(n.get("ipfsnodeid").asText()).detail());
            }
        }

        // authors, with their sources
        Map<String, List<String>> got = new TreeMap<>();
        for (String a : authors.authors()) {
            got.put(a, authors.sourcesOf(a));
        }
        Map<String, List<String>> want = new TreeMap<>();
        for (JsonNode n : expected.get("authors")) {
            List<String> sources = new ArrayList<>();
            n.get("sources").forEach(s -> sources.add(s.asText()));
            want.put(n.get("pubkey").asText(), sources.stream().sorted().toList());
        }
        assertEquals(want, got);
        assertEquals(expected.get("authorCount").asInt(), authors.size());
        for (JsonNode n : expected.get("notAuthors")) {
            assertFalse(authors.isMonitored(n.get("pubkey").asText()), n.get("label").asText());
        }
        for (JsonNode n : expected.get("blacklist").get("blocked")) {
            assertFalse(authors.isMonitored(n.get("pubkey").asText()));
        }
        for (JsonNode n : expected.get("blacklist").get("overriddenByAmisOfAmis")) {
            assertTrue(authors.isMonitored(n.get("pubkey").asText()));
        }
        assertTrue(authors.isBlacklisted(Fixtures.pubkeyOf("blacklisted-1")));

        // invalid lines per file
        Map<String, List<String>> expectedBad = new TreeMap<>();
        expected.get("skippedKeyLines").fields().forEachRemaining(e -> {
            List<String> l = new ArrayList<>();
            e.getValue().forEach(x -> l.add(x.asText()));
            expectedBad.put(e.getKey(), l);
        });
        assertEquals(expectedBad, authors.invalidLines());

        // the peer's tunnel script was never run: its marker appears nowhere and the file is unchanged
        Path offer = home.resolve("tmp/swarm/" + t.id() + "/x_strfry.sh");
        assertEquals(Files.readString(Fixtures.dir().resolve("zen/tmp/swarm/" + t.id() + "/x_strfry.sh")), Files.readString(offer));
        try (Stream<Path> all = Files.walk(tmp)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isRegularFile(p) && !p.getFileName().toString().startsWith("x_")) {
                    assertFalse(Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1).contains("_WAS_EXECUTED"), p.toString());
                }
            }
        }
    }

    @Test
    void missingIpfsBinaryLeavesTunnelPeersUnreachableNotFatal(@TempDir Path tmp) {
        Path home = ZenHome.copyTo(tmp.resolve("zen"));
        AuthorRegistry authors = new AuthorRegistry(home);
        PeerRegistry peers = new PeerRegistry(home, Fixtures.LOCAL_NODE_ID, 3, REFERENCE, authors,
                new IpfsTunnels(tmp.resolve("no-such-ipfs").toString(), Duration.ofSeconds(5)), FIXTURE_POLICY);
        StationScan.loadAll(home, peers, authors);
        Peer t = peers.allPeers().stream().filter(p -> p.state() == PeerState.TUNNEL).findFirst().orElseThrow();
        assertEquals(0, t.tunnelPort());
        assertTrue(t.tunnelStatus().startsWith("tunnel-unavailable"), t.tunnelStatus());
        assertFalse(t.isReachable());
        assertEquals(2, peers.reachablePeers().size());
    }

    @Test
    void peerIdsAreValidatedBeforeAnyCommandIsBuilt() {
        assertTrue(IpfsTunnels.isValidPeerId("12D3KooWL36RQH6xmuDSwtyH7o7Bbji6oSYXdrZ3UJPMyU9fEMC5"));
        assertTrue(IpfsTunnels.isValidPeerId("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N"));
        for (String bad : List.of("12D3KooW;rm -rf /", "../../etc", "12D3KooWL36RQH6xmuDSwtyH7o7Bbji6oSYXdrZ3UJPMyU9fEMC0", "", "$(reboot)")) {
            assertFalse(IpfsTunnels.isValidPeerId(bad), bad);
            assertFalse(new IpfsTunnels("/bin/true", Duration.ofSeconds(1)).open(bad).open(), bad);
        }
    }

    @Test
    void moats() {
        assertEquals(1763900000L - 120 * 3600, Moats.toEpochSeconds("202511181213200065").getAsLong());
        assertEquals(Moats.toEpochSeconds("20251118121320").getAsLong(), Moats.toEpochSeconds("202511181213200065").getAsLong());
        assertTrue(Moats.toEpochSeconds("2025-11-18").isEmpty());
        assertTrue(Moats.toEpochSeconds("20251318121320").isEmpty());
        assertTrue(Moats.toEpochSeconds(null).isEmpty());
    }
}
