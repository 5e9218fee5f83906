package org.astroport.constellation.nostr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.astroport.constellation.testsupport.Fixtures;
import org.junit.jupiter.api.Test;

class RelayMessageCodecTest {

    @Test
    void everyFrameOfTheFixtureDecodesToTheRightMessageOrAClearMalformed() {
        List<String> frames = Fixtures.lines(Fixtures.events("relay-messages.ndjson"));
        assertEquals(22, frames.size());
        List<RelayMessage> decoded = new ArrayList<>();
        for (String f : frames) {
            decoded.add(RelayMessageCodec.decodeFromRelay(f)); // must never throw
        }
        EventValidator v = new EventValidator();
        // three EVENTs for sub1 with verifiable events, EOSE in between
        RelayMessage.Event e0 = assertInstanceOf(RelayMessage.Event.class, decoded.get(0));
        assertEquals("sub1", e0.subscriptionId());
        assertTrue(v.validate(e0.eventJson()).valid(), "event text is cut out of the frame exactly");
        assertEquals(new RelayMessage.Eose("sub1"), decoded.get(2));
        assertEquals(new RelayMessage.Ok("69dd26c7894b5792e279530c86a865c9b838dbbb318f2d62d02205b55695c623", true, ""), decoded.get(4));
        RelayMessage.Ok dup = assertInstanceOf(RelayMessage.Ok.class, decoded.get(5));
        assertTrue(!dup.accepted() && dup.message().startsWith("duplicate:"));
        assertEquals(new RelayMessage.Notice("rate-limited: slow down"), decoded.get(8));
        assertEquals(new RelayMessage.Closed("sub1", "auth-required: we only serve members"), decoded.get(9));
        assertEquals(new RelayMessage.Auth("challenge-d9da79a9-b64b-43db-a7f1-42deb16407a0"), decoded.get(11));
        assertEquals(new RelayMessage.Count("sub3", 42), decoded.get(12));
        assertEquals(new RelayMessage.NegErr("neg1", "blocked: too many records"), decoded.get(13));
        // an event for a subscription never opened is still a well-formed frame: the session decides
        assertEquals("never-opened", assertInstanceOf(RelayMessage.Event.class, decoded.get(14)).subscriptionId());
        // broken and tampered events are well-formed frames whose events fail validation
        RelayMessage.Event broken = assertInstanceOf(RelayMessage.Event.class, decoded.get(15));
        assertEquals("bad-hex", v.validate(broken.eventJson()).rejection().code());
        RelayMessage.Event tampered = assertInstanceOf(RelayMessage.Event.class, decoded.get(16));
        assertEquals("id-mismatch", v.validate(tampered.eventJson()).rejection().code());
        // the rest are malformed, each with a reason
        for (int i = 17; i < 22; i++) {
            RelayMessage.Malformed m = assertInstanceOf(RelayMessage.Malformed.class, decoded.get(i), "frame " + i + ": " + frames.get(i));
            assertTrue(!m.reason().isBlank());
        }
        assertTrue(((RelayMessage.Malformed) decoded.get(17)).reason().contains("subscription id"), decoded.get(17).toString());
        assertTrue(((RelayMessage.Malformed) decoded.get(18)).reason().contains("unknown message type"), decoded.get(18).toString());
    }

    @Test
    void clientMessagesRoundTrip() {
        Filter f = Filter.builder().authors(List.of("a".repeat(64))).kinds(List.of(1, 0)).since(10L).limit(500).tag("e", List.of("b".repeat(64))).build();
        RelayMessage.Req req = new RelayMessage.Req("cs-0", List.of(f, Filter.builder().kinds(List.of(5)).build()));
        String wire = RelayMessageCodec.encode(req);
        assertEquals("[\"REQ\",\"cs-0\",{\"authors\":[\"" + "a".repeat(64) + "\"],\"kinds\":[0,1],\"#e\":[\"" + "b".repeat(64) + "\"],\"since\":10,\"limit\":500},{\"kinds\":[5]}]", wire);
        assertEquals(req, RelayMessageCodec.decodeFromClient(wire));
        for (RelayMessage m : List.of(new RelayMessage.Close("x"), new RelayMessage.NegClose("n"), new RelayMessage.NegMsg("n", "6100"),
                new RelayMessage.NegOpen("n", f, "6100"), new RelayMessage.CountRequest("c", List.of(f)))) {
            assertEquals(m, RelayMessageCodec.decodeFromClient(RelayMessageCodec.encode(m)));
        }
        NostrEvent e = EventSigner.sign(Fixtures.secretOf("member-1"), 1, 1, List.of(), "hi \u0001");
        RelayMessage.Publish pub = assertInstanceOf(RelayMessage.Publish.class, RelayMessageCodec.decodeFromClient(RelayMessageCodec.encode(RelayMessage.Publish.of(e))));
        assertEquals(e.toJson(), pub.eventJson());
        RelayMessage.AuthResponse auth = assertInstanceOf(RelayMessage.AuthResponse.class,
                RelayMessageCodec.decodeFromClient(RelayMessageCodec.encode(RelayMessage.AuthResponse.of(e))));
        assertEquals(e.toJson(), auth.eventJson());
        for (RelayMessage m : List.of(new RelayMessage.Eose("s"), new RelayMessage.Ok("i", false, "blocked: \"x\""), new RelayMessage.Notice("n"),
                new RelayMessage.Closed("s", "error: x"), new RelayMessage.Auth("c"), new RelayMessage.Count("s", 3), new RelayMessage.NegErr("s", "r"),
                new RelayMessage.Event("s", e.toJson()))) {
            assertEquals(m, RelayMessageCodec.decodeFromRelay(RelayMessageCodec.encode(m)));
        }
        assertInstanceOf(RelayMessage.Malformed.class, RelayMessageCodec.decodeFromClient("[\"REQ\",\"s\",{\"kinds\":\"1\"}]"));
        assertInstanceOf(RelayMessage.Malformed.class, RelayMessageCodec.decodeFromClient("[\"REQ\",\"s\"]"));
        assertInstanceOf(RelayMessage.Malformed.class, RelayMessageCodec.decodeFromRelay("[\"EVENT\",\"s\",{\"a\":1}, 5]"));
        assertInstanceOf(RelayMessage.Malformed.class, RelayMessageCodec.decodeFromRelay("[" .repeat(5000)));
        assertInstanceOf(RelayMessage.Malformed.class, RelayMessageCodec.decodeFromRelay(null));
        assertInstanceOf(RelayMessage.Malformed.class, RelayMessageCodec.decodeFromRelay("[\"OK\",\"i\",\"true\",\"\"]"));
    }

    /** An OK as relays write it is read without a parser; every other spelling still goes to the parser, which decides as before. */
    @Test
    void compactOksAreReadDirectlyAndOthersByTheParser() {
        String id = "69dd26c7894b5792e279530c86a865c9b838dbbb318f2d62d02205b55695c623";
        for (RelayMessage.Ok ok : List.of(new RelayMessage.Ok(id, true, ""), new RelayMessage.Ok(id, false, "duplicate: have it"),
                new RelayMessage.Ok(id, false, "blocked: caf\u00e9 ]\"x"), new RelayMessage.Ok(id, true, "a\\b"))) {
            String frame = "[\"OK\",\"" + id + "\"," + ok.accepted() + ",\"" + ok.message().replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
            assertEquals(ok, RelayMessageCodec.decodeFromRelay(frame), frame);
            boolean plain = !ok.message().contains("\"") && !ok.message().contains("\\");
            assertEquals(plain ? ok : null, RelayMessageCodec.compactOk(frame), "escapes are the parser's: " + frame);
        }
        // spaces, an id that is not 64 lowercase digits, a third element that is not a boolean: the parser's
        for (String frame : List.of("[\"OK\", \"" + id + "\",true,\"\"]", "[\"OK\",\"" + id.toUpperCase() + "\",true,\"\"]",
                "[\"OK\",\"abc\",true,\"\"]", "[\"OK\",\"" + id + "\",true ,\"\"]")) {
            assertEquals(null, RelayMessageCodec.compactOk(frame), frame);
            assertInstanceOf(RelayMessage.Ok.class, RelayMessageCodec.decodeFromRelay(frame), frame);
        }
        // text after the array: the parser's to judge (it reads up to the array's end, as before)
        assertEquals(null, RelayMessageCodec.compactOk("[\"OK\",\"" + id + "\",true,\"\"]x"));
        // not an OK at all, though it starts like one: never read as one
        for (String frame : List.of("[\"OK\",\"" + id + "\",true,\"\",\"more\"]",
                "[\"OK\",\"" + id + "\",\"true\",\"\"]", "[\"OK\",\"" + id + "\",true,\"\"", "[\"OK\",\"" + id + "\",true,\"a\nb\"]")) {
            assertEquals(null, RelayMessageCodec.compactOk(frame), frame);
            assertInstanceOf(RelayMessage.Malformed.class, RelayMessageCodec.decodeFromRelay(frame), frame);
        }
    }

    /** NEG-MSG's hex is cut out of the frame: same message as a JSON reading gives, whatever the spacing; anything else as before. */
    @Test
    void negentropyMessagesAreCutOutExactlyAndOddOnesReadAsJson() {
        String hex = "61" + "0123456789abcdef".repeat(4000) + "ABCDEF";
        for (String frame : List.of("[\"NEG-MSG\",\"neg-0\",\"" + hex + "\"]", "[ \"NEG-MSG\" , \"neg-0\" ,\n\t\"" + hex + "\"\r\n]\n",
                "[\"NEG-MSG\",\"neg-0\"  ,  \"" + hex + "\"  ]  ")) {
            // (assertTrue: a failure message with the megabyte message in it would bury the reason)
            RelayMessage.NegMsg expected = new RelayMessage.NegMsg("neg-0", hex);
            assertTrue(expected.equals(RelayMessageCodec.decodeFromRelay(frame)), frame.substring(0, 30));
            assertTrue(expected.equals(RelayMessageCodec.decodeFromClient(frame)), frame.substring(0, 30));
            assertTrue(expected.equals(RelayMessageCodec.cutNegMsg(frame)), "cut out, not read as JSON: " + frame.substring(0, 30));
        }
        assertEquals(null, RelayMessageCodec.cutNegMsg("[\"NEG-MSG\",\"n\",\"6\\u0031\"]"), "an escape is JSON's to read");
        assertEquals(null, RelayMessageCodec.cutNegMsg("[\"NEG-MSG\",\"n\",\"61\",\"62\"]"));
        // written as the general encoder writes it, and read back
        byte[] message = new byte[3000];
        new java.util.Random(7).nextBytes(message);
        for (String sub : List.of("neg-0", "n\"\\\u0001")) {
            String written = RelayMessageCodec.encodeNegMsg(sub, message);
            assertEquals(RelayMessageCodec.encode(new RelayMessage.NegMsg(sub, Hex.encode(message))), written);
            assertEquals(new RelayMessage.NegMsg(sub, Hex.encode(message)), RelayMessageCodec.decodeFromClient(written));
        }
        // a subscription id with an escape, an empty message
        assertEquals(new RelayMessage.NegMsg("n\"1", ""), RelayMessageCodec.decodeFromRelay("[\"NEG-MSG\",\"n\\\"1\",\"\"]"));
        // not hex, or spelled with an escape: the text JSON gives (the reconciliation then says it is not hex); the cut
        // finds the string's end without looking at each char, and leaves the check to the decoding
        assertEquals(new RelayMessage.NegMsg("n", "6z"), RelayMessageCodec.decodeFromRelay("[\"NEG-MSG\",\"n\",\"6z\"]"));
        assertEquals(new RelayMessage.NegMsg("n", "6z\u00e9"), RelayMessageCodec.cutNegMsg("[\"NEG-MSG\",\"n\",\"6z\u00e9\"]"));
        assertEquals(new RelayMessage.NegMsg("n", "61"), RelayMessageCodec.decodeFromRelay("[\"NEG-MSG\",\"n\",\"6\\u0031\"]"));
        // wrong shapes stay malformed, with the reason the JSON reading gives
        for (String frame : List.of("[\"NEG-MSG\",\"n\",\"61\",\"62\"]", "[\"NEG-MSG\",\"n\"]", "[\"NEG-MSG\",\"n\",\"61\"",
                "[\"NEG-MSG\",\"n\",61]", "[\"NEG-MSG\",\"n\" \"61\"]", "[\"NEG-MSG\",7,\"61\"]")) {
            assertInstanceOf(RelayMessage.Malformed.class, RelayMessageCodec.decodeFromRelay(frame), frame);
        }
        // what the relay's message decodes to
        byte[] bytes = Hex.decode(hex);
        assertEquals(hex.toLowerCase(), Hex.encode(bytes));
        assertEquals(0x61, bytes[0]);
        for (String bad : List.of("6", "6g", "g6", "6\u0660", "\u00e96")) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Hex.decode(bad), bad);
        }
    }

    @Test
    void filterMatching() {
        NostrEvent e = EventSigner.sign(Fixtures.secretOf("member-1"), 1000, 1, List.of(List.of("e", "x".repeat(3)), List.of("p", "pk")), "");
        assertTrue(Filter.builder().build().matches(e));
        assertTrue(Filter.builder().kinds(Set.of(1)).authors(Set.of(e.pubkey())).since(1000L).until(1000L).build().matches(e));
        assertTrue(!Filter.builder().since(1001L).build().matches(e));
        assertTrue(!Filter.builder().until(999L).build().matches(e));
        assertTrue(!Filter.builder().kinds(Set.of(0)).build().matches(e));
        assertTrue(!Filter.builder().authors(Set.of()).build().matches(e), "empty authors matches nothing");
        assertTrue(Filter.builder().ids(Set.of(e.id())).build().matches(e));
        assertTrue(Filter.builder().tag("p", Set.of("pk", "zz")).build().matches(e));
        assertTrue(!Filter.builder().tag("p", Set.of("zz")).build().matches(e));
        assertTrue(!Filter.builder().tag("t", Set.of("pk")).build().matches(e));
        Filter parsed = Filter.fromJson("{\"kinds\":[1],\"#p\":[\"pk\"],\"limit\":2}");
        assertTrue(parsed.matches(e));
        assertEquals(2, parsed.limit());
        assertEquals(parsed, Filter.fromJson(parsed.toJson()));
    }

    /** strfry's CLOSED reads "ERROR: auth-required: ..." (seen against strfry f8a56a8): still auth-required. */
    @Test
    void machineReadablePrefixesAsStrfryWritesThem() {
        org.junit.jupiter.api.Assertions.assertTrue(RelayMessage.hasPrefix("auth-required: members only", "auth-required"));
        org.junit.jupiter.api.Assertions.assertTrue(RelayMessage.hasPrefix("ERROR: auth-required: requested filter requires authentication", "auth-required"));
        org.junit.jupiter.api.Assertions.assertTrue(RelayMessage.hasPrefix("error: database busy", "error"));
        org.junit.jupiter.api.Assertions.assertFalse(RelayMessage.hasPrefix("blocked: auth-required: no", "auth-required"));
        org.junit.jupiter.api.Assertions.assertFalse(RelayMessage.hasPrefix("auth-required members", "auth-required"));
    }
}
