package org.astroport.constellation.sink;

import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fast path: {@code strfry import --no-verify --show-rejected} fed one NDJSON micro-batch per run.
 * We verified every signature already, and import bypasses the relay's write-policy plugin, so
 * replicated events do not wake local bots. Fixed argument list, no shell.
 * <p>
 * The batch is streamed to the child's stdin by a helper thread while the caller waits, under one
 * deadline for writing and exit: a child that stops reading, or never exits, is killed (with its
 * children) when it passes, and the batch goes to the spool. Events strfry rejects (it names each
 * with {@code --show-rejected}) are counted as refused, not as written.
 */
public class StrfryImportSink implements EventSink {

    private static final Logger LOG = LoggerFactory.getLogger(StrfryImportSink.class);

    // strfry's own output lines (src/apps/dbutils/cmd_import.cpp, src/WriterPipeline.h)
    private static final Pattern REJECTED = Pattern.compile("Rejected event (\\S+): (.*)$");
    private static final Pattern UNPARSABLE = Pattern.compile("Unable to parse JSON on line (\\d+)");
    private static final Pattern DONE = Pattern.compile("Done\\. Processed (\\d+) lines\\. (\\d+) added, (\\d+) rejected, (\\d+) dups");
    private static final Pattern TOO_LARGE = Pattern.compile("Line larger than configured maxEventSize on line (\\d+)");
    private static final Pattern DB_SETTING = Pattern.compile("^\\s*db\\s*=\\s*\"([^\"]*)\"", Pattern.MULTILINE);

    private final String strfryBin;
    private final Path config;
    private final Path workingDir;
    private final Duration timeout;

    public StrfryImportSink(String strfryBin, Path config, Path workingDir, Duration timeout) {
        this.strfryBin = strfryBin;
        this.config = config;
        this.workingDir = workingDir;
        this.timeout = timeout;
    }

    List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(strfryBin);
        if (config != null) {
            cmd.add("--config=" + config);
        }
        cmd.add("import");
        cmd.add("--no-verify");
        cmd.add("--show-rejected");
        return cmd;
    }

    @Override
    public Result write(List<SinkEvent> batch) throws SinkUnavailableException {
        List<SinkEvent> stored = batch.stream().filter(e -> !e.isEphemeral()).toList();
        if (stored.isEmpty()) {
            return new Result(0, Map.of());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Integer> refused = new TreeMap<>();
        int written = 0;
        List<SinkEvent> rest = stored;
        while (!rest.isEmpty()) {
            Output out = importOnce(rest, deadline);
            int taken = out.tooLargeLine > 0 ? out.tooLargeLine - 1 : rest.size();
            int rejected = out.refused(taken);
            written += taken - rejected;
            if (out.rejected > 0) {
                refused.merge("invalid", out.rejected, Integer::sum);
            }
            if (rejected > out.rejected) {
                refused.merge("unparsable", rejected - out.rejected, Integer::sum);
            }
            if (rejected > 0) {
                LOG.warn("strfry import refused {} of {} event(s){}", rejected, taken, out.firstReason.isEmpty() ? "" : " (first: " + out.firstReason + ")");
            }
            if (out.tooLargeLine <= 0) {
                break;
            }
            // strfry aborts the whole import at a line over its maxEventSize: that event is refused, the rest goes again
            SinkEvent big = rest.get(out.tooLargeLine - 1);
            LOG.warn("strfry import refused event {} ({} bytes, over strfry's maxEventSize)", big.id(), big.json().length());
            refused.merge("too-large", 1, Integer::sum);
            rest = rest.subList(out.tooLargeLine, rest.size());
        }
        return new Result(written, refused);
    }

    /** One strfry import run over events, streamed to its stdin; throws unless it ran to the end or stopped at a too-large line. */
    private Output importOnce(List<SinkEvent> events, long deadline) throws SinkUnavailableException {
        ProcessBuilder pb = new ProcessBuilder(command()).redirectErrorStream(true);
        if (workingDir != null) {
            pb.directory(workingDir.toFile());
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new SinkUnavailableException("cannot run " + strfryBin + ": " + e.getMessage(), e);
        }
        Output output = new Output();
        Thread reader = new Thread(() -> output.readFrom(p.getInputStream()), "strfry-import-output");
        reader.setDaemon(true);
        reader.start();
        IOException[] feedError = new IOException[1];
        Thread feeder = new Thread(() -> {
            // streamed event by event: never the whole batch as one String or byte[]
            try (Writer in = new BufferedWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8), 1 << 16)) {
                for (SinkEvent e : events) {
                    in.write(e.json());
                    in.write('\n');
                }
            } catch (IOException e) {
                feedError[0] = e;
            }
        }, "strfry-import-stdin");
        feeder.setDaemon(true);
        feeder.start();
        try {
            if (!p.waitFor(remainingMillis(deadline), TimeUnit.MILLISECONDS)) {
                kill(p);
                throw new SinkUnavailableException("strfry import did not finish within " + timeout.toSeconds() + " s"
                        + (feeder.isAlive() ? " (it stopped reading its input)" : "") + "; killed" + output.lastLines());
            }
            // exited: the pipes are closed unless a child of it still holds them
            feeder.join(Math.max(100, remainingMillis(deadline)));
            reader.join(Math.max(100, Math.min(1000, remainingMillis(deadline))));
            if (feeder.isAlive()) {
                kill(p);
                throw new SinkUnavailableException("strfry import exited but its input is still held open; killed" + output.lastLines());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(p);
            throw new SinkUnavailableException("interrupted while importing");
        }
        int exit = p.exitValue();
        synchronized (output) {
            if (exit != 0 && output.tooLargeLine > 0 && output.tooLargeLine <= events.size()) {
                return output;
            }
            if (exit != 0) {
                throw new SinkUnavailableException("strfry import exited " + exit + output.lastLines());
            }
            if (feedError[0] != null) {
                throw new SinkUnavailableException("strfry import stopped reading: " + feedError[0].getMessage() + output.lastLines(), feedError[0]);
            }
            output.tooLargeLine = 0;
            return output;
        }
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    /** The child and whatever it started (a wrapper script's children would hold the pipes open). */
    private static void kill(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        try {
            p.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What strfry import said: rejections counted, its summary, the last lines for error messages. */
    private static final class Output {
        int rejected;
        int unparsable;
        int doneProcessed = -1;
        int doneRejected = -1;
        int tooLargeLine;
        String firstReason = "";
        final Deque<String> tail = new ArrayDeque<>();

        void readFrom(InputStream in) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(256);
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            accept(line.toString(StandardCharsets.UTF_8));
                            line.reset();
                        } else if (line.size() < 2000) { // strfry's lines are short; a runaway one is cut
                            line.write(buf[i]);
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process died; its exit status tells
            }
            if (line.size() > 0) {
                accept(line.toString(StandardCharsets.UTF_8));
            }
        }

        synchronized void accept(String rawLine) {
            String line = rawLine.replaceAll("\\p{Cntrl}", " ").strip();
            Matcher m;
            if ((m = REJECTED.matcher(line)).find()) {
                rejected++;
                if (firstReason.isEmpty()) {
                    String reason = m.group(2);
                    firstReason = (reason.length() > 200 ? reason.substring(0, 200) : reason) + ", event " + m.group(1);
                }
            } else if (UNPARSABLE.matcher(line).find()) {
                unparsable++;
            } else if ((m = DONE.matcher(line)).find()) {
                doneProcessed = Integer.parseInt(m.group(1));
                doneRejected = Integer.parseInt(m.group(3));
            } else if ((m = TOO_LARGE.matcher(line)).find()) {
                tooLargeLine = Integer.parseInt(m.group(1));
            }
            if (!line.isEmpty()) {
                tail.addLast(line);
                if (tail.size() > 3) {
                    tail.removeFirst();
                }
            }
        }

        /** Events out of the first {@code fed} that strfry did not take: rejected, or not even parsed. */
        synchronized int refused(int fed) {
            int n = doneProcessed >= 0 ? doneRejected + Math.max(0, fed - doneProcessed) : rejected + unparsable;
            return Math.min(fed, Math.max(n, 0));
        }

        synchronized String lastLines() {
            return tail.isEmpty() ? "" : ": " + String.join(" | ", tail);
        }
    }

    /** The binary can run, and the database directory its config names exists (strfry will not create it). */
    @Override
    public void probe() throws SinkUnavailableException {
        Path bin = Path.of(strfryBin);
        if (!Files.isExecutable(bin)) {
            throw new SinkUnavailableException("strfry binary " + strfryBin + " is not executable (or missing)");
        }
        Path conf = effectiveConfig();
        if (conf == null) {
            throw new SinkUnavailableException("no strfry config (none given, no $STRFRY_CONFIG, /etc/strfry.conf or ./strfry.conf)");
        }
        String text;
        try {
            text = Files.readString(conf);
        } catch (IOException e) {
            throw new SinkUnavailableException("strfry config " + conf + " unreadable: " + e.getMessage(), e);
        }
        Matcher m = DB_SETTING.matcher(text);
        String db = m.find() ? m.group(1) : "./strfry-db/";
        Path dbDir = base().resolve(db).normalize();
        if (!Files.isDirectory(dbDir)) {
            throw new SinkUnavailableException("strfry database directory " + dbDir + " (db in " + conf + ") does not exist");
        }
    }

    /** The config strfry will read, in strfry's own order of lookup. */
    private Path effectiveConfig() {
        if (config != null) {
            return base().resolve(config);
        }
        String env = System.getenv("STRFRY_CONFIG");
        if (env != null && !env.isEmpty()) {
            return base().resolve(env);
        }
        if (Files.exists(Path.of("/etc/strfry.conf"))) {
            return Path.of("/etc/strfry.conf");
        }
        Path local = base().resolve("strfry.conf");
        return Files.exists(local) ? local : null;
    }

    /** strfry's working directory, against which its relative paths resolve. */
    private Path base() {
        return workingDir != null ? workingDir : Path.of("").toAbsolutePath();
    }

    @Override
    public boolean forwardsEphemeral() {
        return false;
    }

    @Override
    public String describe() {
        return "strfry import (" + String.join(" ", command()) + ")";
    }
}
