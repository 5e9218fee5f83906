package org.astroport.constellation.sink;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.astroport.constellation.nostr.NostrEvent;

/**
 * Before the import sink hands strfry pre-packed events, it asks the strfry binary it runs: a handful of
 * events that cover every rule of the packed record (indexed and unindexed tags, binary e/p, the
 * virtual d tags, escaping) go through strfry's own parser into a scratch database, and
 * {@code strfry export --fried} must give back, line for line, what {@link StrfryFriedLine} writes. Any
 * difference (another strfry version, a binary without {@code --fried}) and the sink keeps strfry's
 * plain import.
 */
final class StrfryFriedCheck {

    private static final long WAIT_SECONDS = 10;

    private StrfryFriedCheck() {
    }

    /** Empty when this strfry writes exactly our lines; else what differed. */
    static Optional<String> mismatch(String strfryBin, StrfryFriedLine.Limits limits) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("constellation-fried-check");
            Files.createDirectories(dir.resolve("db"));
            Path conf = Files.writeString(dir.resolve("strfry.conf"), "db = \"" + dir.resolve("db") + "/\"\nrelay {\n    nofiles = 0\n}\n");
            // a strfry without export --fried fails here, before anything is imported
            if (run(List.of(strfryBin, "--config=" + conf, "export", "--fried"), "", dir) == null) {
                return Optional.of("strfry export --fried failed on an empty database (a strfry without --fried?)");
            }
            List<NostrEvent> corpus = corpus();
            StringBuilder in = new StringBuilder();
            for (NostrEvent e : corpus) {
                in.append(e.toJson()).append('\n');
            }
            String imported = run(List.of(strfryBin, "--config=" + conf, "import", "--no-verify", "--debounce-millis=0"), in.toString(), dir);
            String exported = run(List.of(strfryBin, "--config=" + conf, "export", "--fried"), "", dir);
            if (exported == null || imported == null) {
                return Optional.of("strfry import / export --fried did not run: " + (imported == null ? "import" : "export") + " failed");
            }
            Set<String> theirs = new HashSet<>(exported.lines().toList());
            for (NostrEvent e : corpus) {
                byte[] fried = StrfryFriedLine.of(e, limits);
                String ours = fried == null ? null : new String(fried, StandardCharsets.UTF_8);
                if (ours == null || !theirs.contains(ours)) {
                    String same = exported.lines().filter(l -> l.contains(e.id())).findFirst().orElse("(not exported)");
                    return Optional.of("event kind " + e.kind() + ": strfry wrote " + clip(same) + ", we would write " + clip(String.valueOf(ours)));
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot run the check: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        } finally {
            if (dir != null) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException ignored) {
                    // a scratch folder left in the temp directory
                }
            }
        }
    }

    /** Its standard output when it exits 0 within the wait, else null. */
    private static String run(List<String> cmd, String input, Path dir) throws IOException, InterruptedException {
        Path out = dir.resolve("out.txt");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectOutput(out.toFile()).start();
        try (OutputStream stdin = p.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return null;
        }
        return p.exitValue() == 0 ? Files.readString(out) : null;
    }

    private static String clip(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    /** One event per rule of the packed record, each by its own author so none replaces another. */
    static List<NostrEvent> corpus() {
        String e64 = hex(900, 32);
        List<NostrEvent> out = new ArrayList<>();
        out.add(event(1, 1, List.of(List.of("t", "bench"), List.of("e", e64), List.of("p", e64.toUpperCase()), List.of("alt", "a multi-letter name"),
                List.of("x"), List.of("r", "r".repeat(300)), List.of("\u00e9", "a name of two bytes"), List.of("t", "caf\u00e9 \u00fcn\u00efcode \ud83d\ude00"),
                List.of("e", e64, "wss://relay.example", "reply")),
                "quote \" backslash \\ newline \n tab \t cr \r del \u007f bell \u0007 slash / unicode \u00e9\u2028 \ud83d\ude00"));
        out.add(event(2, 0, List.of(), "{\"name\":\"station\",\"about\":\"a profile\"}"));
        out.add(event(3, 41, List.of(List.of("e", e64)), "channel metadata"));
        out.add(event(4, 30023, List.of(List.of("d", "a-slug"), List.of("t", "long-form")), "an article"));
        out.add(event(5, 3, List.of(List.of("p", hex(901, 32)), List.of("p", hex(902, 32))), ""));
        out.add(event(6, 10002, List.of(List.of("r", "wss://relay.example"), List.of("r", "wss://other.example", "read")), ""));
        out.add(event(7, 5, List.of(List.of("e", hex(903, 32)), List.of("k", "1")), "deleted"));
        out.add(event(8, 1, List.of(List.of("t", "v".repeat(255)), List.of("t", "w".repeat(256))), "the longest indexed value and one past it"));
        return out;
    }

    private static NostrEvent event(int n, int kind, List<List<String>> tags, String content) {
        return new NostrEvent(hex(n, 32), hex(100 + n, 32), 1_700_000_000L + n, kind, tags, content, hex(200 + n, 64));
    }

    /** Deterministic hex: any bytes do, strfry's import is told not to verify. */
    private static String hex(int seed, int bytes) {
        StringBuilder sb = new StringBuilder(bytes * 2);
        long x = seed * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < bytes; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            sb.append(String.format("%02x", x & 0xff));
        }
        return sb.toString();
    }
}
