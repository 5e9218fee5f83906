package org.astroport.constellation.nostr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.astroport.constellation.testsupport.Fixtures;
import org.astroport.constellation.testsupport.Fixtures.InvalidCase;
import org.junit.jupiter.api.Test;

/** Every fixture event, against the ids and verdicts nostr-tools produced. */
class FixtureEventsTest {

    private final EventValidator validator = new EventValidator();
    private final EventPolicy policy = new EventPolicy(
            Clock.fixed(Instant.ofEpochSecond(Fixtures.REFERENCE_TIME), ZoneOffset.UTC), 900, EventPolicy.DEFAULT_MAX_EVENT_BYTES);

    @Test
    void everyValidLineParsesHashesToItsIdAndVerifies() throws Exception {
        List<String> lines = Fixtures.validLines();
        assertEquals(324, lines.size());
        Set<String> ids = new HashSet<>();
        for (String line : lines) {
            Validation v = validator.validate(line);
            assertTrue(v.valid(), () -> "valid.ndjson line refused: " + v.rejection() + " :: " + line.substring(0, Math.min(120, line.length())));
            String fixtureId = Fixtures.JSON.readTree(line).get("id").asText();
            assertEquals(fixtureId, EventIds.computeId(v.event()), "our id equals nostr-tools' id");
            assertTrue(policy.check(v.event(), line.getBytes(StandardCharsets.UTF_8).length).isEmpty(), "policy passes: " + fixtureId);
            ids.add(fixtureId);
        }
        assertEquals(Fixtures.expected().get("events").get("uniqueIds").asInt(), ids.size());
    }

    @Test
    void toJsonIsByteIdenticalToJsonStringifyOnEveryValidLine() {
        // valid.ndjson was written with JSON.stringify in key order id,pubkey,created_at,kind,tags,content,sig? check both ways
        for (String line : Fixtures.validLines()) {
            NostrEvent e = validator.validate(line).event();
            Validation again = validator.validate(e.toJson());
            assertTrue(again.valid(), "re-serialised event still verifies: " + e.id());
            assertEquals(e, again.event());
        }
    }

    @Test
    void everyRealWorldEventVerifies() throws Exception {
        List<String> events = Fixtures.realWorldEvents();
        assertEquals(40, events.size());
        for (String raw : events) {
            Validation v = validator.validate(raw);
            assertTrue(v.valid(), () -> "real-world event refused: " + v.rejection());
            assertEquals(Fixtures.JSON.readTree(raw).get("id").asText(), EventIds.computeId(v.event()));
        }
    }

    @Test
    void everyInvalidCaseIsHandledAsItsExpectFieldSays() {
        List<InvalidCase> cases = Fixtures.invalidCases();
        assertEquals(79, cases.size());
        int rejected = 0;
        for (InvalidCase c : cases) {
            Validation v = validator.validate(c.wire());
            Optional<Rejection> refusal = v.valid()
                    ? policy.check(v.event(), c.wire().getBytes(StandardCharsets.UTF_8).length)
                    : Optional.of(v.rejection());
            String label = "#" + c.number() + " " + c.why();
            switch (c.expect()) {
                case "accept" -> assertTrue(refusal.isEmpty(), () -> label + " should be accepted, got " + refusal.get());
                case "either" -> {
                    // our choice, documented on EventParser: strict integers, no empty tags
                    assertTrue(refusal.isPresent(), label + ": we chose to refuse");
                    assertEquals(expectedCode(c), refusal.get().code(), label);
                }
                case "reject" -> {
                    if (c.why().contains("author nobody monitors") || c.why().contains("blacklisted author")) {
                        // validly signed: refusing it is the author registry's job, not validation's
                        assertTrue(v.valid(), label + " must verify");
                        continue;
                    }
                    assertTrue(refusal.isPresent(), label + " should be refused");
                    assertEquals(expectedCode(c), refusal.get().code(), () -> label + " refused for the wrong reason: " + refusal.get());
                    rejected++;
                }
                default -> fail("unknown expect " + c.expect());
            }
        }
        assertEquals(cases.stream().filter(c -> c.expect().equals("reject")).count() - 2, rejected, "every reject case but the two author cases is refused by validation or policy");
    }

    @Test
    void oversizedEventIsRefusedBeforeParsing() {
        InvalidCase huge = Fixtures.invalidCases().stream().filter(c -> c.why().contains("600,000-byte")).findFirst().orElseThrow();
        assertTrue(huge.wire().length() > 600_000);
        // a parser that never parses: the size check must answer before Jackson sees a byte of it
        ParseResult r = new EventParser(131_072).parse(huge.wire());
        Rejection rej = ((ParseResult.Rejected) r).rejection();
        assertEquals(RejectReason.TOO_LARGE, rej.reason());
        assertTrue(rej.detail().contains("not parsed"), rej.detail());
        // the same text truncated (so no longer JSON) gets the same answer: proof the content was not looked at
        ParseResult cut = new EventParser(131_072).parse(huge.wire().substring(0, 500_000));
        assertEquals(RejectReason.TOO_LARGE, ((ParseResult.Rejected) cut).rejection().reason());
    }

    /** The reason that names each refused case's defect. */
    static String expectedCode(InvalidCase c) {
        String w = c.why();
        if (w.startsWith("id does not match") || w.startsWith("pubkey replaced") || w.startsWith("id with one hex digit")
                || w.startsWith("id and sig of another") || w.startsWith("pubkey all zeros") || w.contains("non-canonical serialisation")) {
            return "id-mismatch";
        }
        if (w.startsWith("sig with one bit") || w.startsWith("sig of another") || w.startsWith("sig all zeros") || w.contains("not a point on the curve")) {
            return "bad-signature";
        }
        if (w.matches("^(pubkey|id|sig) (\\d+ characters|in uppercase hex|not hex).*")) {
            return "bad-hex";
        }
        if (w.startsWith("missing field")) {
            return "missing-field";
        }
        if (w.startsWith("created_at negative") || w.startsWith("created_at with a fraction") || w.startsWith("edge: created_at written")) {
            return "bad-created-at";
        }
        if (w.startsWith("kind negative") || w.startsWith("kind 70000")) {
            return "kind-out-of-range";
        }
        if (w.startsWith("created_at as a string") || w.startsWith("created_at null") || w.startsWith("kind as a string") || w.startsWith("kind with a fraction")
                || w.startsWith("tags is an object") || w.startsWith("tags null") || w.startsWith("content ") || w.startsWith("id null")) {
            return "bad-type";
        }
        if (w.startsWith("a tag ") || w.startsWith("edge: an empty tag")) {
            return "bad-tags";
        }
        if (w.contains("unpaired UTF-16 surrogate")) {
            return "invalid-unicode";
        }
        if (w.startsWith("event is ") || w.startsWith("raw: a JSON array holding") || w.startsWith("raw: an array nested")) {
            return "not-an-object";
        }
        if (w.startsWith("raw: not JSON") || w.startsWith("raw: an object nested") || w.startsWith("raw: empty line") || w.contains("byte order mark")) {
            return "malformed-json";
        }
        if (w.startsWith("raw: trailing garbage")) {
            return "trailing-data";
        }
        if (w.startsWith("raw: duplicate")) {
            return "duplicate-key";
        }
        if (w.contains("year 2100")) {
            return "future";
        }
        if (w.contains("-byte content")) {
            return "too-large";
        }
        throw new AssertionError("no expected reason for case: " + w);
    }

    @Test
    void fixtureKeysSignAndVerify() {
        long t = Fixtures.REFERENCE_TIME;
        for (var entry : Fixtures.keys().entrySet()) {
            JsonNode k = entry.getValue();
            assertEquals(k.get("pubkey").asText(), Schnorr.publicKeyHex(k.get("secret").asText()), entry.getKey());
            NostrEvent e = EventSigner.sign(k.get("secret").asText(), t, 1,
                    List.of(List.of("t", "ünï\u001f"), List.of("p", k.get("pubkey").asText())), "signed by " + entry.getKey() + " \u2028 \"q\" \\ \u007f 🚀");
            assertEquals(k.get("pubkey").asText(), e.pubkey());
            Validation back = validator.validate(e.toJson());
            assertTrue(back.valid(), () -> entry.getKey() + ": " + back.rejection());
            assertEquals(e, back.event());
        }
        NostrEvent auth = EventSigner.authEvent(Fixtures.secretOf("station"), "wss://relay.example-a.test", "chal-1", t);
        assertEquals(22242, auth.kind());
        assertEquals("chal-1", auth.firstTagValue("challenge"));
        assertEquals("wss://relay.example-a.test", auth.firstTagValue("relay"));
        assertTrue(EventVerifier.verify(auth).isEmpty());
        // a tampered copy is caught
        NostrEvent tampered = new NostrEvent(auth.id(), auth.pubkey(), auth.createdAt() + 1, auth.kind(), auth.tags(), auth.content(), auth.sig());
        assertEquals(RejectReason.ID_MISMATCH, EventVerifier.verify(tampered).orElseThrow().reason());
        NostrEvent forged = new NostrEvent(auth.id(), Fixtures.pubkeyOf("member-1"), auth.createdAt(), auth.kind(), auth.tags(), auth.content(), auth.sig());
        assertFalse(EventVerifier.verify(forged).isEmpty());
        assertNotNull(auth.toString());
    }
}
