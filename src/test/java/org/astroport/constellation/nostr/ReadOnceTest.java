package org.astroport.constellation.nostr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.astroport.constellation.fuzz.FrameMutator;
import org.astroport.constellation.testsupport.Fixtures;
import org.junit.jupiter.api.Test;

/**
 * The one-pass read of an EVENT frame ({@link RelayMessageCodec#decodeEventFromRelay}) is a shortcut, never a
 * second rule: whenever it answers, the frame decoder and the strict parser, run one after the other, give
 * the same subscription, the same text and the same event; when it does not, they decide as before.
 */
class ReadOnceTest {

    private final EventParser parser = new EventParser();

    @Test
    void everyValidFixtureIsReadOnceAndSameAsTwice() {
        for (String line : Fixtures.validLines()) {
            String frame = "[\"EVENT\",\"sub1\"," + line + "]";
            RelayMessageCodec.ParsedEvent once = RelayMessageCodec.decodeEventFromRelay(frame);
            assertNotNull(once, frame);
            assertSameAsTwice(frame, once);
        }
    }

    @Test
    void everyInvalidCaseFallsBackOrAgrees() {
        int fastPath = 0;
        for (Fixtures.InvalidCase c : Fixtures.invalidCases()) {
            String frame = "[\"EVENT\",\"sub1\"," + c.wire() + "]";
            RelayMessageCodec.ParsedEvent once = RelayMessageCodec.decodeEventFromRelay(frame);
            if (once != null) {
                fastPath++;
                assertSameAsTwice(frame, once);
            } else {
                ParseResult twice = RelayMessageCodec.decodeFromRelay(frame) instanceof RelayMessage.Event e ? parser.parse(e.eventJson()) : null;
                assertTrue(twice == null || twice instanceof ParseResult.Rejected, () -> "#" + c.number() + " " + c.why() + ": fast path refused what the parser accepts");
            }
        }
        assertTrue(fastPath < Fixtures.invalidCases().size());
    }

    @Test
    void mutatedFramesNeverGetAnotherAnswer() {
        FrameMutator m = new FrameMutator(15, "sub1");
        List<String> nested = new ArrayList<>();
        for (int depth = 12; depth <= 20; depth++) {
            nested.add("[\"EVENT\",\"sub1\"," + Fixtures.validLines().get(0).replace("\"tags\":[", "\"extra\":" + "[".repeat(depth) + "]".repeat(depth) + ",\"tags\":[") + "]");
        }
        for (String frame : nested) {
            check(frame);
        }
        for (int i = 0; i < 200_000; i++) {
            check(m.next());
        }
    }

    @Test
    void duplicateKeysAreLeftToTheStrictParse() {
        String line = Fixtures.validLines().get(0);
        String id = line.replaceAll(".*\"id\":(\"[0-9a-f]{64}\").*", "$1");
        List<String> duplicated = List.of(
                first("\"id\":" + id + ",", line), // a known key twice, same value
                first("\"kind\":1,", line),
                first("\"x\":1,\"x\":2,", line), // an unknown key twice
                first("\"x\":[{\"y\":1,\"y\":2}],", line)); // twice inside an unknown value
        for (String event : duplicated) {
            String frame = "[\"EVENT\",\"sub1\"," + event + "]";
            assertNull(RelayMessageCodec.decodeEventFromRelay(frame), frame);
            ParseResult strict = parser.parse(event);
            assertTrue(strict instanceof ParseResult.Rejected r && r.rejection().reason() == RejectReason.DUPLICATE_KEY, () -> event + " -> " + strict);
        }
        // unknown keys once each, a structured value among them: the same event either way
        for (String event : List.of(first("\"x\":1,\"y\":\"a\",", line), first("\"x\":{\"y\":1,\"w\":{\"y\":2}},\"z\":[{\"y\":1},{\"y\":2}],", line))) {
            String frame = "[\"EVENT\",\"sub1\"," + event + "]";
            assertTrue(parser.parse(event) instanceof ParseResult.Ok, event);
            assertNotNull(RelayMessageCodec.decodeEventFromRelay(frame), frame);
            check(frame);
        }
    }

    /** The event with these members first in its object. */
    private static String first(String members, String event) {
        return "{" + members + event.substring(1);
    }

    private void check(String frame) {
        RelayMessageCodec.ParsedEvent once = RelayMessageCodec.decodeEventFromRelay(frame);
        if (once != null) {
            assertSameAsTwice(frame, once);
        }
    }

    private void assertSameAsTwice(String frame, RelayMessageCodec.ParsedEvent once) {
        RelayMessage m = RelayMessageCodec.decodeFromRelay(frame);
        assertEquals(new RelayMessage.Event(once.subscriptionId(), once.eventJson()), m, frame);
        ParseResult twice = parser.parse(once.eventJson());
        // what the ingest sees is the same either way: the size limit is applied by accept()
        assertEquals(twice, parser.accept(once.eventJson(), once.event()), frame);
        if (twice instanceof ParseResult.Rejected r) {
            assertEquals(RejectReason.TOO_LARGE, r.rejection().reason(), frame);
        } else {
            assertEquals(((ParseResult.Ok) twice).event(), once.event(), frame);
        }
    }
}
