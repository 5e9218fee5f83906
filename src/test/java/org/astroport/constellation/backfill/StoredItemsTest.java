package org.astroport.constellation.backfill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.astroport.constellation.negentropy.NegentropyItems;
import org.junit.jupiter.api.Test;

/** The listing's fast path reads (created_at, id) as the full parse does, whatever the key order and the values. */
class StoredItemsTest {

    private static final String ID_A = "f232a3ffd715eab4c02f8f3c8d6f3561c331352f299ac1ca58733e17995aa206";
    private static final String ID_B = "0000000000000000000000000000000000000000000000000000000000000abc";
    private static final String ID_C = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff01";
    private static final String PK = "11ad8455e37e9c3b64075d0ccd6669e52d0ca33cdd1decc1f21758032a17fada";
    private static final String SIG = "b2".repeat(64);

    // strfry's order (keys sorted), NIP-01's order (id first), and values that spell the keys
    private static final List<String> EVENTS = List.of(
            "{\"content\":\"a note\",\"created_at\":1763899999,\"id\":\"" + ID_A + "\",\"kind\":1,\"pubkey\":\"" + PK + "\",\"sig\":\"" + SIG
                    + "\",\"tags\":[[\"t\",\"bench\"]]}",
            "{\"id\":\"" + ID_B + "\",\"pubkey\":\"" + PK + "\",\"created_at\":1700000000,\"kind\":1,\"tags\":[],\"content\":\"x\",\"sig\":\"" + SIG + "\"}",
            "{\"content\":\"quoted \\\"id\\\":\\\"" + ID_B + "\\\" and \\\"created_at\\\":5,\",\"created_at\":1700000001,\"id\":\"" + ID_C
                    + "\",\"kind\":1,\"pubkey\":\"" + PK + "\",\"sig\":\"" + SIG + "\",\"tags\":[[\"id\",\"created_at\"]]}");

    @Test
    void theFastPathReadsWhatTheFullParseReads() {
        StoredItems fast = new StoredItems();
        StoredItems parsed = new StoredItems();
        for (String e : EVENTS) {
            long createdAt = fast.addWritten(e);
            assertEquals(parsed.addParsed(e), createdAt, "created_at of " + e);
        }
        assertSameItems(parsed.seal(), fast.seal());
    }

    @Test
    void linesReadFromAScanBufferGiveTheSameItems() {
        StoredItems fromLines = new StoredItems();
        StoredItems parsed = new StoredItems();
        for (String e : EVENTS) {
            // a line's bytes inside a bigger buffer, as strfry scan's output is read, between other events' keys
            byte[] line = (DECOY + "\n" + e + "\n" + DECOY).getBytes(StandardCharsets.UTF_8);
            int from = DECOY.length() + 1;
            fromLines.add(line, from, from + e.getBytes(StandardCharsets.UTF_8).length);
            parsed.addParsed(e);
        }
        assertSameItems(parsed.seal(), fromLines.seal());
    }

    /** Keys of another event just outside the line: read past its bounds, the line would take them. */
    private static final String DECOY = "{\"created_at\":42,\"id\":\"" + "d".repeat(64) + "\"}";

    private static void assertSameItems(NegentropyItems expected, NegentropyItems actual) {
        assertEquals(EVENTS.size(), expected.size(), "the full parse reads every event");
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < actual.size(); i++) {
            assertEquals(expected.timestamp(i), actual.timestamp(i));
            assertArrayEquals(expected.id(i), actual.id(i));
        }
    }
}
