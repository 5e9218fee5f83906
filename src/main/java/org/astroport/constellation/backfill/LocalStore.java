package org.astroport.constellation.backfill;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.astroport.constellation.negentropy.NegentropyItems;
import org.astroport.constellation.nostr.Filter;

/** What the local strfry already holds, as far as the backfill needs to know. */
public interface LocalStore {

    /** Of these authors, those with at least one kind-0 (profile) event stored locally. */
    Set<String> authorsWithProfile(Collection<String> authors) throws Exception;

    /** Number of events stored, or -1 when unknown. */
    long eventCount();

    /** Size of the database, human readable, or null when unknown. */
    String databaseSize();

    String describe();

    /** Every stored event matching the filter (no limit), handed over as JSON text. */
    void scan(Filter filter, Consumer<String> events) throws Exception;

    /** Events stored under these ids, as JSON text (for peers that lack them). */
    default List<String> events(List<String> ids) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < ids.size(); i += 500) {
            scan(Filter.builder().ids(ids.subList(i, Math.min(ids.size(), i + 500))).build(), out::add);
        }
        return out;
    }

    /** (created_at, id) of the stored events matching the filter: our side of a negentropy reconciliation. */
    default NegentropyItems items(Filter filter) throws Exception {
        ObjectMapper json = new ObjectMapper();
        NegentropyItems.Builder b = NegentropyItems.builder();
        Set<String> seen = new HashSet<>();
        scan(filter, e -> {
            // the two fields found directly in what strfry writes: 99,000 stored events in 320 ms on a cold
            // JVM, against 900 for a JSON tree each and 770 for a streaming read (EventPeek); anything else
            // takes the full parse
            String id = topLevelId(e);
            long createdAt = id == null ? -1 : topLevelCreatedAt(e);
            if (createdAt < 0) {
                try {
                    JsonNode n = json.readTree(e);
                    id = n.path("id").asText("");
                    createdAt = n.path("created_at").asLong();
                } catch (Exception ignored) {
                    return; // a stored event we cannot read is simply not counted as ours: the peer sends it again
                }
            }
            if (id.length() == 64 && seen.add(id)) {
                b.add(createdAt, id);
            }
        });
        return b.seal();
    }

    /*
     * In a JSON object whose values are strings, numbers and arrays of strings (a Nostr event), a quote that
     * is not escaped only ever delimits a string, so "id":" can only be the key: a quote inside a value is
     * written \" and cannot start the pattern. strfry writes no spaces between tokens.
     */

    /** The event's id when written {@code "id":"<64 lowercase hex>"}, else null. */
    private static String topLevelId(String json) {
        int at = json.indexOf("\"id\":\"");
        if (at < 0 || at + 6 + 65 > json.length() || json.charAt(at + 6 + 64) != '"') {
            return null;
        }
        for (int i = at + 6; i < at + 6 + 64; i++) {
            char c = json.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return null;
            }
        }
        return json.substring(at + 6, at + 6 + 64);
    }

    /** The event's created_at when written {@code "created_at":<digits>} followed by , or }, else -1. */
    private static long topLevelCreatedAt(String json) {
        int at = json.indexOf("\"created_at\":");
        if (at < 0) {
            return -1;
        }
        long v = 0;
        int i = at + 13;
        int start = i;
        for (; i < json.length() && i - start < 18; i++) {
            char c = json.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            v = v * 10 + (c - '0');
        }
        return i > start && i < json.length() && (json.charAt(i) == ',' || json.charAt(i) == '}') ? v : -1;
    }
}
