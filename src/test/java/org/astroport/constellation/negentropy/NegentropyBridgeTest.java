package org.astroport.constellation.negentropy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import org.astroport.constellation.nostr.Hex;
import org.junit.jupiter.api.Test;

/**
 * Two sets reconciled through their servers (as two relays would be): what each lacks must be exactly
 * the set difference, whatever the sizes, the overlap, the frame limits on each side.
 */
class NegentropyBridgeTest {

    record Item(long createdAt, byte[] id) {
        String hex() {
            return Hex.encode(id);
        }
    }

    static List<Item> pool(int n, int timestampSpread, long seed) {
        Random rnd = new Random(seed);
        List<Item> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Item(1_763_800_000L + (timestampSpread == 0 ? 0 : rnd.nextInt(timestampSpread)), Hex.decode(NegentropyConformanceTest.randomId(rnd))));
        }
        return out;
    }

    static NegentropyItems items(List<Item> items) {
        NegentropyItems.Builder b = NegentropyItems.builder();
        items.forEach(i -> b.add(i.createdAt(), i.id()));
        return b.seal();
    }

    static Set<String> minus(List<Item> a, List<Item> b) {
        Set<String> out = new TreeSet<>();
        a.forEach(i -> out.add(i.hex()));
        b.forEach(i -> out.remove(i.hex()));
        return out;
    }

    /** Runs the bridge between two in-memory servers, both opened with the bridge's opening, and checks both differences. */
    static NegentropyBridge.Result bridge(List<Item> local, List<Item> remote, int localLimit, int remoteLimit, int bridgeLimit) throws Exception {
        NegentropyBridge.Result needOnly = bridge(local, remote, localLimit, remoteLimit, bridgeLimit, false);
        NegentropyBridge.Result r = bridge(local, remote, localLimit, remoteLimit, bridgeLimit, true);
        assertTrue(needOnly.localMessages() <= r.localMessages(), "not looking for what only we have never costs more");
        return r;
    }

    static NegentropyBridge.Result bridge(List<Item> local, List<Item> remote, int localLimit, int remoteLimit, int bridgeLimit, boolean wantHave)
            throws Exception {
        Negentropy localServer = new Negentropy(items(local), localLimit);
        Negentropy remoteServer = new Negentropy(items(remote), remoteLimit);
        localServer.respond(NegentropyBridge.opening());
        byte[] first = remoteServer.respond(NegentropyBridge.opening());
        int[] biggest = {0};
        NegentropyBridge.Result r = new NegentropyBridge(bridgeLimit, wantHave).reconcile(first, NegentropyBridge.Server.answering(m -> {
            biggest[0] = Math.max(biggest[0], m.length);
            return localServer.respond(m);
        }), NegentropyBridge.Server.answering(m -> {
            biggest[0] = Math.max(biggest[0], m.length);
            return remoteServer.respond(m);
        }));
        assertEquals(minus(remote, local), new TreeSet<>(r.need()), "need: what only the remote side has");
        assertEquals(wantHave ? minus(local, remote) : Set.of(), new TreeSet<>(r.have()), "have: what only the local side has, when wanted");
        assertEquals(r.need().size(), new HashSet<>(r.need()).size(), "each id needed once");
        assertEquals(r.have().size(), new HashSet<>(r.have()).size(), "each id had once");
        assertTrue(biggest[0] <= bridgeLimit, "every message we send fits the frame limit: " + biggest[0]);
        return r;
    }

    /** A held list is passed on as its fingerprint: the same as the set's, whatever the timestamps and order. */
    @Test
    void anIdListsFingerprintIsItsSets() {
        for (int n : new int[] {0, 1, 31, 500}) {
            List<Item> some = pool(n, 100_000, 20 + n);
            byte[] ids = new byte[n * 32];
            for (int i = 0; i < n; i++) {
                System.arraycopy(some.get(n - 1 - i).id(), 0, ids, i * 32, 32); // not in the set's order
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(items(some).fingerprint(0, n), NegentropyItems.fingerprintOf(ids), n + " ids");
        }
    }

    @Test
    void onePercentMissingLocallyIsFoundInAFewMessages() throws Exception {
        List<Item> all = pool(20_000, 3_000_000, 1);
        NegentropyBridge.Result r = bridge(all.subList(0, 19_800), all, 500_000, 500_000, 30_000);
        assertEquals(200, r.need().size());
        // as a client holding the local set would: 4 messages to the remote (the opening included) for a strfry relay
        assertTrue(r.remoteMessages() <= 4, "messages to the remote: " + r.remoteMessages());
    }

    @Test
    void anEmptySideLacksAllOfTheOther() throws Exception {
        List<Item> all = pool(20_000, 3_000_000, 2);
        NegentropyBridge.Result down = bridge(List.of(), all, 500_000, 500_000, 30_000);
        assertEquals(20_000, down.need().size());
        assertTrue(down.remoteMessages() <= 4, "an empty side asks for the remote's ids, it does not split down to them: " + down.remoteMessages());
        assertEquals(5_000, bridge(all.subList(0, 5_000), List.of(), 500_000, 500_000, 30_000).have().size());
        // both servers cut their answers short at 4 KB: many answers, each cut, and still the whole difference
        bridge(List.of(), all.subList(0, 3_000), 4096, 4096, 4096);
        bridge(all.subList(0, 3_000), List.of(), 4096, 4096, 4096);
    }

    /** A station's relay holds far more than one peer: what only it has is not passed to us unless we send it up. */
    @Test
    void whatOnlyWeHoldIsNotAskedForUnlessWanted() throws Exception {
        List<Item> all = pool(40_000, 3_000_000, 9);
        List<Item> remote = new ArrayList<>();
        for (int i = 0; i < all.size(); i += 20) {
            remote.add(all.get(i));
        }
        NegentropyBridge.Result needOnly = bridge(all, remote, 30_000, 30_000, 30_000, false);
        NegentropyBridge.Result both = bridge(all, remote, 30_000, 30_000, 30_000, true);
        assertEquals(38_000, both.have().size());
        assertTrue(needOnly.localMessages() * 2 < both.localMessages(), "our relay's 38,000 ids (1.2 MB) are not passed to us: "
                + needOnly.localMessages() + " messages to it against " + both.localMessages());
    }

    @Test
    void equalOrEmptySetsHaveNothingToSay() throws Exception {
        List<Item> all = pool(5_000, 100_000, 3);
        NegentropyBridge.Result same = bridge(all, new ArrayList<>(all), 500_000, 500_000, 30_000);
        assertEquals(2, same.localMessages(), "the opening, then the remote's split, which matches: nothing passed on");
        assertEquals(1, same.remoteMessages(), "the opening only");
        bridge(List.of(), List.of(), 500_000, 500_000, 30_000);
    }

    @Test
    void overlappingSetsWithSharedTimestampsAndSmallFrames() throws Exception {
        Random rnd = new Random(4);
        for (int trial = 0; trial < 60; trial++) {
            int spread = new int[] {0, 1, 3, 50, 100_000}[trial % 5];
            List<Item> all = pool(rnd.nextInt(4_000), spread, 100 + trial);
            List<Item> local = new ArrayList<>();
            List<Item> remote = new ArrayList<>();
            double pLocal = rnd.nextDouble();
            double pRemote = rnd.nextDouble();
            for (Item i : all) {
                if (rnd.nextDouble() < pLocal) {
                    local.add(i);
                }
                if (rnd.nextDouble() < pRemote) {
                    remote.add(i);
                }
            }
            int[] limits = {4096, 6000, 30_000, 500_000, 0};
            bridge(local, remote, limits[rnd.nextInt(limits.length)], limits[rnd.nextInt(limits.length)], limits[rnd.nextInt(limits.length - 1)]);
        }
    }

    /** A message: [timestamp, mode, payload] triples (timestamps absolute, no id prefixes; payload: fingerprint or ids). */
    static byte[] message(Object[]... ranges) {
        java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
        o.write(Negentropy.PROTOCOL_VERSION);
        long last = 0;
        for (Object[] r : ranges) {
            long t = (Long) r[0];
            Varint.write(o, t == Negentropy.INFINITY ? 0 : t - last + 1);
            last = t;
            Varint.write(o, 0);
            Varint.write(o, (Integer) r[1]);
            byte[] payload = (byte[]) r[2];
            if ((Integer) r[1] == Negentropy.MODE_ID_LIST) {
                Varint.write(o, payload.length / 32);
            }
            o.writeBytes(payload);
        }
        return o.toByteArray();
    }

    /**
     * An id list is compared with the one held for exactly its range. Here the remote agrees below 150 (a skip)
     * and lists its ids from 150 on: the local id below 150 is not "had", as a compare of the two lists would say.
     */
    @Test
    void anIdListIsComparedOnlyWithTheOneHeldForTheSameRange() throws Exception {
        List<Item> local = List.of(new Item(100, Hex.decode("aa".repeat(32))), new Item(200, Hex.decode("bb".repeat(32))),
                new Item(300, Hex.decode("cc".repeat(32))));
        Negentropy localServer = new Negentropy(items(local), 30_000);
        localServer.respond(NegentropyBridge.opening());
        byte[] bc = new byte[64];
        System.arraycopy(local.get(1).id(), 0, bc, 0, 32);
        System.arraycopy(local.get(2).id(), 0, bc, 32, 32);
        List<byte[]> answers = new ArrayList<>(List.of(
                message(new Object[] {150L, Negentropy.MODE_SKIP, new byte[0]}, new Object[] {Negentropy.INFINITY, Negentropy.MODE_ID_LIST, bc})));
        NegentropyBridge.Server<RuntimeException> remote = NegentropyBridge.Server.answering(m -> answers.isEmpty() ? new byte[] {Negentropy.PROTOCOL_VERSION} : answers.remove(0));
        // the remote opens with a fingerprint that differs: the local side answers with its three ids, held here
        byte[] opening = message(new Object[] {Negentropy.INFINITY, Negentropy.MODE_FINGERPRINT, new byte[16]});
        NegentropyBridge.Result r = new NegentropyBridge(30_000, true).reconcile(opening, NegentropyBridge.Server.answering(localServer::respond), remote);
        assertEquals(List.of(), r.have(), "aa is below 150, where the remote said it agrees");
        assertEquals(List.of(), r.need());
    }

    /**
     * A server side in this process that counts the messages sent and not yet answered, and the answers cut short at
     * its frame limit: those that differ from what the same server without a limit answers.
     */
    static final class Watched implements NegentropyBridge.Server<RuntimeException> {
        private final Negentropy server;
        private final Negentropy unlimited;
        private final ArrayDeque<byte[]> sentNotRead = new ArrayDeque<>();
        int mostInFlight;
        int cut;

        Watched(List<Item> items, int frameSizeLimit) {
            this.server = new Negentropy(items(items), frameSizeLimit);
            this.unlimited = new Negentropy(items(items), 0);
        }

        @Override
        public void send(byte[] message) {
            sentNotRead.add(message);
            mostInFlight = Math.max(mostInFlight, sentNotRead.size());
        }

        @Override
        public byte[] next() throws NegentropyException {
            byte[] message = sentNotRead.remove();
            byte[] answer = server.respond(message);
            if (!Arrays.equals(answer, unlimited.respond(message))) {
                cut++;
            }
            return answer;
        }
    }

    /**
     * 100,000 items, 1 % missing on our side, servers with strfry's 500,000-byte limit for a NIP-77 answer: the split
     * into ~24-item ranges (1,392 of them fit one 30,000-byte message) goes out in messages the servers answer whole, several
     * sent before the first answer is read, at most {@link NegentropyBridge#IN_FLIGHT}.
     */
    @Test
    void messagesAreSentAheadOfTheirAnswersAndSmallEnoughToBeAnsweredWhole() throws Exception {
        List<Item> remote = pool(100_000, 3_000_000, 11);
        List<Item> local = new ArrayList<>(remote);
        Collections.shuffle(local, new Random(12));
        List<Item> missing = new ArrayList<>(local.subList(0, 1_000));
        local = local.subList(1_000, local.size());
        Watched localServer = new Watched(local, 500_000);
        Watched remoteServer = new Watched(remote, 500_000);
        localServer.server.respond(NegentropyBridge.opening());
        NegentropyBridge.Result r = new NegentropyBridge(30_000, false).reconcile(remoteServer.server.respond(NegentropyBridge.opening()),
                localServer, remoteServer);
        assertEquals(minus(missing, List.of()), new TreeSet<>(r.need()));
        assertEquals(0, localServer.cut + remoteServer.cut, "no answer was cut short at the server's frame limit");
        assertTrue(localServer.mostInFlight > 1 && remoteServer.mostInFlight > 1,
                "messages sent before the first answer is read: " + localServer.mostInFlight + ", " + remoteServer.mostInFlight);
        assertTrue(Math.max(localServer.mostInFlight, remoteServer.mostInFlight) <= NegentropyBridge.IN_FLIGHT);
    }

    /**
     * Our messages cut at 4,096 bytes (several for one side's answer, sent at once), the servers' answers at 16,384: answers
     * are cut, some while messages sent after them are in flight, whose answers are read and dropped; the result stays exact.
     */
    @Test
    void answersToMessagesSentAfterOneThatWasCutAreDropped() throws Exception {
        List<Item> remote = pool(20_000, 1_000_000, 13);
        List<Item> local = new ArrayList<>(remote.subList(0, 19_000));
        local.addAll(pool(500, 1_000_000, 14));
        Watched localServer = new Watched(local, 16_384);
        Watched remoteServer = new Watched(remote, 16_384);
        localServer.server.respond(NegentropyBridge.opening());
        NegentropyBridge.Result r = new NegentropyBridge(4096, true).reconcile(remoteServer.server.respond(NegentropyBridge.opening()),
                localServer, remoteServer);
        assertEquals(minus(remote, local), new TreeSet<>(r.need()));
        assertEquals(minus(local, remote), new TreeSet<>(r.have()));
        assertTrue(localServer.cut > 0 && remoteServer.cut > 0, "answers were cut");
        assertTrue(remoteServer.mostInFlight > 1 && localServer.mostInFlight > 1, "with messages in flight after them");
    }

    @Test
    void aRelayThatNeverStopsSplittingIsLeft() throws Exception {
        Negentropy localServer = new Negentropy(items(pool(2_000, 1000, 5)), 30_000);
        Random rnd = new Random(6);
        // answers anything with the whole range under a fingerprint that matches nothing
        NegentropyBridge.Answerer<RuntimeException> endless = m -> {
            byte[] o = NegentropyBridge.opening();
            for (int i = o.length - NegentropyItems.FINGERPRINT_SIZE; i < o.length; i++) {
                o[i] = (byte) rnd.nextInt();
            }
            return o;
        };
        NegentropyException e = assertThrows(NegentropyException.class, () -> new NegentropyBridge(30_000, true)
                .reconcile(endless.answer(null), NegentropyBridge.Server.answering(localServer::respond), NegentropyBridge.Server.answering(endless)));
        assertTrue(e.getMessage().contains("no end"), e.getMessage());
    }

    @Test
    void aDamagedAnswerIsRefusedCleanly() throws Exception {
        List<Item> all = pool(3_000, 100_000, 7);
        Negentropy remoteServer = new Negentropy(items(all), 500_000);
        byte[] first = remoteServer.respond(NegentropyBridge.opening());
        Random rnd = new Random(8);
        int refused = 0;
        for (int i = 0; i < 500; i++) {
            byte[] bad = first.clone();
            bad[1 + rnd.nextInt(bad.length - 1)] ^= (byte) (1 + rnd.nextInt(255));
            Negentropy localServer = new Negentropy(items(all.subList(0, 2_000)), 30_000);
            try {
                new NegentropyBridge(30_000, true).reconcile(bad, NegentropyBridge.Server.answering(localServer::respond), NegentropyBridge.Server.answering(remoteServer::respond));
            } catch (NegentropyException expected) {
                refused++;
            }
        }
        // most damage lands in a fingerprint, which only makes a range differ; the rest must be refused, not thrown as anything else
        assertTrue(refused > 20, "damaged answers are refused as NegentropyException: " + refused);
    }
}
