package org.astroport.constellation.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The real-format fixtures, copied into the repository (src/test/resources/fixtures, see its README). */
public final class Fixtures {

    public static final ObjectMapper JSON = new ObjectMapper();
    public static final long REFERENCE_TIME = 1_763_900_000L;
    public static final String LOCAL_NODE_ID = "12D3KooWL86bKSXuqFLcLHkrfi2kEFu7g4RJswV6pmLwnE3mkeL8";

    private Fixtures() {
    }

    public static Path dir() {
        String p = System.getProperty("fixtures.dir");
        Path d = p != null ? Path.of(p) : Path.of("src", "test", "resources", "fixtures");
        if (!Files.isDirectory(d)) {
            throw new IllegalStateException("fixtures not found at " + d.toAbsolutePath() + " (set -Dfixtures.dir)");
        }
        return d;
    }

    public static Path events(String name) {
        return dir().resolve("events").resolve(name);
    }

    public static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<String> validLines() {
        return lines(events("valid.ndjson"));
    }

    public static JsonNode expected() {
        return read(dir().resolve("expected.json"));
    }

    public static JsonNode read(Path p) {
        try {
            return JSON.readTree(p.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** label → {secret, pubkey, nsec, npub, role} */
    public static Map<String, JsonNode> keys() {
        Map<String, JsonNode> out = new TreeMap<>();
        read(events("keys.json")).fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    public static String secretOf(String label) {
        return keys().get(label).get("secret").asText();
    }

    public static String pubkeyOf(String label) {
        return keys().get(label).get("pubkey").asText();
    }

    /** One invalid.ndjson case with the exact wire text to feed (raw line, or the event value's own text). */
    public record InvalidCase(int number, String why, String clazz, String expect, String wire) {
    }

    public static List<InvalidCase> invalidCases() {
        List<InvalidCase> out = new ArrayList<>();
        int n = 0;
        for (String line : lines(events("invalid.ndjson"))) {
            n++;
            try {
                JsonNode node = JSON.readTree(line);
                String wire;
                if (node.has("raw")) {
                    wire = node.get("raw").asText();
                } else {
                    // "event" is the last member: its value's text is everything after the key up to the final brace
                    int at = line.indexOf("\"event\":");
                    wire = line.substring(at + "\"event\":".length(), line.lastIndexOf('}'));
                }
                out.add(new InvalidCase(n, node.get("why").asText(), node.get("class").asText(), node.get("expect").asText(), wire));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** real-world.ndjson: the event value's text of each line. */
    public static List<String> realWorldEvents() {
        List<String> out = new ArrayList<>();
        for (String line : lines(events("real-world.ndjson"))) {
            int at = line.indexOf("\"event\":");
            out.add(line.substring(at + "\"event\":".length(), line.lastIndexOf('}')));
        }
        return out;
    }

    /**
     * n kind-1 notes by member-1, one a second back from the reference time, as ingest hands them to a sink
     * (origin "peer", the size they arrived with, their JSON made when a sink asks for it).
     */
    public static List<org.astroport.constellation.ingest.SinkEvent> sinkNotes(int n, String tag) {
        List<org.astroport.constellation.ingest.SinkEvent> out = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            org.astroport.constellation.nostr.NostrEvent e = org.astroport.constellation.nostr.EventSigner.sign(secretOf("member-1"),
                    REFERENCE_TIME - i, 1, List.of(), tag + " " + i);
            out.add(org.astroport.constellation.ingest.SinkEvent.of(e, "peer", System.nanoTime(), e.toJson().length()));
        }
        return out;
    }

    /** The ids of events given as JSON text, sorted. */
    public static java.util.SortedSet<String> ids(List<String> events) {
        java.util.SortedSet<String> s = new java.util.TreeSet<>();
        for (String e : events) {
            try {
                s.add(JSON.readTree(e).get("id").asText());
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
        }
        return s;
    }
}
