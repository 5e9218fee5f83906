package org.astroport.constellation.nostr;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads and writes relay frames. Decoding never throws: a frame we cannot use becomes
 * {@link RelayMessage.Malformed} with the reason, so one bad frame cannot kill a route.
 */
public final class RelayMessageCodec {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build())
            .build();
    private static final ObjectMapper JSON = new ObjectMapper(FACTORY);

    private RelayMessageCodec() {
    }

    /** A frame received from a relay. */
    public static RelayMessage decodeFromRelay(String frame) {
        return decode(frame, true);
    }

    /** An EVENT frame from a relay with its event already parsed, strictly, in the same pass. */
    public record ParsedEvent(String subscriptionId, String eventJson, NostrEvent event) {
    }

    /**
     * {@code ["EVENT", sub, {event}]} read once: the frame and the strict parse of its event in one pass.
     * Not null only when {@link #decodeFromRelay} would give {@code Event(sub, eventJson)} and
     * {@link EventParser#parse(String)} would accept {@code eventJson} (its size limit aside); for anything
     * else null, and the caller decodes the frame and parses the event as usual, which names the defect.
     */
    public static ParsedEvent decodeEventFromRelay(String frame) {
        if (frame == null || !frame.startsWith("[\"EVENT\",")) {
            return null;
        }
        try (JsonParser p = EventParser.EMBEDDED_FACTORY.createParser(frame)) {
            if (p.nextToken() != JsonToken.START_ARRAY || p.nextToken() != JsonToken.VALUE_STRING || !"EVENT".equals(p.getText())
                    || p.nextToken() != JsonToken.VALUE_STRING) {
                return null;
            }
            String sub = p.getText();
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            int start = (int) p.currentTokenLocation().getCharOffset();
            NostrEvent event = EventParser.readEmbedded(p);
            if (event == null) {
                return null;
            }
            int end = (int) p.currentLocation().getCharOffset();
            if (p.nextToken() != JsonToken.END_ARRAY) {
                return null;
            }
            return new ParsedEvent(sub, frame.substring(start, end), event);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A frame received from a client (what a relay reads). */
    public static RelayMessage decodeFromClient(String frame) {
        return decode(frame, false);
    }

    private static RelayMessage decode(String frame, boolean fromRelay) {
        if (frame == null || frame.isBlank()) {
            return new RelayMessage.Malformed("empty frame", frame);
        }
        if (fromRelay) {
            RelayMessage.Ok ok = compactOk(frame);
            if (ok != null) {
                return ok;
            }
        }
        try (JsonParser p = FACTORY.createParser(frame)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                return new RelayMessage.Malformed("frame is not a JSON array", frame);
            }
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                return new RelayMessage.Malformed("frame does not start with a message type string", frame);
            }
            String verb = p.getText();
            if ("EVENT".equals(verb)) {
                return fromRelay ? relayEvent(p, frame) : clientEvent(p, frame, false);
            }
            if ("AUTH".equals(verb) && !fromRelay) {
                return clientEvent(p, frame, true);
            }
            if ("NEG-MSG".equals(verb)) {
                RelayMessage.NegMsg neg = plainNegMsg(p, frame);
                if (neg != null) {
                    return neg;
                }
            }
            if ("OK".equals(verb) && fromRelay) {
                // one OK per event we publish: read it in the same pass; any other shape takes the tree path below
                RelayMessage.Ok ok = plainOk(p);
                if (ok != null) {
                    return ok;
                }
            }
        } catch (IOException e) {
            return new RelayMessage.Malformed("not JSON: " + firstLine(e.getMessage()), frame);
        }
        JsonNode a;
        try {
            a = JSON.readTree(frame);
        } catch (IOException e) {
            return new RelayMessage.Malformed("not JSON: " + firstLine(e.getMessage()), frame);
        }
        String verb = a.get(0).asText();
        try {
            return fromRelay ? relayMessage(verb, a, frame) : clientMessage(verb, a, frame);
        } catch (IllegalArgumentException e) {
            return new RelayMessage.Malformed(verb + ": " + e.getMessage(), frame);
        }
    }

    private static final String OK_PREFIX = "[\"OK\",\"";

    /**
     * {@code ["OK","<64 hex>",true|false,"message"]} as relays write it (no spaces, nothing escaped in the
     * message), else null and the parser decides. The relay sink reads one per event: a parser made for
     * each cost more than the rest of the OK's handling.
     */
    static RelayMessage.Ok compactOk(String frame) {
        int n = frame.length();
        int idEnd = OK_PREFIX.length() + 64;
        if (n < idEnd + 10 || !frame.startsWith(OK_PREFIX) || frame.charAt(idEnd) != '"' || frame.charAt(idEnd + 1) != ',') {
            return null;
        }
        String id = frame.substring(OK_PREFIX.length(), idEnd);
        if (!Hex.isLowerHex(id, 64)) {
            return null;
        }
        boolean accepted;
        int at;
        if (frame.startsWith("true,\"", idEnd + 2)) {
            accepted = true;
            at = idEnd + 8;
        } else if (frame.startsWith("false,\"", idEnd + 2)) {
            accepted = false;
            at = idEnd + 9;
        } else {
            return null;
        }
        if (n < at + 2 || frame.charAt(n - 1) != ']' || frame.charAt(n - 2) != '"') {
            return null;
        }
        for (int i = at; i < n - 2; i++) {
            char c = frame.charAt(i);
            if (c == '"' || c == '\\' || c < 0x20) {
                return null;
            }
        }
        return new RelayMessage.Ok(id, accepted, frame.substring(at, n - 2));
    }

    /** ["OK", "id", true|false, "message"] exactly, else null (the tree path then decides and names the defect). */
    private static RelayMessage.Ok plainOk(JsonParser p) {
        try {
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                return null;
            }
            String id = p.getText();
            JsonToken b = p.nextToken();
            if (b != JsonToken.VALUE_TRUE && b != JsonToken.VALUE_FALSE) {
                return null;
            }
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                return null;
            }
            String message = p.getText();
            if (p.nextToken() != JsonToken.END_ARRAY) {
                return null;
            }
            return new RelayMessage.Ok(id, b == JsonToken.VALUE_TRUE, message);
        } catch (IOException e) {
            return null; // not JSON: the tree path reports it as before
        }
    }

    /**
     * ["NEG-MSG", "sub", "hex"] exactly, the hex cut out of the frame, else null (the tree path then decides
     * and names the defect). A relay's answer can be a megabyte of hex: read as a JSON tree it took
     * 65-104 ms of a 1 % backfill's reconciliation (SideBySideBench), cut out it is one pass.
     */
    private static RelayMessage.NegMsg plainNegMsg(JsonParser p, String frame) {
        try {
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                return null;
            }
            String sub = p.getText();
            int n = frame.length();
            int i = skipSpace(frame, (int) p.currentLocation().getCharOffset());
            if (i >= n || frame.charAt(i) != ',') {
                return null;
            }
            i = skipSpace(frame, i + 1);
            if (i >= n || frame.charAt(i) != '"') {
                return null;
            }
            int start = i + 1;
            // the string's end found by indexOf, not by a check of each char: a relay's half-megabyte message is read
            // before the JIT compiles such a loop. What is in it is checked as hex when it is decoded (a NEG-MSG that
            // is not hex ends the reconciliation, whichever way it was read)
            int end = frame.indexOf('"', start);
            int escape = frame.indexOf('\\', start);
            if (end < 0 || escape >= 0 && escape < end) {
                return null; // an escape: the tree path reads the string as JSON does
            }
            int close = skipSpace(frame, end + 1);
            if (close >= n || frame.charAt(close) != ']' || skipSpace(frame, close + 1) != n) {
                return null;
            }
            return new RelayMessage.NegMsg(sub, frame.substring(start, end));
        } catch (IOException e) {
            return null;
        }
    }

    /** The cut alone: null where the JSON reading decides (tests). */
    static RelayMessage.NegMsg cutNegMsg(String frame) {
        try (JsonParser p = FACTORY.createParser(frame)) {
            return p.nextToken() == JsonToken.START_ARRAY && p.nextToken() == JsonToken.VALUE_STRING && "NEG-MSG".equals(p.getText())
                    ? plainNegMsg(p, frame) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The first index from i that is not JSON whitespace. */
    private static int skipSpace(String s, int i) {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return i;
            }
            i++;
        }
        return i;
    }

    /** ["EVENT", subId, {event}] — the event's exact text is cut out of the frame. */
    private static RelayMessage relayEvent(JsonParser p, String frame) throws IOException {
        if (p.nextToken() != JsonToken.VALUE_STRING) {
            return new RelayMessage.Malformed("EVENT: missing subscription id", frame);
        }
        String sub = p.getText();
        JsonToken t = p.nextToken();
        if (t != JsonToken.START_OBJECT) {
            return new RelayMessage.Malformed("EVENT: third element is not an event object", frame);
        }
        String event = cutObject(p, frame);
        if (p.nextToken() != JsonToken.END_ARRAY) {
            return new RelayMessage.Malformed("EVENT: unexpected elements after the event", frame);
        }
        return new RelayMessage.Event(sub, event);
    }

    /** ["EVENT", {event}] or ["AUTH", {event}] sent by a client. */
    private static RelayMessage clientEvent(JsonParser p, String frame, boolean auth) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return new RelayMessage.Malformed((auth ? "AUTH" : "EVENT") + ": second element is not an event object", frame);
        }
        String event = cutObject(p, frame);
        if (p.nextToken() != JsonToken.END_ARRAY) {
            return new RelayMessage.Malformed((auth ? "AUTH" : "EVENT") + ": unexpected elements after the event", frame);
        }
        return auth ? new RelayMessage.AuthResponse(event) : new RelayMessage.Publish(event);
    }

    private static String cutObject(JsonParser p, String frame) throws IOException {
        int start = (int) p.currentTokenLocation().getCharOffset();
        p.skipChildren();
        int end = (int) p.currentLocation().getCharOffset();
        return frame.substring(start, end);
    }

    private static RelayMessage relayMessage(String verb, JsonNode a, String frame) {
        switch (verb) {
            case "EOSE" -> {
                String sub = text(a, 1, "subscription id");
                arity(a, 2);
                return new RelayMessage.Eose(sub);
            }
            case "OK" -> {
                arity(a, 4);
                if (!a.get(2).isBoolean()) {
                    throw new IllegalArgumentException("third element must be true or false");
                }
                return new RelayMessage.Ok(text(a, 1, "event id"), a.get(2).asBoolean(), text(a, 3, "message"));
            }
            case "NOTICE" -> {
                arity(a, 2);
                return new RelayMessage.Notice(text(a, 1, "message"));
            }
            case "CLOSED" -> {
                arity(a, 3);
                return new RelayMessage.Closed(text(a, 1, "subscription id"), text(a, 2, "message"));
            }
            case "AUTH" -> {
                arity(a, 2);
                return new RelayMessage.Auth(text(a, 1, "challenge"));
            }
            case "COUNT" -> {
                arity(a, 3);
                JsonNode c = a.get(2).get("count");
                if (c == null || !c.isIntegralNumber()) {
                    throw new IllegalArgumentException("third element must be {\"count\": <integer>}");
                }
                return new RelayMessage.Count(text(a, 1, "subscription id"), c.asLong());
            }
            case "NEG-MSG" -> {
                arity(a, 3);
                return new RelayMessage.NegMsg(text(a, 1, "subscription id"), text(a, 2, "message"));
            }
            case "NEG-ERR" -> {
                arity(a, 3);
                return new RelayMessage.NegErr(text(a, 1, "subscription id"), text(a, 2, "reason"));
            }
            default -> {
                return new RelayMessage.Malformed("unknown message type '" + verb + "'", frame);
            }
        }
    }

    private static RelayMessage clientMessage(String verb, JsonNode a, String frame) {
        switch (verb) {
            case "REQ", "COUNT" -> {
                if (a.size() < 3) {
                    throw new IllegalArgumentException("needs a subscription id and at least one filter");
                }
                List<Filter> filters = new ArrayList<>(a.size() - 2);
                for (int i = 2; i < a.size(); i++) {
                    filters.add(Filter.fromJson(a.get(i)));
                }
                String sub = text(a, 1, "subscription id");
                return verb.equals("REQ") ? new RelayMessage.Req(sub, filters) : new RelayMessage.CountRequest(sub, filters);
            }
            case "CLOSE" -> {
                arity(a, 2);
                return new RelayMessage.Close(text(a, 1, "subscription id"));
            }
            case "NEG-OPEN" -> {
                arity(a, 4);
                return new RelayMessage.NegOpen(text(a, 1, "subscription id"), Filter.fromJson(a.get(2)), text(a, 3, "message"));
            }
            case "NEG-MSG" -> {
                arity(a, 3);
                return new RelayMessage.NegMsg(text(a, 1, "subscription id"), text(a, 2, "message"));
            }
            case "NEG-CLOSE" -> {
                arity(a, 2);
                return new RelayMessage.NegClose(text(a, 1, "subscription id"));
            }
            default -> {
                return new RelayMessage.Malformed("unknown message type '" + verb + "'", frame);
            }
        }
    }

    private static void arity(JsonNode a, int n) {
        if (a.size() != n) {
            throw new IllegalArgumentException("expected " + n + " elements, got " + a.size());
        }
    }

    private static String text(JsonNode a, int i, String what) {
        JsonNode n = a.get(i);
        if (n == null) {
            throw new IllegalArgumentException(what + " is missing");
        }
        if (!n.isTextual()) {
            throw new IllegalArgumentException(what + " must be a string");
        }
        return n.asText();
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    public static String encode(RelayMessage m) {
        StringBuilder sb = new StringBuilder(128);
        if (m instanceof RelayMessage.Event e) {
            sb.append("[\"EVENT\",");
            JsonText.appendString(sb, e.subscriptionId());
            sb.append(',').append(e.eventJson()).append(']');
        } else if (m instanceof RelayMessage.Eose e) {
            verbAnd(sb, "EOSE", e.subscriptionId()).append(']');
        } else if (m instanceof RelayMessage.Ok o) {
            verbAnd(sb, "OK", o.eventId()).append(',').append(o.accepted()).append(',');
            JsonText.appendString(sb, o.message());
            sb.append(']');
        } else if (m instanceof RelayMessage.Notice n) {
            verbAnd(sb, "NOTICE", n.message()).append(']');
        } else if (m instanceof RelayMessage.Closed c) {
            verbAnd(sb, "CLOSED", c.subscriptionId()).append(',');
            JsonText.appendString(sb, c.message());
            sb.append(']');
        } else if (m instanceof RelayMessage.Auth a) {
            verbAnd(sb, "AUTH", a.challenge()).append(']');
        } else if (m instanceof RelayMessage.Count c) {
            verbAnd(sb, "COUNT", c.subscriptionId()).append(",{\"count\":").append(c.count()).append("}]");
        } else if (m instanceof RelayMessage.NegMsg n) {
            verbAnd(sb, "NEG-MSG", n.subscriptionId()).append(',');
            JsonText.appendString(sb, n.hexMessage());
            sb.append(']');
        } else if (m instanceof RelayMessage.NegErr n) {
            verbAnd(sb, "NEG-ERR", n.subscriptionId()).append(',');
            JsonText.appendString(sb, n.reason());
            sb.append(']');
        } else if (m instanceof RelayMessage.Req r) {
            verbAnd(sb, "REQ", r.subscriptionId());
            r.filters().forEach(f -> sb.append(',').append(f.toJson()));
            sb.append(']');
        } else if (m instanceof RelayMessage.CountRequest r) {
            verbAnd(sb, "COUNT", r.subscriptionId());
            r.filters().forEach(f -> sb.append(',').append(f.toJson()));
            sb.append(']');
        } else if (m instanceof RelayMessage.Close c) {
            verbAnd(sb, "CLOSE", c.subscriptionId()).append(']');
        } else if (m instanceof RelayMessage.Publish p) {
            sb.append("[\"EVENT\",").append(p.eventJson()).append(']');
        } else if (m instanceof RelayMessage.AuthResponse a) {
            sb.append("[\"AUTH\",").append(a.eventJson()).append(']');
        } else if (m instanceof RelayMessage.NegOpen n) {
            verbAnd(sb, "NEG-OPEN", n.subscriptionId()).append(',').append(n.filter().toJson()).append(',');
            JsonText.appendString(sb, n.hexMessage());
            sb.append(']');
        } else if (m instanceof RelayMessage.NegClose n) {
            verbAnd(sb, "NEG-CLOSE", n.subscriptionId()).append(']');
        } else if (m instanceof RelayMessage.Malformed mf) {
            throw new IllegalArgumentException("cannot encode a malformed frame");
        }

        return sb.toString();
    }

    /**
     * ["NEG-MSG", sub, the message in hex], as {@link #encode} writes it: hex needs no escaping, so it is
     * copied, not scanned (a round's message can be tens of kilobytes: scanned char by char it took 42 ms
     * of a cold CLI's first round, whose compiler was still busy with the start).
     */
    public static String encodeNegMsg(String subscriptionId, byte[] message) {
        String hex = Hex.encode(message);
        StringBuilder sb = new StringBuilder(hex.length() + subscriptionId.length() + 20);
        verbAnd(sb, "NEG-MSG", subscriptionId).append(",\"").append(hex).append("\"]");
        return sb.toString();
    }

    private static StringBuilder verbAnd(StringBuilder sb, String verb, String first) {
        sb.append("[\"").append(verb).append("\",");
        JsonText.appendString(sb, first);
        return sb;
    }
}
