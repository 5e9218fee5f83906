package org.astroport.constellation.negentropy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** Version negotiation and hostile input: errors are values the caller can act on, never crashes. */
class NegentropyProtocolTest {

    static NegentropyItems items(int n, long seed) {
        Random rnd = new Random(seed);
        NegentropyItems.Builder b = NegentropyItems.builder();
        for (int i = 0; i < n; i++) {
            b.add(1_763_800_000L + rnd.nextInt(1000), NegentropyConformanceTest.randomId(rnd));
        }
        return b.seal();
    }

    @Test
    void aServerAnswersAnUnknownVersionWithTheVersionItSpeaks() throws Exception {
        Negentropy server = new Negentropy(items(100, 1), 0);
        assertArrayEquals(new byte[] {0x61}, server.respond(new byte[] {0x62, 0x00, 0x00}));
    }

    @Test
    void aClientOfferedAnotherVersionSaysWhich() {
        Negentropy client = new Negentropy(items(100, 2), 0);
        client.initiate();
        NegentropyException e = assertThrows(NegentropyException.class, () -> client.reconcile(new byte[] {0x62}, new ArrayList<>(), new ArrayList<>()));
        assertEquals(0x62, e.offeredVersion());
        assertThrows(NegentropyException.class, () -> client.reconcile(new byte[] {0x10}, new ArrayList<>(), new ArrayList<>()));
        assertThrows(NegentropyException.class, () -> client.reconcile(new byte[0], new ArrayList<>(), new ArrayList<>()));
    }

    @Test
    void truncatedOrCorruptedMessagesAreRefusedCleanly() throws Exception {
        Negentropy client = new Negentropy(items(500, 3), 0);
        Negentropy server = new Negentropy(items(500, 4), 0);
        byte[] first = client.initiate();
        byte[] reply = server.respond(first);
        Random rnd = new Random(5);
        int refused = 0;
        for (int i = 0; i < 2000; i++) {
            byte[] bad = i % 2 == 0 ? Arrays.copyOf(reply, 1 + rnd.nextInt(reply.length - 1)) : reply.clone();
            if (i % 2 == 1) {
                bad[1 + rnd.nextInt(bad.length - 1)] ^= (byte) (1 + rnd.nextInt(255));
            }
            try {
                new Negentropy(items(500, 3), 0).reconcile(bad, new ArrayList<>(), new ArrayList<>());
                new Negentropy(items(500, 4), 0).respond(bad);
            } catch (NegentropyException expected) {
                refused++;
            }
        }
        assertTrue(refused > 500, "most damaged messages are refused, as NegentropyException: " + refused);
    }

    @Test
    void identicalSetsAgreeInOneRound() throws Exception {
        Negentropy client = new Negentropy(items(5000, 6), 60_000);
        Negentropy server = new Negentropy(items(5000, 6), 60_000);
        List<String> have = new ArrayList<>();
        List<String> need = new ArrayList<>();
        byte[] reply = server.respond(client.initiate());
        assertArrayEquals(new byte[] {0x61}, reply, "every range matched: nothing to say");
        assertEquals(null, client.reconcile(reply, have, need));
        assertTrue(have.isEmpty() && need.isEmpty());
    }
}
