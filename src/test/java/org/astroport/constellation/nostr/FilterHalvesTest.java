package org.astroport.constellation.nostr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The two halves of a filter match exactly what it does, each event by one half only, and every list is cut in turn. */
class FilterHalvesTest {

    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String C = "c".repeat(64);

    private static NostrEvent event(String pubkey, int kind, String p) {
        return new NostrEvent("0".repeat(64), pubkey, 100, kind, p == null ? List.of() : List.of(List.of("p", p)), "", "0".repeat(128));
    }

    @Test
    void halvesCutAuthorsThenKindsThenTagValuesAndTogetherMatchTheSame() {
        Filter f = Filter.builder().authors(List.of(A, B, C)).kinds(List.of(1, 7)).tag("p", Set.of(A, B)).since(100L).until(100L).build();
        List<NostrEvent> events = new ArrayList<>();
        for (String who : List.of(A, B, C)) {
            for (int kind : List.of(1, 7, 9)) {
                for (String p : new String[] {A, B, C, null}) {
                    events.add(event(who, kind, p));
                }
            }
        }
        List<Filter> leaves = new ArrayList<>();
        List<Filter> todo = new ArrayList<>(List.of(f));
        int cuts = 0;
        while (!todo.isEmpty()) {
            Filter next = todo.remove(todo.size() - 1);
            List<Filter> h = next.halves();
            if (h.isEmpty()) {
                leaves.add(next);
            } else {
                assertEquals(2, h.size());
                cuts++;
                for (NostrEvent e : events) {
                    int by = (h.get(0).matches(e) ? 1 : 0) + (h.get(1).matches(e) ? 1 : 0);
                    assertEquals(next.matches(e) ? 1 : 0, by, "each event next matches is matched by one half only: " + next.toJson());
                }
                for (Filter half : h) {
                    assertEquals(100L, half.since());
                    assertEquals(100L, half.until());
                }
                todo.addAll(h);
            }
        }
        // 3 authors x 2 kinds x 2 p values: 12 filters of one value each, reached by 11 cuts
        assertEquals(12, leaves.size());
        assertEquals(11, cuts);
        for (Filter leaf : leaves) {
            assertEquals(1, leaf.authors().size());
            assertEquals(1, leaf.kinds().size());
            assertEquals(1, leaf.tags().get("p").size());
        }
        assertTrue(Filter.builder().ids(List.of(A)).build().halves().isEmpty());
        assertTrue(Filter.builder().kinds(List.of(1)).build().halves().isEmpty(), "nothing left to cut");
    }
}
