package org.astroport.constellation.backfill;

import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.astroport.constellation.negentropy.NegentropyItems;

/**
 * Our side of a reconciliation: (created_at, id) of each stored event, found in its JSON text without
 * parsing it. A local store lists every event of the window (99,000 for a 1 % gap), and a one-shot
 * backfill runs on C1 only: read as lines of text and parsed, that listing cost the CLI about 0.8 s
 * on top of the 0.2 s strfry takes to write it.
 * <p>
 * In a JSON object whose values are strings, numbers and arrays of strings (a Nostr event), a quote that
 * is not escaped only ever delimits a string, so {@code "id":"} can only be the key: a quote inside a value
 * is written {@code \"} and cannot start the pattern. strfry writes no spaces between tokens. An event
 * written otherwise takes the full parse.
 */
final class StoredItems {

    private static final byte[] ID_KEY = "\"id\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CREATED_AT_KEY = "\"created_at\":".getBytes(StandardCharsets.US_ASCII);

    private final NegentropyItems.Builder items = NegentropyItems.builder();
    /** Each id is decoded here, then copied by the builder: no array per event. */
    private final byte[] id32 = new byte[NegentropyItems.ID_SIZE];
    private ObjectMapper json;

    /** One stored event as text; its created_at, or -1 when it could not be read (not added). */
    long add(String event) {
        long createdAt = addWritten(event);
        return createdAt >= 0 ? createdAt : addParsed(event);
    }

    /**
     * The fast path alone, on any text holding one event and no other object: an event, or a relay's
     * EVENT frame whole (its other values are strings). Its created_at, or -1 when not added.
     */
    long addWritten(String text) {
        // every byte of the patterns is ASCII, and Latin-1 keeps each char at its index (others become '?')
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        return addWritten(bytes, 0, bytes.length);
    }

    /** One stored event as the UTF-8 bytes [from, to) of a line (strfry scan's output). */
    void add(byte[] line, int from, int to) {
        if (addWritten(line, from, to) < 0) {
            addParsed(new String(line, from, to - from, StandardCharsets.UTF_8));
        }
    }

    NegentropyItems seal() {
        return items.seal();
    }

    private long addWritten(byte[] text, int from, int to) {
        // strfry writes its keys in order (content, created_at, id, ...): created_at first, then id from there
        // on, so the content is scanned once; another order finds id on the second search
        int at = indexOf(text, from, to, CREATED_AT_KEY);
        if (at < 0) {
            return -1;
        }
        long createdAt = 0;
        int i = at + CREATED_AT_KEY.length;
        int start = i;
        for (; i < to && i - start < 18 && text[i] >= '0' && text[i] <= '9'; i++) {
            createdAt = createdAt * 10 + (text[i] - '0');
        }
        if (i == start || i >= to || text[i] != ',' && text[i] != '}') {
            return -1;
        }
        int id = indexOf(text, i, to, ID_KEY);
        if (id < 0) {
            id = indexOf(text, from, at, ID_KEY);
        }
        if (id < 0 || id + ID_KEY.length + 65 > to || text[id + ID_KEY.length + 64] != '"') {
            return -1;
        }
        for (int k = 0, h = id + ID_KEY.length; k < id32.length; k++, h += 2) {
            int hi = lowerHexDigit(text[h]);
            int lo = lowerHexDigit(text[h + 1]);
            if (hi < 0 || lo < 0) {
                return -1;
            }
            id32[k] = (byte) (hi << 4 | lo);
        }
        items.add(createdAt, id32);
        return createdAt;
    }

    /** The full parse alone (what {@link #addWritten} could not read). */
    long addParsed(String event) {
        try {
            if (json == null) {
                json = new ObjectMapper();
            }
            JsonNode n = json.readTree(event);
            String id = n.path("id").asText("");
            if (id.length() == 64 && n.path("created_at").canConvertToLong()) {
                items.add(n.path("created_at").asLong(), id);
                return n.path("created_at").asLong();
            }
        } catch (Exception ignored) {
            // a stored event we cannot read is simply not counted as ours: the peer sends it again
        }
        return -1;
    }

    private static int lowerHexDigit(byte b) {
        return b >= '0' && b <= '9' ? b - '0' : b >= 'a' && b <= 'f' ? b - 'a' + 10 : -1;
    }

    private static int indexOf(byte[] text, int from, int to, byte[] pattern) {
        byte first = pattern[0];
        for (int i = from, last = to - pattern.length; i <= last; i++) {
            if (text[i] != first) {
                continue;
            }
            int k = 1;
            while (k < pattern.length && text[i + k] == pattern[k]) {
                k++;
            }
            if (k == pattern.length) {
                return i;
            }
        }
        return -1;
    }
}
