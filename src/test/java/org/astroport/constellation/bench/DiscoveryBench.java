package org.astroport.constellation.bench;

import static org.astroport.constellation.testsupport.RunningApp.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import org.astroport.constellation.discovery.AuthorRegistry;
import org.astroport.constellation.discovery.Discovery;
import org.astroport.constellation.discovery.PeerRegistry;
import org.astroport.constellation.nostr.Hex;
import org.astroport.constellation.testsupport.RunningApp;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mvn -B -Pbench test -Dtest=DiscoveryBench : a 10,000-peer, 100,000-author station through the real routes. */
@Tag("bench")
class DiscoveryBench {

    static final String ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    @Test
    void tenThousandPeers(@TempDir Path tmp) throws Exception {
        Path home = tmp.resolve("zen");
        Random rnd = new Random(42);
        long genStart = System.nanoTime();
        for (int i = 0; i < 10_000; i++) {
            StringBuilder id = new StringBuilder("12D3KooW");
            for (int j = 0; j < 44; j++) {
                id.append(ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
            }
            Path dir = Files.createDirectories(home.resolve("tmp/swarm/" + id));
            Files.writeString(dir.resolve("12345.json"), "{\n    \"version\" : \"3.0\",\n    \"created\" : \"202611241200000000\",\n"
                    + "    \"hostname\" : \"station-" + i + ".test\",\n    \"myRELAY\" : \"wss://relay-" + i + ".test\",\n"
                    + "    \"ipfsnodeid\" : \"" + id + "\",\n    \"captainHEX\" : \"" + key(rnd) + "\",\n    \"NODEHEX\" : \"" + key(rnd) + "\"\n}\n");
            StringBuilder amis = new StringBuilder();
            for (int k = 0; k < 8; k++) {
                amis.append(key(rnd)).append('\n');
            }
            Files.writeString(dir.resolve("amisOfAmis.txt"), amis);
        }
        System.out.printf("BENCH generated 10,000 peers in %d ms%n", (System.nanoTime() - genStart) / 1_000_000);
        long direct = System.nanoTime();
        AuthorRegistry directAuthors = new AuthorRegistry(home);
        PeerRegistry directPeers = new PeerRegistry(home, "", 3, java.time.Clock.fixed(java.time.Instant.ofEpochSecond(1795521600L), java.time.ZoneOffset.UTC),
                directAuthors, new org.astroport.constellation.discovery.IpfsTunnels("ipfs", java.time.Duration.ofSeconds(1)),
                org.astroport.constellation.discovery.PeerPolicy.allowingPrivate().withMaxPeers(20_000));
        org.astroport.constellation.discovery.StationScan.loadAll(home, directPeers, directAuthors);
        System.out.printf("BENCH same tree read by the registries directly (no routes): %d ms, %d authors%n", (System.nanoTime() - direct) / 1_000_000, directAuthors.size());
        long start = System.nanoTime();
        // *.test names resolve nowhere (allow-private: not looked up); 10,000 peers are over the default cap
        try (RunningApp app = RunningApp.start(home, Map.of("constellation.live.enabled", "false", "constellation.reference-time", "1795521600",
                "constellation.discovery.poll-millis", "1000", "constellation.peers.allow-private", "true", "constellation.peers.max", "20000"))) {
            PeerRegistry peers = app.bean("peerRegistry", PeerRegistry.class);
            AuthorRegistry authors = app.bean("authorRegistry", AuthorRegistry.class);
            Discovery discovery = app.bean("discovery", Discovery.class);
            // the startup scan fills the registries before the routes start
            long loadMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(10_000, peers.allPeers().size());
            assertEquals(100_000, authors.size());
            System.out.printf("BENCH application started with 10,000 peers and 100,000 authors loaded: %d ms%n", loadMs);
            Thread.sleep(4000); // the file routes' first polls: they must recognise every file as already read
            System.out.printf("BENCH files re-read by the routes' first polls: %d descriptors, %d key files%n",
                    discovery.descriptorReads(), discovery.keyFileReads());
            assertEquals(0, discovery.descriptorReads() + discovery.keyFileReads(), "the routes' first poll re-read files the scan had read");
            long d0 = discovery.descriptorReads();
            long k0 = discovery.keyFileReads();
            Path one = peers.allPeers().get(1234).id() == null ? null : home.resolve("tmp/swarm/" + peers.allPeers().get(1234).id() + "/amisOfAmis.txt");
            String extra = "ef".repeat(32);
            long t0 = System.nanoTime();
            Files.writeString(one, Files.readString(one) + extra + "\n");
            await("one changed file", 10_000, () -> authors.isMonitored(extra));
            long changeMs = (System.nanoTime() - t0) / 1_000_000;
            Thread.sleep(2500);
            System.out.printf("BENCH one changed key file reflected in %d ms; files read since: %d descriptors, %d key files%n",
                    changeMs, discovery.descriptorReads() - d0, discovery.keyFileReads() - k0);
            assertEquals(0, discovery.descriptorReads() - d0, "no descriptor re-read");
            assertEquals(1, discovery.keyFileReads() - k0, "only the changed file re-read");
        }
    }

    private static String key(Random rnd) {
        byte[] b = new byte[32];
        rnd.nextBytes(b);
        return Hex.encode(b);
    }
}
