package org.astroport.constellation.negentropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import org.astroport.constellation.nostr.Hex;
import org.astroport.constellation.testsupport.NostrToolsNegentropy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Our client's messages are byte-identical, round after round, with nostr-tools' NIP-77 client on the
 * same random sets, against our server; and both end with exactly the true set differences.
 */
class NegentropyConformanceTest {

    static NostrToolsNegentropy js;

    @BeforeAll
    static void startNode() throws Exception {
        js = NostrToolsNegentropy.start();
    }

    @AfterAll
    static void stopNode() {
        if (js != null) {
            js.close();
        }
    }

    /** clientOnly, shared, serverOnly sizes, frame size limit, timestamp spread (small = many equal timestamps). */
    record Case(int clientOnly, int shared, int serverOnly, int frameLimit, int spread, long seed) {
    }

    @Test
    void messagesAreByteIdenticalWithNostrTools() throws Exception {
        List<Case> cases = List.of(
                new Case(0, 0, 0, 60_000, 1000, 1),
                new Case(5, 0, 0, 60_000, 1000, 2),
                new Case(0, 0, 7, 60_000, 1000, 3),
                new Case(20, 2000, 20, 60_000, 100_000, 4),        // 1 % each side
                new Case(1000, 1000, 1000, 60_000, 3000, 5),       // a third each
                new Case(3000, 0, 3000, 60_000, 50_000, 6),        // no overlap
                new Case(0, 5000, 0, 60_000, 100, 7),              // full overlap, many equal timestamps
                new Case(2500, 5000, 2500, 4096, 20_000, 8),       // frame limit on: several rounds of partial ranges
                new Case(6000, 100, 6000, 4096, 10, 9),            // equal timestamps and the smallest frames
                new Case(5000, 10_000, 50, 10_000_000, 1_000_000, 10)); // frame limit off
        for (Case c : cases) {
            run(c);
        }
    }

    private void run(Case c) throws Exception {
        Random rnd = new Random(c.seed);
        Map<String, Long> clientItems = new LinkedHashMap<>();
        Map<String, Long> serverItems = new LinkedHashMap<>();
        long base = 1_763_800_000L;
        for (int i = 0; i < c.shared; i++) {
            String id = randomId(rnd);
            long ts = base + rnd.nextInt(c.spread);
            clientItems.put(id, ts);
            serverItems.put(id, ts);
        }
        for (int i = 0; i < c.clientOnly; i++) {
            clientItems.put(randomId(rnd), base + rnd.nextInt(c.spread));
        }
        for (int i = 0; i < c.serverOnly; i++) {
            serverItems.put(randomId(rnd), base + rnd.nextInt(c.spread));
        }
        Negentropy client = new Negentropy(seal(clientItems), c.frameLimit);
        Negentropy server = new Negentropy(seal(serverItems), c.frameLimit);
        js.call("reset," + c.frameLimit);
        List<String> lines = new ArrayList<>();
        clientItems.forEach((id, ts) -> lines.add("item," + ts + "," + id));
        js.load(lines);
        js.call("seal");

        byte[] ours = client.initiate();
        List<String> theirs = js.call("initiate");
        assertEquals(List.of("msg," + Hex.encode(ours)), theirs, c + ": initiate");
        Set<String> have = new TreeSet<>();
        Set<String> need = new TreeSet<>();
        int rounds = 0;
        while (ours != null) {
            assertTrue(ours.length <= c.frameLimit, c + ": a message of " + ours.length + " bytes");
            rounds++;
            assertTrue(rounds < 200, c + ": does not converge");
            byte[] reply = server.respond(ours);
            List<String> h = new ArrayList<>();
            List<String> n = new ArrayList<>();
            ours = client.reconcile(reply, h, n);
            List<String> js1 = js.call("reply," + Hex.encode(reply));
            Set<String> jsHave = new HashSet<>();
            Set<String> jsNeed = new HashSet<>();
            String jsNext = null;
            for (String l : js1) {
                if (l.startsWith("have,")) {
                    jsHave.add(l.substring(5));
                } else if (l.startsWith("need,")) {
                    jsNeed.add(l.substring(5));
                } else if (l.startsWith("msg,")) {
                    jsNext = l.substring(4);
                } else if (!l.equals("done")) {
                    throw new AssertionError(c + ": nostr-tools says " + l);
                }
            }
            assertEquals(jsHave, new HashSet<>(h), c + ": have, round " + rounds);
            assertEquals(jsNeed, new HashSet<>(n), c + ": need, round " + rounds);
            if (ours == null) {
                assertNull(jsNext, c + ": nostr-tools goes on after we stopped, round " + rounds);
            } else {
                assertEquals(jsNext, Hex.encode(ours), c + ": message of round " + rounds);
            }
            have.addAll(h);
            need.addAll(n);
        }
        Set<String> trueHave = new TreeSet<>(clientItems.keySet());
        trueHave.removeAll(serverItems.keySet());
        Set<String> trueNeed = new TreeSet<>(serverItems.keySet());
        trueNeed.removeAll(clientItems.keySet());
        assertEquals(trueHave, have, c + ": have");
        assertEquals(trueNeed, need, c + ": need");
        if (c.frameLimit == 4096 && c.clientOnly + c.serverOnly > 1000) {
            assertTrue(rounds > 2, c + ": small frames need several rounds, took " + rounds);
        }
    }

    static NegentropyItems seal(Map<String, Long> items) {
        NegentropyItems.Builder b = NegentropyItems.builder();
        items.forEach((id, ts) -> b.add(ts, id));
        return b.seal();
    }

    static String randomId(Random rnd) {
        byte[] b = new byte[32];
        rnd.nextBytes(b);
        return Hex.encode(b);
    }
}
