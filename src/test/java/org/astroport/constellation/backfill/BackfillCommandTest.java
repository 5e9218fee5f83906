package org.astroport.constellation.backfill;

import static org.astroport.constellation.testsupport.Fixtures.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import org.astroport.constellation.app.CommandLine;
import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.RunningApp;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `constellation-sync backfill ...` as _12345.sh and operators run it. */
class BackfillCommandTest {

    record Run(int status, String out, String err) {
    }

    static Run cli(Path home, Path config, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("--home", home.toString(), "--node-id", Fixtures.LOCAL_NODE_ID));
        if (config != null) {
            all.addAll(List.of("--config", config.toString()));
        }
        all.addAll(List.of(args));
        int status = CommandLine.run(all.toArray(String[]::new), Map.<String, String>of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Path config(Path tmp, TestRelay local, Map<String, String> extra) throws Exception {
        return config(tmp, local.url(), extra);
    }

    static Path config(Path tmp, String localRelayUrl, Map<String, String> extra) throws Exception {
        Map<String, String> p = new HashMap<>();
        p.put("constellation.reference-time", String.valueOf(Fixtures.REFERENCE_TIME));
        p.put("constellation.ipfs.bin", tmp.resolve("no-ipfs").toString());
        p.put("constellation.sink.mode", "relay");
        p.put("constellation.local-relay-url", localRelayUrl);
        p.put("constellation.spool.dir", tmp.resolve("spool").toString());
        p.put("constellation.backfill.retries", "1");
        p.put("constellation.backfill.retry-backoff-millis", "100");
        p.put("constellation.backfill.timeout-millis", "5000");
        // the test relays listen on 127.0.0.x, which peers' descriptors may not name by default
        p.put("constellation.peers.allow-private", "true");
        p.putAll(extra);
        StringBuilder sb = new StringBuilder();
        p.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
        Path f = tmp.resolve("test.properties");
        Files.writeString(f, sb);
        return f;
    }

    static List<String> notes(String author, int n, long newest) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(EventSigner.sign(Fixtures.secretOf(author), newest - i, 1, List.of(), author + " backfill " + i).toJson());
        }
        return out;
    }


    @Test
    void pagesPastTheRelayCapAndMarksADeadPeerDead(@TempDir Path tmp) throws Exception {
        int deadPort = RunningApp.freePort();
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").maxLimit(500).start();
             TestRelay local = new TestRelay().start()) {
            // more than 500 matching events in one filter, all inside the one-day window
            List<String> events = notes("member-1", 1300, Fixtures.REFERENCE_TIME - 10);
            events.addAll(notes("member-2", 20, Fixtures.REFERENCE_TIME - 20));
            events.add(EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 2 * 86_400, 1, List.of(), "outside the window").toJson());
            events.forEach(peerA::storeOnly);
            Path home = ZenHome.withPeers(tmp, peerA.url(), "ws://127.0.0.3:" + deadPort); // nothing listens there
            // REQ paging (what peers without NIP-77 get); negentropy has its own test
            Run r = cli(home, config(tmp, local, Map.of("constellation.backfill.negentropy", "false")), "backfill", "--no-profiles");
            assertEquals(0, r.status(), r.out() + r.err());
            assertTrue(peerA.negentropyOpens() == 0 && peerA.reqs().stream().noneMatch(q -> q.contains("\"ids\"")), "paging only");
            Set<String> want = ids(events.subList(0, 1320));
            assertTrue(new TreeSet<>(local.storedIds()).containsAll(want), "all 1,320 despite the 500 cap: got " + local.storedCount());
            assertFalse(local.storedIds().contains(Fixtures.JSON.readTree(events.get(1320)).get("id").asText()), "window respected");
            assertTrue(peerA.reqs().size() >= 3, "paged with until: " + peerA.reqs().size());
            assertTrue(r.out().contains("SYNC_STATS: events=1320 "), r.out());
            assertTrue(r.out().contains(" text=1320 "), r.out());
            // peers: a ok; b down (dead); c behind NAT without ipfs (dead)
            assertTrue(r.out().contains("SYNC_PEERS: success=1 total=3"), r.out());
            assertTrue(r.out().contains("SYNC_DEAD: station-b.example.test"), r.out());
            assertTrue(r.out().contains("SYNC_PROFILES: skipped"), r.out());
            assertTrue(r.out().contains("[backfill] peers 2/2 done"), r.out());
        }
    }

    @Test
    void allPeersDownIsANonZeroExitWithTheReason(@TempDir Path tmp) throws Exception {
        try (TestRelay local = new TestRelay().start()) {
            Path home = ZenHome.withPeers(tmp, "ws://127.0.0.2:" + RunningApp.freePort(), "ws://127.0.0.3:" + RunningApp.freePort());
            Run r = cli(home, config(tmp, local, Map.of()), "backfill");
            assertEquals(1, r.status());
            assertTrue(r.err().contains("no peer could be backfilled"), r.err());
            assertTrue(r.out().contains("SYNC_PEERS: success=0 total=3"), r.out());
        }
    }

    @Test
    void profilesOfAuthorsWithoutOneAreFetchedWithFullHistory(@TempDir Path tmp) throws Exception {
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").start();
             TestRelay local = new TestRelay().start()) {
            // old profiles (outside any window) for every fixture author that has one
            for (String line : Fixtures.validLines()) {
                JsonNode e = Fixtures.JSON.readTree(line);
                if (e.get("kind").asInt() == 0) {
                    peerA.storeOnly(line);
                }
            }
            Path home = ZenHome.withPeers(tmp, peerA.url(), peerA.url());
            // a one-day window ending long after the fixture's events: only the profile pass can find them
            Run r = cli(home, config(tmp, local, Map.of("constellation.reference-time", String.valueOf(Fixtures.REFERENCE_TIME + 30 * 86_400),
                    "constellation.discovery.stale-days", "60")), "backfill");
            assertEquals(0, r.status(), r.out() + r.err());
            long monitoredWithProfile = Fixtures.validLines().stream().map(l -> {
                try {
                    return Fixtures.JSON.readTree(l);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).filter(e -> e.get("kind").asInt() == 0).map(e -> e.get("pubkey").asText()).distinct()
                    .filter(pk -> {
                        for (JsonNode a : Fixtures.expected().get("authors")) {
                            if (a.get("pubkey").asText().equals(pk)) {
                                return true;
                            }
                        }
                        return false;
                    }).count();
            int authors = Fixtures.expected().get("authorCount").asInt();
            assertTrue(r.out().contains("SYNC_PROFILES: found=" + monitoredWithProfile + " missing=" + (authors - monitoredWithProfile)), r.out());
        }
    }

    @Test
    void aSecondStartIsRefusedWhileOneRuns(@TempDir Path tmp) throws Exception {
        try (TestRelay local = new TestRelay().start()) {
            Path home = ZenHome.copyTo(tmp.resolve("zen"));
            try (BackfillLock held = BackfillLock.tryAcquire(home.resolve("strfry/constellation-backfill.lock"), new StringBuilder()).orElseThrow()) {
                Run r = cli(home, config(tmp, local, Map.of()), "backfill");
                assertEquals(3, r.status());
                assertTrue(r.err().contains("already running"), r.err());
                assertTrue(r.out().contains("SYNC_REFUSED"), r.out());
            }
        }
    }

    @Test
    void dryRunContactsNothing(@TempDir Path tmp) throws Exception {
        Path ipfsLog = tmp.resolve("ipfs.log");
        Path ipfs = ZenHome.fakeIpfs(tmp, ipfsLog);
        try (TestRelay peerA = new TestRelay().host("127.0.0.2").start();
             TestRelay peerB = new TestRelay().host("127.0.0.3").start();
             TestRelay local = new TestRelay().start()) {
            Path home = ZenHome.withPeers(tmp, peerA.url(), peerB.url());
            Run r = cli(home, config(tmp, local, Map.of("constellation.ipfs.bin", ipfs.toString())), "backfill", "--DRYRUN", "--days", "2");
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().contains(peerA.url()) && r.out().contains(peerB.url()), r.out());
            assertTrue(r.out().contains("12D3KooWL36RQH6xmuDSwtyH7o7Bbji6oSYXdrZ3UJPMyU9fEMC5 tunnel"), r.out());
            assertTrue(r.out().contains("window since " + (Fixtures.REFERENCE_TIME - 2 * 86_400)), r.out());
            assertTrue(r.out().contains("32 monitored authors"), r.out());
            Thread.sleep(300);
            assertEquals(0, peerA.connectionsAccepted() + peerB.connectionsAccepted() + local.connectionsAccepted(), "no connection made");
            assertFalse(Files.exists(ipfsLog), "no tunnel opened");
        }
    }

    @Test
    void statsAndShowHexPrintTheExpectedCounts(@TempDir Path tmp) throws Exception {
        Path home = ZenHome.copyTo(tmp.resolve("zen"));
        JsonNode expected = Fixtures.expected();
        Run hex = cli(home, null, "backfill", "--show-hex");
        assertEquals(0, hex.status());
        assertTrue(hex.out().contains("Found " + expected.get("authorCount").asInt() + " HEX pubkeys:"), hex.out());
        for (JsonNode a : expected.get("authors")) {
            String k = a.get("pubkey").asText();
            assertTrue(hex.out().contains("  - " + k.substring(0, 8) + "..." + k.substring(56)), k);
        }
        for (JsonNode a : expected.get("notAuthors")) {
            String k = a.get("pubkey").asText();
            assertFalse(hex.out().contains(k.substring(0, 8) + "..." + k.substring(56)), k);
        }
        Run stats = cli(home, null, "stats");
        assertEquals(0, stats.status());
        Map<String, Integer> bySource = new HashMap<>();
        for (JsonNode a : expected.get("authors")) {
            Set<String> kinds = new TreeSet<>();
            a.get("sources").forEach(s -> {
                String src = s.asText();
                kinds.add(src.startsWith("game/nostr/") ? "MULTIPASS locaux" : src.equals("strfry/amisOfAmis.txt") ? "amisOfAmis.txt"
                        : src.endsWith("amisOfAmis.txt") ? "amisOfAmis (swarm)" : src.contains("12345.json") ? "captainHEX+NODEHEX" : "Geokeys (flashmem)");
            });
            kinds.forEach(k -> bySource.merge(k, 1, Integer::sum));
        }
        bySource.forEach((label, n) -> assertTrue(stats.out().matches("(?s).*" + java.util.regex.Pattern.quote(label) + "\\s*: " + n + "\\b.*"),
                label + " " + n + "\n" + stats.out()));
        assertTrue(stats.out().contains("Total HEX surveillés : " + expected.get("authorCount").asInt()), stats.out());
        assertTrue(stats.out().contains("Blacklisted          : " + expected.get("blacklist").get("blocked").size()), stats.out());
        int invalid = 0;
        for (var it = expected.get("skippedKeyLines").elements(); it.hasNext(); ) {
            invalid += it.next().size();
        }
        assertTrue(stats.out().contains("Invalid lines        : " + invalid), stats.out());
    }

    /** systemd User=, sudo -u, containers: $HOME decides where ~/.zen is, as in the station's scripts. */
    @Test
    void showHexFollowsHomeFromTheEnvironment(@TempDir Path tmp) throws Exception {
        ZenHome.copyTo(tmp.resolve("operator/.zen"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = CommandLine.run(new String[] {"--node-id", Fixtures.LOCAL_NODE_ID, "show-hex"}, Map.of("HOME", tmp.resolve("operator").toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(0, status);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("Found " + Fixtures.expected().get("authorCount").asInt() + " HEX pubkeys:"),
                out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void badFlagsAndHelp(@TempDir Path tmp) throws Exception {
        Path home = ZenHome.copyTo(tmp.resolve("zen"));
        Run help = cli(home, null, "backfill", "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("--DRYRUN") && help.out().contains("--no-profiles"));
        Run bad = cli(home, null, "backfill", "--frobnicate");
        assertEquals(1, bad.status());
        assertTrue(bad.err().contains("Unknown option: --frobnicate"));
    }
}
