package org.astroport.constellation.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.astroport.constellation.testsupport.Fixtures;
import org.junit.jupiter.api.Test;

class SeenEventsTest {

    @Test
    void remembersFixtureIdsAndRefusesTheSecondAdd() throws Exception {
        SeenEvents seen = new SeenEvents(10_000);
        List<String> ids = Fixtures.validLines().stream().map(l -> {
            try {
                return Fixtures.JSON.readTree(l).get("id").asText();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).distinct().toList();
        for (String id : ids) {
            assertFalse(seen.contains(id));
            assertTrue(seen.add(id), "first time: " + id);
        }
        for (String id : ids) {
            assertTrue(seen.contains(id));
            assertFalse(seen.add(id), "second time: " + id);
        }
        assertEquals(ids.size(), seen.size());
    }

    @Test
    void forgetsTheLeastRecentlyUsedFirst() {
        SeenEvents seen = new SeenEvents(3);
        String a = "a".repeat(64), b = "b".repeat(64), c = "c".repeat(64), d = "d".repeat(64);
        seen.add(a);
        seen.add(b);
        seen.add(c);
        assertTrue(seen.contains(a)); // a is now the most recent
        seen.add(d);
        assertEquals(3, seen.size());
        assertFalse(seen.contains(b), "b was the least recently used");
        assertTrue(seen.contains(a) && seen.contains(c) && seen.contains(d));
    }

    @Test
    void idsThatDifferAnywhereInTheFirst128BitsAreDistinct() {
        SeenEvents seen = new SeenEvents(100);
        String base = "0123456789abcdef".repeat(4);
        seen.add(base);
        for (int i = 0; i < 32; i++) {
            char[] x = base.toCharArray();
            x[i] = x[i] == 'f' ? '0' : 'f';
            assertFalse(seen.contains(new String(x)), "differs at hex digit " + i);
        }
    }

    @Test
    void oddKeysAreKeptAsTheyAreAndAStopForgetsNothing() throws Exception {
        SeenEvents seen = new SeenEvents(100);
        seen.start();
        assertTrue(seen.add("not-an-id"));
        assertTrue(seen.add("z".repeat(64)));
        seen.add("ab".repeat(32));
        seen.stop(); // a route reload stops the repository
        seen.start();
        assertTrue(seen.contains("not-an-id"));
        assertTrue(seen.contains("z".repeat(64)));
        assertTrue(seen.contains("ab".repeat(32)));
        assertTrue(seen.remove("ab".repeat(32)));
        assertFalse(seen.contains("ab".repeat(32)));
    }
}
