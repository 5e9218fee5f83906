package org.astroport.constellation.nostr;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

/**
 * Strict NIP-01 parsing of one event from its JSON text. Never throws on bad input: every defect
 * becomes a {@link Rejection} that names it.
 *
 * <p>Choices where implementations disagree (the fixtures' "either" cases): {@code created_at} and
 * {@code kind} must be JSON integers — {@code 1763800000.0} and {@code 1.7638e9} are refused, as a
 * strict verifier does; an empty tag {@code []} is refused, because strfry refuses it ("too few
 * fields in tag") and we would only fail later at the sink.
 */
public final class EventParser {

    /** strfry's default max WebSocket payload: anything larger is not worth parsing. */
    public static final int DEFAULT_MAX_BYTES = 131_072;

    private static final int MAX_NESTING = 16;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
            .build();

    private final int maxBytes;

    public EventParser() {
        this(DEFAULT_MAX_BYTES);
    }

    public EventParser(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    public int maxBytes() {
        return maxBytes;
    }

    public ParseResult parse(String json) {
        if (json == null) {
            return ParseResult.reject(RejectReason.MALFORMED_JSON, "no input");
        }
        int bytes = Utf8.lengthToCheck(json, maxBytes);
        if (bytes > maxBytes) {
            return ParseResult.reject(RejectReason.TOO_LARGE, "event is over " + maxBytes + " bytes; not parsed");
        }
        if (!json.isEmpty() && json.charAt(0) == '\uFEFF') {
            return ParseResult.reject(RejectReason.MALFORMED_JSON, "starts with a byte order mark");
        }
        try (JsonParser p = FACTORY.createParser(json)) {
            return parse(p);
        } catch (IOException e) {
            return ParseResult.reject(RejectReason.MALFORMED_JSON, e.getMessage());
        }
    }

    public ParseResult parse(byte[] json) {
        if (json.length > maxBytes) {
            return ParseResult.reject(RejectReason.TOO_LARGE, "event is " + json.length + " bytes, over " + maxBytes + "; not parsed");
        }
        if (json.length >= 3 && (json[0] & 0xff) == 0xEF && (json[1] & 0xff) == 0xBB && (json[2] & 0xff) == 0xBF) {
            return ParseResult.reject(RejectReason.MALFORMED_JSON, "starts with a byte order mark");
        }
        try (JsonParser p = FACTORY.createParser(json)) {
            return parse(p);
        } catch (IOException e) {
            return ParseResult.reject(RejectReason.MALFORMED_JSON, e.getMessage());
        }
    }

    private ParseResult parse(JsonParser p) throws IOException {
        JsonToken first;
        try {
            first = p.nextToken();
        } catch (JsonParseException e) {
            return malformed(e);
        }
        if (first == null) {
            return ParseResult.reject(RejectReason.MALFORMED_JSON, "empty input");
        }
        if (first != JsonToken.START_OBJECT) {
            return ParseResult.reject(RejectReason.NOT_AN_OBJECT, "event is a JSON " + describe(first) + ", expected an object");
        }
        Fields f = new Fields();
        try {
            ParseResult bad = readFields(p, f);
            if (bad != null) {
                return bad;
            }
            JsonToken after;
            try {
                after = p.nextToken();
            } catch (JsonParseException e) {
                return ParseResult.reject(RejectReason.TRAILING_DATA, "data after the event object: " + e.getOriginalMessage().lines().findFirst().orElse(""));
            }
            if (after != null) {
                return ParseResult.reject(RejectReason.TRAILING_DATA, "data after the event object: " + describe(after));
            }
        } catch (StreamConstraintsException e) {
            return ParseResult.reject(RejectReason.MALFORMED_JSON, "nested deeper than " + MAX_NESTING + " levels");
        } catch (JsonParseException e) {
            String m = String.valueOf(e.getOriginalMessage());
            if (m.startsWith("Duplicate field")) {
                return ParseResult.reject(RejectReason.DUPLICATE_KEY, m);
            }
            return malformed(e);
        }
        return f.complete();
    }

    /**
     * The event object a frame reader stands on (its START_OBJECT just read; the reader made with
     * {@link #EMBEDDED_FACTORY}), read in the same pass as its frame. Returns the event only when
     * {@link #parse(String)} would accept the object's text alone (size limit aside: see {@link #accept});
     * null for anything else, and the caller then parses the text the ordinary way, which names the defect.
     * The reader is left on the object's END_OBJECT.
     */
    public static NostrEvent readEmbedded(JsonParser p) {
        Fields f = new Fields();
        f.embedded = true;
        try {
            if (readFields(p, f) != null) {
                return null;
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return f.complete() instanceof ParseResult.Ok ok ? ok.event() : null;
    }

    /**
     * The outcome of {@link #parse(String) parse(json)} for an event {@link #readEmbedded} already read
     * from exactly this text: the size limit is the only rule left to apply.
     */
    public ParseResult accept(String json, NostrEvent alreadyRead) {
        if (json == null || alreadyRead == null || Utf8.lengthToCheck(json, maxBytes) > maxBytes) {
            return parse(json);
        }
        return new ParseResult.Ok(alreadyRead);
    }

    /**
     * Readers for frames that embed an event ({@code ["EVENT", sub, {event}]}): a nesting limit that, counted
     * from the frame, is no looser than the event's own. Duplicate keys are found by {@link #readFields} instead (Jackson's
     * detector made a set per object, 0.5 KB per event): a bit per known field, a set only for other fields.
     */
    public static final JsonFactory EMBEDDED_FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
            .build();

    /** The fields of one event as read, before the missing ones are named. */
    private static final class Fields {
        String id, pubkey, content, sig;
        long createdAt = -1;
        int kind = -1;
        boolean hasCreatedAt, hasKind;
        List<List<String>> tags;
        /** Read by a reader without Jackson's duplicate detection: readFields finds them. */
        boolean embedded;
        /** The known fields seen (a bit each), and the other names when embedded. */
        int seen;
        Set<String> otherNames;

        /** False when the field was already in this object. */
        boolean firstTime(String field) {
            int bit = switch (field) {
                case "id" -> 1;
                case "pubkey" -> 2;
                case "created_at" -> 4;
                case "kind" -> 8;
                case "tags" -> 16;
                case "content" -> 32;
                case "sig" -> 64;
                default -> 0;
            };
            if (bit != 0) {
                boolean first = (seen & bit) == 0;
                seen |= bit;
                return first;
            }
            if (!embedded) {
                return true; // Jackson's detector is on
            }
            if (otherNames == null) {
                otherNames = new HashSet<>();
            }
            return otherNames.add(field);
        }

        ParseResult complete() {
            if (id == null) {
                return missing("id");
            }
            if (pubkey == null) {
                return missing("pubkey");
            }
            if (!hasCreatedAt) {
                return missing("created_at");
            }
            if (!hasKind) {
                return missing("kind");
            }
            if (tags == null) {
                return missing("tags");
            }
            if (content == null) {
                return missing("content");
            }
            if (sig == null) {
                return missing("sig");
            }
            return new ParseResult.Ok(new NostrEvent(id, pubkey, createdAt, kind, tags, content, sig));
        }
    }

    /** The members of an event object up to its END_OBJECT; a rejection, or null when all were read. */
    private static ParseResult readFields(JsonParser p, Fields f) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if (!f.firstTime(field)) {
                return ParseResult.reject(RejectReason.DUPLICATE_KEY, "Duplicate field '" + field + "'");
            }
            switch (field) {
                case "id" -> {
                    ParseResult bad = checkHex(p, v, "id", 64);
                    if (bad != null) {
                        return bad;
                    }
                    f.id = p.getText();
                }
                case "pubkey" -> {
                    ParseResult bad = checkHex(p, v, "pubkey", 64);
                    if (bad != null) {
                        return bad;
                    }
                    f.pubkey = p.getText();
                }
                case "sig" -> {
                    ParseResult bad = checkHex(p, v, "sig", 128);
                    if (bad != null) {
                        return bad;
                    }
                    f.sig = p.getText();
                }
                case "created_at" -> {
                    if (v != JsonToken.VALUE_NUMBER_INT) {
                        return ParseResult.reject(v == JsonToken.VALUE_NUMBER_FLOAT ? RejectReason.BAD_CREATED_AT : RejectReason.BAD_TYPE,
                                "created_at: expected a non-negative integer, got " + describeValue(p, v));
                    }
                    if (p.getNumberType() != JsonParser.NumberType.INT && p.getNumberType() != JsonParser.NumberType.LONG) {
                        return ParseResult.reject(RejectReason.BAD_CREATED_AT, "created_at: " + p.getText() + " is out of range");
                    }
                    f.createdAt = p.getLongValue();
                    if (f.createdAt < 0) {
                        return ParseResult.reject(RejectReason.BAD_CREATED_AT, "created_at: " + f.createdAt + " is negative");
                    }
                    f.hasCreatedAt = true;
                }
                case "kind" -> {
                    if (v != JsonToken.VALUE_NUMBER_INT) {
                        return ParseResult.reject(RejectReason.BAD_TYPE,
                                "kind: expected an integer 0..65535, got " + describeValue(p, v));
                    }
                    long k = p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? Long.MAX_VALUE : p.getLongValue();
                    if (k < 0 || k > 65535) {
                        return ParseResult.reject(RejectReason.KIND_OUT_OF_RANGE, "kind: " + p.getText() + " is outside 0..65535");
                    }
                    f.kind = (int) k;
                    f.hasKind = true;
                }
                case "tags" -> {
                    if (v != JsonToken.START_ARRAY) {
                        return ParseResult.reject(RejectReason.BAD_TYPE, "tags: expected an array of arrays of strings, got " + describeValue(p, v));
                    }
                    f.tags = new ArrayList<>();
                    ParseResult bad = readTags(p, f.tags);
                    if (bad != null) {
                        return bad;
                    }
                }
                case "content" -> {
                    if (v != JsonToken.VALUE_STRING) {
                        return ParseResult.reject(RejectReason.BAD_TYPE, "content: expected a string, got " + describeValue(p, v));
                    }
                    f.content = p.getText();
                    if (hasLoneSurrogate(f.content)) {
                        return ParseResult.reject(RejectReason.INVALID_UNICODE, "content: holds an unpaired UTF-16 surrogate");
                    }
                }
                // unknown fields (e.g. "seenOn") do not touch the signature
                default -> {
                    if (!f.embedded) {
                        p.skipChildren();
                    } else if (!skipWithoutDuplicates(p)) {
                        return ParseResult.reject(RejectReason.DUPLICATE_KEY, "Duplicate field inside '" + field + "'");
                    }
                }
            }
        }
        if (t != JsonToken.END_OBJECT) {
            return ParseResult.reject(RejectReason.MALFORMED_JSON, "unexpected " + describe(t));
        }
        return null;
    }

    /** Skips the value the reader stands on; false at a key repeated in an object inside it (what Jackson's detector refuses). */
    private static boolean skipWithoutDuplicates(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            Set<String> names = new HashSet<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                if (!names.add(p.currentName())) {
                    return false;
                }
                p.nextToken();
                if (!skipWithoutDuplicates(p)) { // as deep as the reader's nesting limit lets it
                    return false;
                }
            }
        } else if (t == JsonToken.START_ARRAY) {
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (!skipWithoutDuplicates(p)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static ParseResult readTags(JsonParser p, List<List<String>> tags) throws IOException {
        JsonToken t;
        int index = 0;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.START_ARRAY) {
                return ParseResult.reject(RejectReason.BAD_TAGS, "tags[" + index + "]: expected an array of strings, got " + describeValue(p, t));
            }
            List<String> tag = new ArrayList<>(3);
            JsonToken e;
            int j = 0;
            while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                if (e != JsonToken.VALUE_STRING) {
                    return ParseResult.reject(RejectReason.BAD_TAGS, "tags[" + index + "][" + j + "]: expected a string, got " + describeValue(p, e));
                }
                String s = p.getText();
                if (hasLoneSurrogate(s)) {
                    return ParseResult.reject(RejectReason.INVALID_UNICODE, "tags[" + index + "][" + j + "]: holds an unpaired UTF-16 surrogate");
                }
                tag.add(s);
                j++;
            }
            if (tag.isEmpty()) {
                return ParseResult.reject(RejectReason.BAD_TAGS, "tags[" + index + "]: empty tag (strfry refuses: too few fields in tag)");
            }
            tags.add(tag);
            index++;
        }
        return null;
    }

    private static ParseResult checkHex(JsonParser p, JsonToken v, String field, int len) throws IOException {
        if (v != JsonToken.VALUE_STRING) {
            return ParseResult.reject(RejectReason.BAD_TYPE, field + ": expected a string of " + len + " lowercase hex characters, got " + describeValue(p, v));
        }
        // checked in the parser's own buffer: three per event, charAt by charAt they showed in profiles
        if (p.getTextLength() == len && Hex.isLowerHex(p.getTextCharacters(), p.getTextOffset(), len)) {
            return null;
        }
        String s = p.getText();
        if (!Hex.isLowerHex(s, len)) {
            String what;
            if (s.length() != len) {
                what = s.length() + " characters";
            } else if (Hex.isLowerHex(s.toLowerCase(java.util.Locale.ROOT), len)) {
                what = "uppercase hex";
            } else {
                what = "not hex";
            }
            return ParseResult.reject(RejectReason.BAD_HEX, field + ": " + what + ", expected " + len + " lowercase hex");
        }
        return null;
    }

    static boolean hasLoneSurrogate(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            }
        }
        return false;
    }

    private static ParseResult missing(String field) {
        return ParseResult.reject(RejectReason.MISSING_FIELD, "missing field \"" + field + "\"");
    }

    private static ParseResult malformed(JsonParseException e) {
        String m = e.getOriginalMessage();
        return ParseResult.reject(RejectReason.MALFORMED_JSON, m == null ? "not JSON" : m.lines().findFirst().orElse(m));
    }

    private static String describeValue(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return "null";
        }
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            return "the number " + p.getText();
        }
        return describe(t);
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "end of input";
        }
        return switch (t) {
            case START_OBJECT -> "object";
            case START_ARRAY -> "array";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> t.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
