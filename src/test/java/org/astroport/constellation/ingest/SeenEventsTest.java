package org.astroport.constellation.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

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

    /** Random adds, lookups and removals against LinkedHashMap's access order: the same answers, the same survivors. */
    @Test
    void behavesAsAnAccessOrderedMapUnderRandomUse() {
        int capacity = 700;
        SeenEvents seen = new SeenEvents(capacity);
        Map<String, Boolean> model = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
        Random random = new Random(42);
        List<String> pool = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            StringBuilder id = new StringBuilder();
            for (int k = 0; k < 64; k++) {
                id.append(Character.forDigit(random.nextInt(16), 16));
            }
            pool.add(random.nextBoolean() ? id.toString() : id.toString().toUpperCase());
        }
        for (int step = 0; step < 200_000; step++) {
            String id = pool.get(random.nextInt(pool.size()));
            String key = id.toLowerCase();
            int op = random.nextInt(10);
            if (op < 5) {
                assertEquals(model.putIfAbsent(key, Boolean.TRUE) == null, seen.add(id), "add at step " + step);
            } else if (op < 9) {
                assertEquals(model.get(key) != null, seen.contains(id), "contains at step " + step);
            } else {
                assertEquals(model.remove(key) != null, seen.remove(id), "remove at step " + step);
            }
            assertEquals(model.size(), seen.size(), "size at step " + step);
        }
        for (String id : pool) {
            assertEquals(model.containsKey(id.toLowerCase()), seen.contains(id), id);
        }
    }

    @Test
    void aFullRepositoryKeepsItsCapacityOfTheLatestIds() {
        SeenEvents seen = new SeenEvents(5_000);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12_000; i++) {
            ids.add(String.format("%016x%016x", i * 0x9E3779B97F4A7C15L, (long) i) + "0".repeat(32));
            assertTrue(seen.add(ids.get(i)));
        }
        assertEquals(5_000, seen.size());
        for (int i = 0; i < ids.size(); i++) {
            assertEquals(i >= 7_000, seen.contains(ids.get(i)), "id " + i);
        }
    }
}
