package org.astroport.constellation.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.nostr.NostrEvent;
import org.astroport.constellation.testsupport.Fixtures;
import org.junit.jupiter.api.Test;

class SinkEventTest {

    private final NostrEvent note = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME, 1,
            List.of(List.of("t", "line\nbreak")), "two\nlines \"quoted\"");

    @Test
    void anEventFromIngestIsBudgetedByItsReceivedSizeUntilItsJsonIsAskedFor() {
        SinkEvent e = SinkEvent.of(note, "peer-a", 7, 1234);
        assertEquals(1234, e.size());
        assertTrue(e.isOneLine());
        assertEquals(note.id(), e.id());
        assertEquals(note.pubkey(), e.pubkey());
        assertEquals(1, e.kind());
        assertEquals(Fixtures.REFERENCE_TIME, e.createdAt());
        assertEquals("peer-a", e.origin());
        assertEquals(7, e.receivedNanos());
        assertSame(note, e.event());

        String json = e.json();
        assertEquals(note.toJson(), json);
        assertSame(json, e.json()); // made once
        assertEquals(json.length(), e.size());
        assertTrue(e.isOneLine(), "newlines in content and tags are escaped: " + json);
    }

    @Test
    void anEventWithItsJsonGivenIsSizedAndCheckedByThatJson() {
        String raw = note.toJson().replace("\\n", "\n"); // a line as another writer could have stored it
        SinkEvent e = new SinkEvent(note.id(), note.pubkey(), 1, note.createdAt(), raw, "spool", 0, note);
        assertEquals(raw.length(), e.size());
        assertSame(raw, e.json());
        assertFalse(e.isOneLine());
        assertEquals(note.toJson(), SinkEvent.of(note, "peer-a", 0).json());
    }
}
