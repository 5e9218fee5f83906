package org.astroport.constellation.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.astroport.constellation.ops.PeersView;
import org.astroport.constellation.testsupport.ZenHome;
import org.astroport.constellation.untrusted.Destinations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Descriptors written by a hostile station: what their myRELAY and hostname may and may not make us do. */
class HostileDescriptorsTest {

    static final long NOW = 1_763_900_000L; // 2025-11-23T12:13:20Z
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
    static final String CREATED = "202511231113202059"; // an hour before NOW
    static final String BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    /** Names in these tests resolve through this table (nothing leaves the machine). */
    static final Map<String, InetAddress[]> DNS = new LinkedHashMap<>();

    static {
        try {
            DNS.put("relay.public.test", new InetAddress[] {InetAddress.getByAddress(new byte[] {(byte) 198, 51, 100, 7})});
            DNS.put("relay.rebound.test", new InetAddress[] {InetAddress.getByAddress(new byte[] {10, 0, 0, 5})});
            DNS.put("relay.mixed.test", new InetAddress[] {InetAddress.getByAddress(new byte[] {(byte) 198, 51, 100, 8}),
                    InetAddress.getByAddress(new byte[] {127, 0, 0, 1})});
            DNS.put("relay.v6-loopback.test", new InetAddress[] {InetAddress.getByName("::1")});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static InetAddress[] resolve(String name) throws UnknownHostException {
        InetAddress[] a = DNS.get(name);
        if (a == null) {
            throw new UnknownHostException(name);
        }
        return a;
    }

    static PeerPolicy defaults(int maxPeers) {
        return new PeerPolicy(Destinations.publicOnly(Duration.ofSeconds(1), HostileDescriptorsTest::resolve), maxPeers, Duration.ZERO);
    }

    static String peerId(int n) {
        StringBuilder id = new StringBuilder("12D3KooW");
        String digits = Integer.toString(n);
        for (int i = 0; i < 44; i++) {
            id.append(i < 44 - digits.length() ? 'x' : BASE58.charAt(digits.charAt(i - (44 - digits.length())) - '0' + 1));
        }
        return id.toString();
    }

    static Path descriptor(Path home, String id, String relay, String hostname) throws Exception {
        Path dir = Files.createDirectories(home.resolve("tmp/swarm/" + id));
        String json = "{\"created\":\"" + CREATED + "\",\"ipfsnodeid\":\"" + id + "\",\"myRELAY\":" + Json.quote(relay)
                + ",\"hostname\":" + Json.quote(hostname) + "}";
        return Files.writeString(dir.resolve(PeerRegistry.DESCRIPTOR), json);
    }

    static final class Json {
        static String quote(String s) throws Exception {
            return s == null ? "null" : new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(s);
        }
    }

    static PeerRegistry registry(Path home, PeerPolicy policy, IpfsTunnels tunnels) {
        return new PeerRegistry(home, "", 3, CLOCK, new AuthorRegistry(home), tunnels, policy);
    }

    static PeerRegistry registry(Path home, PeerPolicy policy) {
        return registry(home, policy, IpfsTunnels.dryRun());
    }

    @Test
    void relayUrlsThatCouldCarryEndpointOptionsOrCredentialsAreRefused(@TempDir Path tmp) throws Exception {
        List<String> bad = List.of(
                "ws://198.51.100.7:7777/?a=1&maxMessageBytes=104857600", // the example: a query sets endpoint options
                "ws://198.51.100.7:7777/?", // an empty query is a query
                "ws://198.51.100.7:7777/#stationKey=x", // fragment
                "ws://user:secret@198.51.100.7:7777", // user info
                "ws://198.51.100.7:7777/a&maxMessageBytes=1", // '&' in the path
                "ws://198.51.100.7:7777/RAW(x)&clock=#evil", // ')' would end a RAW(...) value
                "ws://198.51.100.7:7777/%7B%7Benv:HOME%7D%7D/{{env:HOME}}", // placeholders
                "ws://198.51.100.7:7777/a b", // space
                "ws://198.51.100.7:7777/\nERROR forged", // line break
                "http://198.51.100.7:7777", // not ws
                "ws://198.51.100.7:0", // port 0
                "ws://198.51.100.7:7777/" + "a".repeat(300)); // too long
        for (int i = 0; i < bad.size(); i++) {
            descriptor(tmp, peerId(i), bad.get(i), "station-" + i);
        }
        PeerRegistry peers = registry(tmp, defaults(256));
        StationScan.loadAll(tmp, peers, new AuthorRegistry(tmp));
        for (int i = 0; i < bad.size(); i++) {
            Peer p = peers.peer(peerId(i));
            assertEquals(PeerState.SKIPPED, p.state(), bad.get(i));
            assertEquals("invalid-url", p.reason(), bad.get(i) + ": " + p.detail());
            assertTrue(p.detail().length() < 400, "the bad value is quoted clipped: " + p.detail());
            assertFalse(p.detail().contains("\n") || (p.relayUrl() != null && p.relayUrl().contains("\n")), "no line break kept: " + p.detail());
        }
        // counted among the skip reasons, as JMX shows them
        assertEquals(bad.size(), new PeersView(peers).getSkipCountsByReason().get("invalid-url"));
        // the same URLs without what made them dangerous are accepted
        descriptor(tmp, peerId(100), "wss://relay.public.test/nostr/v1_x~y-z%20", "ok");
        assertEquals(PeerState.ROUTABLE, peers.descriptorChanged(tmp.resolve("tmp/swarm/" + peerId(100) + "/12345.json")).get(0).peer().state());
    }

    @Test
    void loopbackPrivateLinkLocalAndUnspecifiedAreRefusedInEverySpelling(@TempDir Path tmp) throws Exception {
        // host -> the reason it is refused by default
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("ws://127.0.0.2:7777", "private-address");
        refused.put("ws://127.255.255.254:7777", "private-address");
        refused.put("ws://0.0.0.0:17004/api/v0/shutdown", "private-address"); // the example, minus its query
        refused.put("ws://[::]:7777", "private-address");
        refused.put("ws://[0:0:0:0:0:0:0:1]:7777", "private-address");
        refused.put("ws://[::ffff:127.0.0.1]:7777", "private-address");
        refused.put("ws://[::ffff:7f00:1]:7777", "private-address");
        refused.put("ws://[::127.0.0.1]:7777", "private-address"); // IPv4-compatible
        refused.put("ws://[64:ff9b::a00:1]:7777", "private-address"); // NAT64 of 10.0.0.1
        refused.put("ws://[2002:c0a8:101::1]:7777", "private-address"); // 6to4 of 192.168.1.1
        refused.put("ws://10.1.2.3:7777", "private-address");
        refused.put("ws://172.16.0.1:7777", "private-address");
        refused.put("ws://172.31.255.1:7777", "private-address");
        refused.put("ws://192.168.1.1:7777", "private-address");
        refused.put("ws://100.64.0.1:7777", "private-address");
        refused.put("ws://169.254.169.254:80", "private-address"); // cloud metadata
        refused.put("ws://[fe80::1]:7777", "private-address");
        refused.put("ws://[fc00::1]:7777", "private-address");
        refused.put("ws://[fd12:3456::1]:7777", "private-address");
        refused.put("ws://224.0.0.1:7777", "private-address");
        refused.put("ws://255.255.255.255:7777", "private-address");
        refused.put("ws://relay.rebound.test:7777", "private-address"); // a name that resolves to 10.0.0.5
        refused.put("ws://relay.mixed.test:7777", "private-address"); // one public, one loopback address
        refused.put("ws://relay.v6-loopback.test:7777", "private-address");
        // glibc reads all of these as 127.0.0.1; some other parsers differently: refused as such
        refused.put("ws://127.1:7777", "invalid-url");
        refused.put("ws://127.0.1:7777", "invalid-url");
        refused.put("ws://0x7f.1:7777", "invalid-url");
        refused.put("ws://0x7f000001:7777", "invalid-url");
        refused.put("ws://0177.0.0.1:7777", "invalid-url");
        refused.put("ws://2130706433:7777", "invalid-url");
        refused.put("ws://127.000.000.001:7777", "invalid-url");
        refused.put("ws://evil.test.0x1:7777", "invalid-url");
        List<String> urls = List.copyOf(refused.keySet());
        for (int i = 0; i < urls.size(); i++) {
            descriptor(tmp, peerId(i), urls.get(i), "station-" + i);
        }
        descriptor(tmp, peerId(900), "wss://relay.public.test", "public-name");
        descriptor(tmp, peerId(901), "ws://198.51.100.9:7777", "public-ip");
        descriptor(tmp, peerId(902), "ws://[2001:db8::7]:7777", "public-v6");
        PeerRegistry peers = registry(tmp, defaults(256));
        StationScan.loadAll(tmp, peers, new AuthorRegistry(tmp));
        for (int i = 0; i < urls.size(); i++) {
            Peer p = peers.peer(peerId(i));
            assertEquals(PeerState.SKIPPED, p.state(), urls.get(i) + " must not be dialled");
            assertEquals(refused.get(urls.get(i)), p.reason(), urls.get(i) + ": " + p.detail());
            assertNull(p.dialUrl());
        }
        assertEquals(PeerState.ROUTABLE, peers.peer(peerId(900)).state(), peers.peer(peerId(900)).detail());
        assertEquals(PeerState.ROUTABLE, peers.peer(peerId(901)).state(), peers.peer(peerId(901)).detail());
        assertEquals(PeerState.ROUTABLE, peers.peer(peerId(902)).state(), peers.peer(peerId(902)).detail());
        assertTrue(peers.peer(peerId(0)).detail().contains("loopback"), peers.peer(peerId(0)).detail());
        assertTrue(peers.peer(peerId(urls.indexOf("ws://relay.rebound.test:7777"))).detail().contains("resolves to 10.0.0.5"));
        Map<String, Long> counts = new PeersView(peers).getSkipCountsByReason();
        assertEquals(refused.values().stream().filter("private-address"::equals).count(), counts.get("private-address"));

        // the operator may allow them (the tests' relays listen on 127.0.0.x); the ambiguous spellings stay refused
        PeerRegistry allowing = registry(tmp, PeerPolicy.allowingPrivate());
        StationScan.loadAll(tmp, allowing, new AuthorRegistry(tmp));
        for (int i = 0; i < urls.size(); i++) {
            boolean ambiguous = refused.get(urls.get(i)).equals("invalid-url");
            assertEquals(ambiguous ? PeerState.SKIPPED : PeerState.ROUTABLE, allowing.peer(peerId(i)).state(), urls.get(i));
        }
    }

    @Test
    void ourOwnTunnelOnLoopbackStillWorks(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("ipfs.log");
        Path ipfs = ZenHome.fakeIpfs(tmp, log);
        Path home = tmp.resolve("zen");
        descriptor(home, peerId(1), "ws://127.0.0.1:7777", "behind-nat");
        Files.writeString(home.resolve("tmp/swarm/" + peerId(1) + "/" + PeerRegistry.TUNNEL_OFFER), "#!/bin/sh\n");
        descriptor(home, peerId(2), "ws://127.0.0.1:7777", "no-offer");
        PeerRegistry peers = registry(home, defaults(256), new IpfsTunnels(ipfs.toString(), Duration.ofSeconds(5)));
        StationScan.loadAll(home, peers, new AuthorRegistry(home));
        Peer tunnel = peers.peer(peerId(1));
        assertEquals(PeerState.TUNNEL, tunnel.state());
        assertTrue(tunnel.dialUrl().startsWith("ws://127.0.0.1:"), tunnel.dialUrl());
        assertTrue(peers.destinationsFor(tunnel).allowsPrivate(), "our tunnel's end is on loopback by design");
        assertTrue(peers.destinationsFor(tunnel.dialUrl()).allowsPrivate());
        assertEquals("localhost-without-tunnel", peers.peer(peerId(2)).reason());
        assertFalse(peers.destinationsFor("ws://127.0.0.1:1").allowsPrivate(), "any other loopback URL is checked");
    }

    @Test
    void aNameThatDoesNotResolveIsUnreachableAndLookedUpAgain(@TempDir Path tmp) throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        Destinations flaky = Destinations.publicOnly(Duration.ofSeconds(1), name -> {
            if (lookups.incrementAndGet() == 1) {
                throw new UnknownHostException(name);
            }
            return resolve("relay.public.test");
        });
        Path file = descriptor(tmp, peerId(1), "wss://relay.flaky.test", "flaky");
        PeerRegistry peers = registry(tmp, new PeerPolicy(flaky, 256, Duration.ZERO));
        peers.descriptorChanged(file); // the file route
        assertEquals("unreachable", peers.peer(peerId(1)).reason(), peers.peer(peerId(1)).detail());
        assertTrue(peers.peer(peerId(1)).detail().contains("'relay.flaky.test' does not resolve"), peers.peer(peerId(1)).detail());
        List<PeerChange> changes = peers.reconcile(); // the reconcile timer
        assertEquals(1, changes.size());
        assertEquals(PeerState.ROUTABLE, peers.peer(peerId(1)).state());

        // a resolver that does not answer costs the timeout, not more
        Destinations hanging = Destinations.publicOnly(Duration.ofMillis(200), name -> {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new UnknownHostException(name);
        });
        long t0 = System.nanoTime();
        Destinations.Verdict v = hanging.check("relay.slow.test");
        assertEquals(Destinations.Outcome.UNRESOLVED, v.outcome());
        assertTrue(v.detail().contains("did not resolve within 200 ms"), v.detail());
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L);
    }

    @Test
    void peersBeyondTheCapAreSkippedUntilAPlaceFreesUp(@TempDir Path tmp) throws Exception {
        for (int i = 0; i < 5; i++) {
            descriptor(tmp, peerId(i), "ws://198.51.100." + (10 + i) + ":7777", "station-" + i);
        }
        PeerRegistry peers = registry(tmp, defaults(3));
        StationScan.loadAll(tmp, peers, new AuthorRegistry(tmp));
        assertEquals(3, peers.syncablePeers().size());
        List<Peer> capped = peers.allPeers().stream().filter(p -> "peer-cap".equals(p.reason())).toList();
        assertEquals(2, capped.size());
        assertEquals(2L, new PeersView(peers).getSkipCountsByReason().get("peer-cap"));
        assertTrue(capped.get(0).detail().contains("constellation.peers.max"), capped.get(0).detail());

        // a synced peer leaves: the next reconcile gives its place to one that waited
        String leaving = peers.syncablePeers().get(0).id();
        Files.delete(tmp.resolve("tmp/swarm/" + leaving + "/12345.json"));
        Files.delete(tmp.resolve("tmp/swarm/" + leaving));
        peers.reconcile();
        peers.reconcile();
        assertEquals(3, peers.syncablePeers().size());
        assertEquals(1, peers.allPeers().stream().filter(p -> "peer-cap".equals(p.reason())).count());
    }

    @Test
    void hostnamesAreCutDownToASafeName(@TempDir Path tmp) throws Exception {
        descriptor(tmp, peerId(1), "ws://198.51.100.7:7777", "evil\nERROR forged line&maxMessageBytes=1{{env:HOME}}/../" + "x".repeat(300));
        descriptor(tmp, peerId(2), "ws://198.51.100.8:7777", "\n\n");
        PeerRegistry peers = registry(tmp, defaults(256));
        StationScan.loadAll(tmp, peers, new AuthorRegistry(tmp));
        String name = peers.peer(peerId(1)).hostname();
        assertTrue(name.matches("[A-Za-z0-9._-]{1,64}"), name);
        assertTrue(name.startsWith("evil_ERROR_forged_line_maxMessageBytes_1__env_HOME"), name);
        assertNull(peers.peer(peerId(2)).hostname(), "nothing usable: the node id names it");
        assertEquals(peerId(2), peers.peer(peerId(2)).displayName());
    }
}
