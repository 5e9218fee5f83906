package org.astroport.constellation.sink;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.astroport.constellation.ingest.SinkEvent;

/**
 * The fast path: one long-lived {@code strfry import --no-verify --show-rejected --debounce-millis=N}
 * child, fed every micro-batch on its stdin. We verified every signature already, and import bypasses
 * the relay's write-policy plugin, so replicated events do not wake local bots. Fixed argument list,
 * no shell.
 * <p>
 * strfry commits as it reads (every {@code debounceMillis}, or every 10,000 events) and says so on
 * its output after each commit: {@code Writer: added: A dups: D replaced: R deleted: X} (every event
 * that reached its writer, even when nothing new was committed), {@code Rejected event <id>: <reason>}
 * ({@code --show-rejected}) and {@code Unable to parse JSON on line N}. A batch is acknowledged once
 * those account for each of its lines and every line fed before it; each line is accounted exactly once,
 * after its commit. (The {@code Processed N lines} of strfry's {@code Committed} line counts lines read,
 * not committed, and an all-duplicate batch prints no {@code Committed} line at all: neither can acknowledge.)
 * The next batch may be fed before this one is acknowledged ({@link #submit}).
 * <p>
 * Under one deadline per batch: the lines go to stdin from the child's own feeder thread while the
 * caller waits for the acknowledgement; a child that stops reading, or never acknowledges, is killed
 * (with its children) when the deadline passes and the batch thrown back (the router spools it;
 * duplicates on replay are harmless). A child that died is replaced by the next write or probe
 * (logged, counted in {@link #restarts()}). A line over strfry's {@code events.maxEventSize} would make
 * strfry abort (and lose what follows it), so such events are refused before they are sent.
 */
public class StrfryImportSink implements EventSink, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StrfryImportSink.class);

    /**
     * strfry's commit delay after the first line of a batch reaches its writer, idle time for a sink
     * that waits for each batch: in batches of 1,000 (StrfryImportBench, 2 shared cores) 0 ms took
     * 7,957 events/s in 2,635 commits per 100,000 events, 5 ms 8,726/s in 738, 10 ms 7,659/s in 516,
     * 25 ms 5,946/s. Each commit is an fsync, dearer on a station's SD card than here.
     */
    public static final int DEFAULT_DEBOUNCE_MILLIS = 5;
    /** strfry's default events.maxEventSize: it aborts the import at a line ({@code \n} included) longer than this. */
    static final int DEFAULT_MAX_EVENT_SIZE = 65_536;
    /** How long a probe waits for a child it started to open its database, and close() for strfry's final "Done." line. */
    private static final long START_WAIT_MILLIS = 1000;
    private static final long STOP_WAIT_MILLIS = 10_000;

    // strfry's own output lines (src/apps/dbutils/cmd_import.cpp, src/WriterPipeline.h)
    private static final Pattern READY = Pattern.compile("not verifying event IDs or signatures");
    private static final Pattern REJECTED = Pattern.compile("Rejected event (\\S+): (.*)$");
    private static final Pattern UNPARSABLE = Pattern.compile("Unable to parse (?:fried )?JSON on line (\\d+)");
    private static final Pattern WRITER = Pattern.compile("Writer: added: (\\d+) dups: (\\d+) replaced: (\\d+) deleted: (\\d+)");
    private static final Pattern DONE = Pattern.compile("Done\\. Processed \\d+ lines\\.");
    private static final Pattern TOO_LARGE = Pattern.compile("Line larger than configured maxEventSize on line (\\d+)");
    private static final Pattern DB_SETTING = Pattern.compile("^\\s*db\\s*=\\s*\"([^\"]*)\"", Pattern.MULTILINE);
    private static final Pattern MAX_EVENT_SIZE = numberSetting("maxEventSize");
    private static final Pattern MAX_NUM_TAGS = numberSetting("maxNumTags");
    private static final Pattern MAX_TAG_VAL_SIZE = numberSetting("maxTagValSize");

    private final String strfryBin;
    private final Path config;
    private final Path workingDir;
    private final Duration timeout;
    private final int debounceMillis;
    /** Whether to hand strfry pre-packed events ({@link StrfryFriedLine}) once the binary passed {@link StrfryFriedCheck}. */
    private final boolean friedWanted;
    /** Whether the running child takes fried lines, decided as it starts: null before the first one. */
    private volatile Boolean fried;
    /** The first child's check, started with the sink; taken (and forgotten) by the first child. */
    private volatile CompletableFuture<Boolean> firstCheck;
    private volatile StrfryFriedLine.Limits friedLimits = StrfryFriedLine.Limits.DEFAULTS;
    /** Events that went through strfry's own parser while the child takes fried lines. */
    private final AtomicLong parsedByStrfry = new AtomicLong();

    /** Held by a write, a probe that (re)starts the child, and close(). */
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Child child;
    private volatile boolean closed;
    /** Lowered when strfry aborted at a line we thought would fit (a config we could not read). */
    private volatile int learnedMaxEventSize = Integer.MAX_VALUE;
    private final AtomicLong starts = new AtomicLong();
    private final AtomicLong restarts = new AtomicLong();
    /** strfry's writer passes that took events (one LMDB commit each, when something was new). */
    private final AtomicLong commits = new AtomicLong();

    public StrfryImportSink(String strfryBin, Path config, Path workingDir, Duration timeout) {
        this(strfryBin, config, workingDir, timeout, DEFAULT_DEBOUNCE_MILLIS);
    }

    public StrfryImportSink(String strfryBin, Path config, Path workingDir, Duration timeout, int debounceMillis) {
        this(strfryBin, config, workingDir, timeout, debounceMillis, false);
    }

    /** @param fried hand strfry pre-packed events when its binary writes exactly what we would ({@link StrfryFriedCheck}) */
    public StrfryImportSink(String strfryBin, Path config, Path workingDir, Duration timeout, int debounceMillis, boolean fried) {
        if (debounceMillis < 0) {
            throw new IllegalArgumentException("constellation.sink.import-debounce-millis must not be negative, not " + debounceMillis);
        }
        this.strfryBin = strfryBin;
        this.config = config;
        this.workingDir = workingDir;
        this.timeout = timeout;
        this.debounceMillis = debounceMillis;
        this.friedWanted = fried;
        if (fried) {
            // the first child's check runs while the application boots (three short strfry runs, ~0.1 s),
            // not in front of the first batch
            firstCheck = CompletableFuture.supplyAsync(this::friedMatches, r -> {
                Thread t = new Thread(r, "strfry-fried-check");
                t.setDaemon(true);
                t.start();
            });
        }
    }

    List<String> command() {
        return command(Boolean.TRUE.equals(fried));
    }

    private List<String> command(boolean friedLines) {
        List<String> cmd = new ArrayList<>();
        cmd.add(strfryBin);
        if (config != null) {
            cmd.add("--config=" + config);
        }
        cmd.add("import");
        cmd.add("--no-verify");
        cmd.add("--show-rejected");
        cmd.add("--debounce-millis=" + debounceMillis);
        if (friedLines) {
            cmd.add("--fried");
        }
        return cmd;
    }

    @Override
    public Result write(List<SinkEvent> batch) throws SinkUnavailableException {
        List<SinkEvent> stored = batch.stream().filter(e -> !e.isEphemeral()).toList();
        if (stored.isEmpty()) {
            return new Result(0, Map.of());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        lockBefore(deadline);
        try {
            return writeLocked(stored, deadline);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The batch goes to the running child at once and is acknowledged later ({@link Pending#await}), so that
     * strfry reads the next one while it commits this one: a sink that waits for each commit leaves strfry idle
     * between batches and itself idle during them. A batch that needs more care (an event for strfry's own
     * parser, one too large, one that is not a single line) is written at once, the way {@link #write} does.
     * A child that dies, or misses the deadline, throws from {@code await}: the batch is spooled and replayed.
     */
    @Override
    public Pending submit(List<SinkEvent> batch) throws SinkUnavailableException {
        List<SinkEvent> stored = batch.stream().filter(e -> !e.isEphemeral()).toList();
        if (stored.isEmpty()) {
            Result none = new Result(0, Map.of());
            return () -> none;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        lockBefore(deadline);
        try {
            if (closed) {
                throw new SinkUnavailableException("strfry import sink stopped");
            }
            Child c = running();
            long maxLine = Math.min(c.maxEventSize, learnedMaxEventSize);
            List<byte[]> lines = new ArrayList<>(stored.size());
            for (SinkEvent e : stored) {
                byte[] line = c.fried ? friedLine(e) : utf8(e.json());
                if (line == null || !e.isOneLine() || overLine(line, maxLine)) {
                    Result r = writeLocked(stored, deadline);
                    return () -> r;
                }
                lines.add(line);
            }
            Ticket t = c.feed(lines, ids(stored));
            int fed = lines.size();
            return () -> {
                Part p = c.awaitPart(t, deadline);
                if (p.tooLargeIndex() >= 0) {
                    // a limit its config hid from us, learned by awaitPart: the batch goes again (spooled), and that event is refused
                    throw new SinkUnavailableException("strfry import aborted at a line over its maxEventSize");
                }
                lock.lock();
                try {
                    c.noteDatabase();
                } finally {
                    lock.unlock();
                }
                Map<String, Integer> refused = new TreeMap<>();
                return new Result(Math.max(0, account(p, fed, refused)), refused);
            };
        } finally {
            lock.unlock();
        }
    }

    private void lockBefore(long deadline) throws SinkUnavailableException {
        try {
            if (!lock.tryLock(remainingMillis(deadline), TimeUnit.MILLISECONDS)) {
                throw new SinkUnavailableException("strfry import sink busy for " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SinkUnavailableException("interrupted while waiting for the strfry import sink");
        }
    }

    private static List<String> ids(List<SinkEvent> events) {
        return events.stream().map(SinkEvent::id).toList();
    }

    /** The batch through the running child (restarted once when it had died unnoticed), and the rare events around it. Under the lock. */
    private Result writeLocked(List<SinkEvent> stored, long deadline) throws SinkUnavailableException {
        if (closed) {
            throw new SinkUnavailableException("strfry import sink stopped");
        }
        Map<String, Integer> refused = new TreeMap<>();
        int written = 0;
        List<SinkEvent> rest = stored;
        boolean retried = false;
        while (!rest.isEmpty()) {
            Child before = child;
            Child c = running();
            long maxLine = Math.min(c.maxEventSize, learnedMaxEventSize);
            List<SinkEvent> send = new ArrayList<>(rest.size());
            List<byte[]> lines = new ArrayList<>(rest.size());
            List<SinkEvent> tooLarge = new ArrayList<>();
            List<SinkEvent> forStrfrysParser = new ArrayList<>();
            int multiLine = 0;
            for (SinkEvent e : rest) {
                byte[] line = c.fried ? friedLine(e) : utf8(e.json());
                if (!e.isOneLine()) { // one event, one line: strfry counts lines
                    multiLine++;
                } else if (line != null && !overLine(line, maxLine)) {
                    send.add(e);
                    lines.add(line);
                } else if (utf8Length(e.json()) + 1L > maxLine) {
                    tooLarge.add(e);
                } else {
                    forStrfrysParser.add(e); // not fried (or too long fried): strfry's parser decides
                }
            }
            Part p = null;
            if (!send.isEmpty()) {
                try {
                    p = c.importPart(lines, ids(send), deadline);
                    c.noteDatabase();
                } catch (ChildEnded e) {
                    if (c != before || e.acknowledged > 0 || retried) {
                        throw e;
                    }
                    // it had died since the last batch, unnoticed yet: nothing of this batch reached it, a new child takes it
                    retried = true;
                    continue;
                }
            }
            if (!forStrfrysParser.isEmpty()) {
                Result viaParser = importParsed(forStrfrysParser, deadline);
                written += viaParser.written();
                viaParser.refused().forEach((reason, n) -> refused.merge(reason, n, Integer::sum));
            }
            if (multiLine > 0) {
                refused.merge("unparsable", multiLine, Integer::sum);
            }
            for (SinkEvent e : tooLarge) {
                LOG.warn("strfry import refused event {} ({} bytes, over strfry's maxEventSize of {})", e.id(), utf8Length(e.json()), maxLine - 1);
                refused.merge("too-large", 1, Integer::sum);
            }
            if (p == null) {
                break;
            }
            written += account(p, send.size(), refused);
            if (p.tooLargeIndex < 0) {
                break;
            }
            // strfry aborted at a line over its maxEventSize (a config we could not read): that event is refused, the rest goes again
            SinkEvent big = send.get(p.tooLargeIndex);
            int bytes = lines.get(p.tooLargeIndex).length;
            LOG.warn("strfry import refused event {} ({} bytes, over strfry's maxEventSize)", big.id(), bytes);
            refused.merge("too-large", 1, Integer::sum);
            rest = send.subList(p.tooLargeIndex + 1, send.size());
        }
        return new Result(Math.max(0, written), refused);
    }

    /** The running child, or a new one when there is none or it died (under the lock). */
    private Child running() throws SinkUnavailableException {
        Child c = child;
        if (c != null && c.usable()) {
            if (c.sameDatabase()) {
                return c;
            }
            // a restored or moved database: what it would write from now on would land in the old file
            c.reported = true;
            retire(c, "");
            LOG.warn("strfry import (pid {}): its database file {} was replaced since it started; starting a new one", c.process.pid(), c.dbFile);
        } else if (c != null) {
            retire(c, "ended since the last batch");
        }
        // asked again for every child: the binary may have been replaced (an upgrade) since the last one started
        CompletableFuture<Boolean> first = firstCheck;
        firstCheck = null;
        boolean friedLines = first != null ? first.join() : friedWanted && friedMatches();
        fried = friedLines;
        c = new Child(start(command(friedLines)), configuredMaxEventSize(), databaseFile(), friedLines);
        child = c;
        if (starts.incrementAndGet() > 1) {
            long n = restarts.incrementAndGet();
            LOG.warn("strfry import restarted (pid {}; restart #{})", c.process.pid(), n);
        } else {
            LOG.info("strfry import started (pid {}): {}", c.process.pid(), String.join(" ", command()));
        }
        return c;
    }

    private Process start(List<String> cmd) throws SinkUnavailableException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (workingDir != null) {
            pb.directory(workingDir.toFile());
        }
        try {
            return pb.start();
        } catch (IOException e) {
            throw new SinkUnavailableException("cannot run " + strfryBin + ": " + e.getMessage(), e);
        }
    }

    /** Whether this strfry writes what we would hand it fried; logged either way. */
    private boolean friedMatches() {
        friedLimits = configuredTagLimits();
        long t0 = System.nanoTime();
        java.util.Optional<String> mismatch;
        try {
            mismatch = StrfryFriedCheck.mismatch(strfryBin, friedLimits);
        } catch (RuntimeException e) {
            mismatch = java.util.Optional.of("the check failed: " + e);
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (mismatch.isEmpty()) {
            LOG.info("strfry import takes our events pre-packed (--fried): this strfry wrote exactly our lines for {} test events ({} ms)",
                    StrfryFriedCheck.corpus().size(), ms);
            return true;
        }
        LOG.warn("strfry import parses every event itself (slower): its --fried lines differ from ours ({}); set constellation.sink.import-fried=false to skip this check",
                mismatch.get());
        return false;
    }

    /** Ingest and the spool hand over the parsed event; without it, strfry's parser reads the line. */
    private byte[] friedLine(SinkEvent e) {
        return e.event() == null ? null : StrfryFriedLine.of(e.event(), friedLimits);
    }

    /**
     * Events the fried child cannot take, through a short-lived strfry import that parses them (rare in
     * a constellation's kinds: an expiration tag, an a tag on a deletion, an odd e/p value; one process
     * per batch that holds any). Under the lock.
     */
    private Result importParsed(List<SinkEvent> events, long deadline) throws SinkUnavailableException {
        parsedByStrfry.addAndGet(events.size());
        Child once = new Child(start(command(false)), configuredMaxEventSize(), null, false);
        once.reported = true;
        try {
            Part p = once.importPart(events.stream().map(e -> utf8(e.json())).toList(), ids(events), deadline);
            if (p.tooLargeIndex() >= 0) {
                // a limit its config hid from us, learned by importPart: the batch goes again (spooled), and that event is refused
                throw new SinkUnavailableException("strfry import aborted at a line over its maxEventSize");
            }
            Map<String, Integer> refused = new TreeMap<>();
            int written = account(p, events.size(), refused);
            once.finish(Math.min(STOP_WAIT_MILLIS, remainingMillis(deadline)));
            return new Result(written, refused);
        } finally {
            once.kill();
        }
    }

    /** A part's refusals counted into refused (and logged); returns how many of its lines were written. */
    private static int account(Part p, int sent, Map<String, Integer> refused) {
        if (p.rejected() > 0) {
            refused.merge("invalid", p.rejected(), Integer::sum);
        }
        if (p.unparsable() > 0) {
            refused.merge("unparsable", p.unparsable(), Integer::sum);
        }
        if (p.rejected() + p.unparsable() > 0) {
            LOG.warn("strfry import refused {} of {} event(s){}", p.rejected() + p.unparsable(), sent,
                    p.firstReason().isEmpty() ? "" : " (first: " + p.firstReason() + ")");
        }
        return (p.tooLargeIndex() < 0 ? sent : p.tooLargeIndex()) - p.rejected() - p.unparsable();
    }

    /** Events that went through strfry's parser (not fried) since this sink was made. */
    public long parsedByStrfry() {
        return parsedByStrfry.get();
    }

    /** Whether the child takes pre-packed events; null before the first child started. */
    public Boolean fried() {
        return fried;
    }

    /** strfry's events.maxNumTags and maxTagValSize from the config it reads; its defaults when unreadable. */
    StrfryFriedLine.Limits configuredTagLimits() {
        StrfryFriedLine.Limits d = StrfryFriedLine.Limits.DEFAULTS;
        return new StrfryFriedLine.Limits(configSetting(MAX_NUM_TAGS, d.maxNumTags()), configSetting(MAX_TAG_VAL_SIZE, d.maxTagValSize()));
    }

    /**
     * A child that ended or failed: say why (once), make sure it is gone with its children, forget it.
     * Returns the why. Under the lock.
     */
    private String retire(Child c, String when) {
        if (child == c) {
            child = null;
        }
        String why = c.endDescription();
        c.kill();
        if (!c.reported) {
            c.reported = true;
            LOG.warn("strfry import (pid {}) {}: {}", c.process.pid(), when, why);
        }
        return why;
    }

    /** strfry's events.maxEventSize from the config it reads; its default when unreadable (the abort is still handled). */
    int configuredMaxEventSize() {
        return configSetting(MAX_EVENT_SIZE, DEFAULT_MAX_EVENT_SIZE);
    }

    /** A numeric setting (its name anywhere in a section) of strfry's config, comments left out; the fallback when unset or unreadable. */
    private int configSetting(Pattern setting, int fallback) {
        Path conf = effectiveConfig();
        if (conf == null) {
            return fallback;
        }
        try {
            for (String line : Files.readAllLines(conf)) {
                int hash = line.indexOf('#');
                Matcher m = setting.matcher(hash >= 0 ? line.substring(0, hash) : line);
                if (m.find()) {
                    return (int) Math.min(Integer.MAX_VALUE, Long.parseLong(m.group(1)));
                }
            }
        } catch (IOException | NumberFormatException e) {
            LOG.debug("cannot read {} from {}: {}", setting, conf, e.toString());
        }
        return fallback;
    }

    private static Pattern numberSetting(String name) {
        return Pattern.compile("(?:^|[\\s{.])" + name + "\\s*=\\s*(\\d+)");
    }

    /** Whether the line and its newline are longer than maxLine bytes. */
    private static boolean overLine(byte[] line, long maxLine) {
        return line.length + 1L > maxLine;
    }

    private static byte[] utf8(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    static int utf8Length(String s) {
        int n = s.length();
        int bytes = n;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    bytes += 1;
                } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    bytes += 2; // 4 bytes for the pair
                    i++;
                } else {
                    bytes += 2;
                }
            }
        }
        return bytes;
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    /** {@link #retire} from a thread that may not hold the lock (a batch's acknowledgement is awaited without it). */
    private String retireLocked(Child c, String when) {
        lock.lock();
        try {
            return retire(c, when);
        } finally {
            lock.unlock();
        }
    }

    /**
     * One part of a batch fed to a child: its lines base+1 .. target in the child's count, and the refusals
     * strfry said of them (placed by event id or line number). Guarded by the child.
     */
    private static final class Ticket {
        final long base;
        final long target;
        /** Each line's length: the lines themselves are garbage once fed, not kept until strfry commits them. */
        final int[] lineBytes;
        final List<String> ids;
        int rejected;
        int unparsable;
        String firstReason = "";
        boolean done;

        Ticket(long base, long target, int[] lineBytes, List<String> ids) {
            this.base = base;
            this.target = target;
            this.lineBytes = lineBytes;
            this.ids = ids;
        }

        Part part(int tooLargeIndex) {
            return new Part(rejected, unparsable, tooLargeIndex, firstReason);
        }
    }

    /** What one part of a batch came to: rejected and unparsable lines, and where strfry aborted (-1: it did not). */
    private record Part(int rejected, int unparsable, int tooLargeIndex, String firstReason) {
    }

    /** The child died while a batch was in progress, after acknowledging some of its lines. */
    private static final class ChildEnded extends SinkUnavailableException {
        final long acknowledged;

        ChildEnded(String message, long acknowledged) {
            super(message);
            this.acknowledged = acknowledged;
        }
    }

    /** Children started since this sink was made, the first one included. */
    public long starts() {
        return starts.get();
    }

    /** Children started to replace one that died or was killed. */
    public long restarts() {
        return restarts.get();
    }

    /** strfry writer passes (commits) that took events, over every child. */
    public long commits() {
        return commits.get();
    }

    /** The running child's pid, or -1. */
    public long childPid() {
        Child c = child;
        return c != null && c.process.isAlive() ? c.process.pid() : -1;
    }

    /**
     * The binary can run, the database directory its config names exists (strfry will not create it),
     * and the child is alive: one that died is replaced here (logged, counted), and one that cannot
     * start (exits before opening its database) fails the probe. A write in progress is left alone:
     * its own deadline watches the child.
     */
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
        Path dbDir = databaseDirectory(text);
        if (!Files.isDirectory(dbDir)) {
            throw new SinkUnavailableException("strfry database directory " + dbDir + " (db in " + conf + ") does not exist");
        }
        if (closed || !lock.tryLock()) {
            return;
        }
        try {
            Child before = child;
            Child c = running();
            if (c != before && c.awaitReady(START_WAIT_MILLIS)) {
                c.noteDatabase();
            }
            if (!c.usable()) {
                throw new SinkUnavailableException("strfry import ended at start: " + retire(c, "ended at start"));
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Graceful stop: closes the child's stdin, waits (bounded) for strfry's final "Done." line and
     * its exit, then kills whatever is left. Later writes throw (their batches spool).
     */
    @Override
    public void close() {
        closed = true;
        boolean locked = false;
        try {
            locked = lock.tryLock(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Child c = child;
            child = null;
            if (c == null) {
                return;
            }
            if (!c.usable()) {
                retire(c, "had ended");
                return;
            }
            long wait = Math.min(STOP_WAIT_MILLIS, timeout.toMillis());
            boolean done = c.finish(wait);
            boolean ended = !c.process.isAlive();
            c.reported = true;
            c.kill();
            if (done) {
                LOG.info("strfry import (pid {}) stopped: {}", c.process.pid(), c.lastLines());
            } else if (ended) {
                LOG.warn("strfry import (pid {}) ended without its final Done. line: {}", c.process.pid(), c.endDescription());
            } else {
                LOG.warn("strfry import (pid {}) did not end within {} ms of its input closing; killed{}", c.process.pid(), wait, c.lastLinesSuffix());
            }
        } finally {
            if (locked) {
                lock.unlock();
            }
        }
    }

    /** The db directory a strfry config names, resolved as strfry does. */
    private Path databaseDirectory(String configText) {
        Matcher m = DB_SETTING.matcher(configText);
        String db = m.find() ? m.group(1) : "./strfry-db/";
        return base().resolve(db).normalize();
    }

    /** LMDB's data file under the db directory of the config strfry reads; null when that cannot be told. */
    private Path databaseFile() {
        Path conf = effectiveConfig();
        try {
            return conf == null ? null : databaseDirectory(Files.readString(conf)).resolve("data.mdb");
        } catch (IOException e) {
            return null;
        }
    }

    /** The file's identity (device and inode on Linux); null when it does not exist. */
    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
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

    /**
     * One strfry import process: a feeder thread writing the batches handed to it to stdin, a reader
     * thread counting what strfry says. Counters and flags are guarded by the Child's monitor; the
     * waiting caller is woken by every line read, the end of the output and the process exit.
     */
    private final class Child {
        private static final List<byte[]> END = List.of();

        final Process process;
        final int maxEventSize;
        /** Takes fried lines (started with --fried). */
        final boolean fried;
        /** LMDB's data file it writes, and that file's identity once seen (under the sink's lock). */
        final Path dbFile;
        private Object dbFileKey;
        private final BlockingQueue<List<byte[]>> toFeed = new LinkedBlockingQueue<>();
        private final Thread feeder;
        private final Thread reader;
        /** Set when its end was logged (or it was stopped on purpose). Under the sink's lock. */
        boolean reported;

        // guarded by this
        private long linesSent;
        private long linesFed;
        /** Lines strfry's writer took (added, duplicate, replaced, deleted): in the order they were fed. */
        private long writerDone;
        /** Parts fed and not yet known finished, oldest first; their refusals are counted in them. */
        private final Deque<Ticket> open = new ArrayDeque<>();
        /** Refused lines (rejected, unparsable) of the parts no longer open. */
        private long settledRefused;
        private long tooLargeLine = -1;
        private boolean ready;
        private boolean doneLine;
        private boolean outputEnded;
        private boolean exited;
        private IOException feedError;
        private final Deque<String> tail = new ArrayDeque<>();

        Child(Process process, int maxEventSize, Path dbFile, boolean fried) {
            this.process = process;
            this.maxEventSize = maxEventSize;
            this.fried = fried;
            this.dbFile = dbFile;
            this.reader = new Thread(this::read, "strfry-import-output-" + process.pid());
            this.feeder = new Thread(this::feed, "strfry-import-stdin-" + process.pid());
            reader.setDaemon(true);
            feeder.setDaemon(true);
            reader.start();
            feeder.start();
            process.onExit().thenRun(() -> {
                synchronized (this) {
                    exited = true;
                    notifyAll();
                }
            });
        }

        /**
         * Whether the database file is still the one it opened (a stat per batch): an operator who
         * restores a backup or moves the database aside would otherwise get our events in the old file.
         */
        boolean sameDatabase() {
            return dbFile == null || dbFileKey == null || dbFileKey.equals(fileKey(dbFile));
        }

        /** Once strfry has surely opened its database (it acknowledged a batch, or said it is ready): which file that is. */
        void noteDatabase() {
            if (dbFile != null && dbFileKey == null) {
                dbFileKey = fileKey(dbFile);
            }
        }

        /** Alive, reading, and its output still open. */
        synchronized boolean usable() {
            return !exited && !outputEnded && feedError == null && process.isAlive();
        }

        /**
         * Lines strfry has finished with, as far as the open parts up to {@code last} tell: its writer takes
         * lines in the order they were fed, and a line it refuses is said (by its id or line number) before the
         * writer reports any line after it; refusals not said yet only make this smaller.
         */
        private long finished(Ticket last) {
            long refusedLines = settledRefused;
            for (Ticket t : open) {
                refusedLines += t.rejected + t.unparsable;
                if (t == last) {
                    break;
                }
            }
            return writerDone + refusedLines;
        }

        /** Whether every line of the part is finished; if so, it and the parts before it are closed. */
        private boolean done(Ticket t) {
            if (t.done) {
                return true;
            }
            if (finished(t) < t.target) {
                return false;
            }
            while (!open.isEmpty()) {
                Ticket u = open.poll();
                u.done = true;
                settledRefused += u.rejected + u.unparsable;
                if (u == t) {
                    break;
                }
            }
            return true;
        }

        /** Hands the lines to the feeder, behind any part still in flight; ids: the events' ids, to place strfry's refusals. */
        Ticket feed(List<byte[]> lines, List<String> ids) {
            Ticket t;
            synchronized (this) {
                int[] lineBytes = new int[lines.size()];
                for (int i = 0; i < lineBytes.length; i++) {
                    lineBytes[i] = lines.get(i).length;
                }
                t = new Ticket(linesSent, linesSent + lineBytes.length, lineBytes, ids);
                linesSent = t.target;
                open.add(t);
            }
            toFeed.add(lines);
            return t;
        }

        /**
         * Hands events to the feeder and waits until strfry accounts for all of them, the child dies,
         * or the deadline passes (then it is killed). Throws unless every line was accounted for or
         * strfry aborted at a line over its maxEventSize, after finishing every line before it.
         */
        Part importPart(List<byte[]> events, List<String> ids, long deadline) throws SinkUnavailableException {
            return awaitPart(feed(events, ids), deadline);
        }

        /** Waits for a part fed earlier, as {@link #importPart} does; parts are awaited in the order they were fed. */
        Part awaitPart(Ticket t, long deadline) throws SinkUnavailableException {
            boolean ended;
            try {
                synchronized (this) {
                    while (!done(t) && !exited && !outputEnded && feedError == null) {
                        long left = remainingMillis(deadline);
                        if (left <= 0) {
                            break;
                        }
                        wait(left);
                    }
                    if (done(t)) {
                        return t.part(-1);
                    }
                    ended = exited || outputEnded || feedError != null;
                }
                if (ended) {
                    // it died (or closed its input): let the reader take its last lines (bounded), then see how far it got
                    process.waitFor(Math.max(100, Math.min(1000, remainingMillis(deadline))), TimeUnit.MILLISECONDS);
                    reader.join(Math.max(100, Math.min(1000, remainingMillis(deadline))));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                retireLocked(this, "killed: interrupted during a batch");
                throw new SinkUnavailableException("interrupted while importing");
            }
            long took;
            boolean stoppedReading;
            Part abortedAt = null;
            synchronized (this) {
                took = Math.max(0, Math.min(t.target, finished(t)) - t.base);
                stoppedReading = linesFed < t.target;
                if (ended && done(t)) {
                    return t.part(-1);
                }
                if (ended && tooLargeLine > t.base && tooLargeLine <= t.target) {
                    int index = (int) (tooLargeLine - t.base - 1);
                    // so that the batch, spooled or not, never meets that line again
                    learnedMaxEventSize = Math.min(learnedMaxEventSize, t.lineBytes[index]);
                    if (finished(t) >= tooLargeLine - 1) {
                        abortedAt = t.part(index);
                    }
                }
            }
            if (abortedAt != null) {
                retireLocked(this, "aborted at a line over its maxEventSize");
                return abortedAt;
            }
            int size = t.lineBytes.length;
            if (ended) {
                String why = retireLocked(this, "ended during a batch");
                throw new ChildEnded("strfry import ended during a batch, " + took + " of " + size
                        + " line(s) acknowledged: " + why, took);
            }
            // the deadline passed with the child alive
            retireLocked(this, "killed at the deadline");
            throw new SinkUnavailableException("strfry import did not finish within " + timeout.toSeconds() + " s"
                    + (stoppedReading ? " (it stopped reading its input)" : " (it read the batch but acknowledged " + took + " of " + size + " line(s))")
                    + "; killed" + lastLinesSuffix());
        }

        private synchronized boolean outputEnded() {
            return outputEnded;
        }

        /**
         * Waits (bounded) for the reader to reach the end of a reaped child's output: its last words (why it
         * could not start) can still be in the pipe when its exit is seen, and the error must carry them.
         */
        private synchronized void awaitOutputEnd(long millis) {
            awaitState(() -> outputEnded, millis);
        }

        /** Waits (bounded) until strfry has opened its database, or ended; true if it said it is ready. */
        synchronized boolean awaitReady(long millis) {
            awaitState(() -> ready || exited || outputEnded, millis);
            return ready;
        }

        /** Waits on this child (its lock held) until the condition holds or the time is up. */
        private void awaitState(BooleanSupplier done, long millis) {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            try {
                while (!done.getAsBoolean()) {
                    long left = remainingMillis(until);
                    if (left <= 0) {
                        return;
                    }
                    wait(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Closes stdin and waits for strfry's "Done." line and its exit; false if it did not come in time. */
        boolean finish(long millis) {
            toFeed.add(END);
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            synchronized (this) {
                awaitState(() -> doneLine || exited || outputEnded, millis);
            }
            try {
                process.waitFor(Math.max(100, remainingMillis(until)), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (this) {
                return doneLine && !process.isAlive();
            }
        }

        /** The child and whatever it started (a wrapper script's children would hold the pipes open); the feeder let go. */
        void kill() {
            if (process.isAlive()) {
                List<ProcessHandle> children = process.descendants().toList();
                process.destroyForcibly();
                children.forEach(ProcessHandle::destroyForcibly);
                try {
                    process.waitFor(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            feeder.interrupt();
        }

        private void feed() {
            // streamed line by line: never a whole batch as one array. The lines are UTF-8 already (fried lines are written as bytes)
            try (OutputStream in = new BufferedOutputStream(process.getOutputStream(), 1 << 16)) {
                while (true) {
                    List<byte[]> part = toFeed.take();
                    if (part == END) {
                        return; // closes stdin: strfry flushes, says "Done." and exits
                    }
                    for (byte[] line : part) {
                        in.write(line);
                        in.write('\n');
                    }
                    in.flush();
                    synchronized (this) {
                        linesFed += part.size();
                    }
                }
            } catch (IOException e) {
                synchronized (this) {
                    feedError = e;
                    notifyAll();
                }
            } catch (InterruptedException e) {
                // killed
            }
        }

        private void read() {
            InputStream in = process.getInputStream();
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
            synchronized (this) {
                outputEnded = true;
                notifyAll();
            }
        }

        private synchronized void accept(String rawLine) {
            String line = rawLine.replaceAll("\\p{Cntrl}", " ").strip();
            Matcher m;
            if ((m = WRITER.matcher(line)).find()) {
                long n = 0;
                for (int g = 1; g <= 4; g++) {
                    n += Long.parseLong(m.group(g));
                }
                writerDone += n;
                if (n > 0) {
                    commits.incrementAndGet();
                }
            } else if ((m = REJECTED.matcher(line)).find()) {
                String id = m.group(1);
                Ticket t = open.stream().filter(u -> u.ids.contains(id)).findFirst().orElse(open.peek());
                if (t != null) { // none open: no line of ours is outstanding, it cannot be one of them
                    t.rejected++;
                    if (t.firstReason.isEmpty()) {
                        String reason = m.group(2);
                        t.firstReason = (reason.length() > 200 ? reason.substring(0, 200) : reason) + ", event " + id;
                    }
                }
            } else if ((m = UNPARSABLE.matcher(line)).find()) {
                long n = Long.parseLong(m.group(1));
                Ticket t = open.stream().filter(u -> n > u.base && n <= u.target).findFirst().orElse(open.peek());
                if (t != null) {
                    t.unparsable++;
                }
            } else if (DONE.matcher(line).find()) {
                doneLine = true;
            } else if ((m = TOO_LARGE.matcher(line)).find()) {
                tooLargeLine = Long.parseLong(m.group(1));
            } else if (READY.matcher(line).find()) {
                ready = true;
            }
            if (!line.isEmpty()) {
                tail.addLast(line.length() > 300 ? line.substring(0, 300) : line);
                if (tail.size() > 3) {
                    tail.removeFirst();
                }
            }
            notifyAll();
        }

        synchronized String lastLines() {
            return String.join(" | ", tail);
        }

        String lastLinesSuffix() {
            String s = lastLines();
            return s.isEmpty() ? "" : ": " + s;
        }

        /** How it ended, for a log line or an error: exit status and strfry's last words. */
        String endDescription() {
            String status;
            boolean ending;
            synchronized (this) {
                ending = outputEnded || feedError != null;
            }
            if (ending) {
                try {
                    process.waitFor(500, TimeUnit.MILLISECONDS); // its output ends a moment before it is reaped
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (!process.isAlive()) {
                awaitOutputEnd(500);
            }
            if (process.isAlive()) {
                IOException fe;
                synchronized (this) {
                    fe = feedError;
                }
                boolean closedOutput;
                synchronized (this) {
                    closedOutput = outputEnded;
                }
                status = fe != null ? "stopped reading its input (" + fe.getMessage() + ")" : closedOutput ? "closed its output" : "still running";
            } else {
                status = "exited " + process.exitValue();
            }
            return status + lastLinesSuffix();
        }
    }
}
