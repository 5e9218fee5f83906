package org.astroport.constellation.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Stand-ins for {@code strfry import --no-verify --show-rejected --debounce-millis=N} speaking its
 * protocol (src/apps/dbutils/cmd_import.cpp, src/WriterPipeline.h): every line read is appended to a
 * file and acknowledged as strfry's writer does after a commit ({@code Writer: added: 1 dups: 0
 * replaced: 0 deleted: 0}); at the end of its input it says {@code Done. ...}, notes it in
 * {@code <received>.ended} and exits. Each start appends its pid to {@code <script>.pids}. Extra awk
 * rules run first for each line ({@code NR} is the line number since the child started; {@code next}
 * skips the acknowledgement).
 */
public final class FakeStrfry {

    private FakeStrfry() {
    }

    /** An importer that acknowledges every line. */
    public static Path importer(Path script, Path received) throws IOException {
        return importer(script, received, "", "");
    }

    /**
     * prelude: shell lines run first (before strfry would open its database); rules: awk rules for
     * each line, before it is stored and acknowledged (no single quote in them).
     */
    public static Path importer(Path script, Path received, String prelude, String rules) throws IOException {
        if (rules.contains("'")) {
            throw new IllegalArgumentException("no single quotes in the awk rules");
        }
        String body = """
                #!/bin/sh
                # a strfry that knows import only (so the sink's --fried check, which exports first, fails without importing)
                case " $* " in *" import "*) ;; *) echo "fake strfry: import only" >&2; exit 1;; esac
                echo $$ >> '%1$s.pids'
                %2$s
                # mawk reads its whole input before the first rule unless told to go line by line
                interactive=
                if awk -W version 2>/dev/null | grep -q mawk; then interactive="-W interactive"; fi
                echo 'WARN| not verifying event IDs or signatures!'
                exec awk $interactive -v out='%3$s' '
                %4$s
                { print >> out; fflush(out); print "Writer: added: 1 dups: 0 replaced: 0 deleted: 0"; fflush() }
                END { print "Done. Processed " NR " lines. " NR " added, 0 rejected, 0 dups"; fflush(); print NR >> (out ".ended") }'
                """.formatted(script, prelude, received, rules);
        Files.writeString(script, body);
        if (!script.toFile().setExecutable(true)) {
            throw new IOException("cannot make " + script + " executable");
        }
        return script;
    }

    /** Pids of the children started so far, in order. */
    public static List<Long> starts(Path script) throws IOException {
        Path pids = Path.of(script + ".pids");
        return Files.exists(pids) ? Files.readAllLines(pids).stream().filter(l -> !l.isBlank()).map(l -> Long.parseLong(l.trim())).toList() : List.of();
    }

    /** How many children reached the end of their input (or an awk exit) and said "Done.", rather than being killed. */
    public static int endedOnTheirOwn(Path received) throws IOException {
        Path ended = Path.of(received + ".ended");
        return Files.exists(ended) ? (int) Files.readAllLines(ended).stream().filter(l -> !l.isBlank()).count() : 0;
    }

    /** Waits until every child started so far has exited; false if one is still alive after millis. */
    public static boolean awaitAllEnded(Path script, long millis) throws IOException, InterruptedException {
        long until = System.currentTimeMillis() + millis;
        for (long pid : starts(script)) {
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                if (System.currentTimeMillis() > until) {
                    return false;
                }
                Thread.sleep(20);
            }
        }
        return true;
    }

    /** Lines the importers stored so far. */
    public static List<String> received(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList() : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }
}
