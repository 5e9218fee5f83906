package org.astroport.constellation.nostr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
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
            // the live path reads the frame's bytes as they came
            RelayMessageCodec.ParsedEvent fromBytes = RelayMessageCodec.decodeEventFromRelay(frame.getBytes(StandardCharsets.UTF_8));
            assertNotNull(fromBytes, frame);
            assertSameAsTwiceFromBytes(frame.getBytes(StandardCharsets.UTF_8), fromBytes);
            assertEquals(once.event(), fromBytes.event());
        }
    }

    /** Read from bytes, an event's size is what it weighs as sent: the limit falls on the same byte as for its text. */
    @Test
    void theSizeLimitFallsOnTheSameByteFromTheBytes() {
        int max = EventParser.DEFAULT_MAX_BYTES;
        int overhead = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 10, 1, List.of(), "").toJson().length();
        for (int extra : new int[] {0, 1}) {
            String json = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 10, 1, List.of(),
                    "\u20ac".repeat((max - overhead) / 3) + "x".repeat((max - overhead) % 3 + extra)).toJson();
            byte[] frame = ("[\"EVENT\",\"s\"," + json + "]").getBytes(StandardCharsets.UTF_8);
            RelayMessageCodec.ParsedEvent once = RelayMessageCodec.decodeEventFromRelay(frame);
            assertNotNull(once);
            assertEquals(max + extra, once.wireBytes());
            ParseResult r = parser.accept(once.wireBytes(), once.event());
            assertEquals(extra == 0, r instanceof ParseResult.Ok, () -> "at " + (max + extra) + " bytes: " + r);
            assertSameAsTwiceFromBytes(frame, once);
        }
    }

    /**
     * Bytes that are not UTF-8 (a stray byte, a cut sequence, an overlong '/', an encoded surrogate) in an event's
     * content: the byte reader never answers for them; the frame then goes the text way, where the decoder's
     * replacement characters break the id, and ingest refuses it as before.
     */
    @Test
    void malformedUtf8IsNeverReadFromTheBytes() {
        byte[][] bad = {{(byte) 0xFF}, {(byte) 0xC3}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0x80}};
        int checked = 0;
        for (String line : Fixtures.validLines()) {
            byte[] frame = ("[\"EVENT\",\"sub1\"," + line + "]").getBytes(StandardCharsets.UTF_8);
            int content = indexOf(frame, "\"content\":\"".getBytes(StandardCharsets.US_ASCII));
            if (content < 0) {
                continue;
            }
            int at = content + "\"content\":\"".length();
            for (byte[] b : bad) {
                byte[] broken = new byte[frame.length + b.length];
                System.arraycopy(frame, 0, broken, 0, at);
                System.arraycopy(b, 0, broken, at, b.length);
                System.arraycopy(frame, at, broken, at + b.length, frame.length - at);
                assertNull(RelayMessageCodec.decodeEventFromRelay(broken), () -> "read from malformed UTF-8: " + new String(broken, StandardCharsets.UTF_8));
                checked++;
            }
        }
        assertTrue(checked >= 6, "no fixture had a content field");
    }

    private static int indexOf(byte[] in, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= in.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (in[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
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

    private void check(String frame) {
        RelayMessageCodec.ParsedEvent once = RelayMessageCodec.decodeEventFromRelay(frame);
        if (once != null) {
            assertSameAsTwice(frame, once);
        }
        byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
        RelayMessageCodec.ParsedEvent fromBytes = RelayMessageCodec.decodeEventFromRelay(bytes);
        if (fromBytes != null) {
            assertSameAsTwiceFromBytes(bytes, fromBytes);
        }
    }

    /** The same rule for the bytes as read: the text is what a decoder makes of them, the size what they weigh. */
    private void assertSameAsTwiceFromBytes(byte[] frame, RelayMessageCodec.ParsedEvent once) {
        String text = new String(frame, StandardCharsets.UTF_8);
        assertSameAsTwice(text, once);
        assertEquals(Utf8.length(once.eventJson()), once.wireBytes(), text);
        assertEquals(parser.accept(once.eventJson(), once.event()), parser.accept(once.wireBytes(), once.event()), text);
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
