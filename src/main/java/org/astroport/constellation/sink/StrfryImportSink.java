package org.astroport.constellation.sink;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The fast path: {@code strfry import --no-verify} fed one NDJSON micro-batch per run. We verified
 * every signature already, and import bypasses the relay's write-policy plugin, so replicated events
 * do not wake local bots. Fixed argument list, no shell.
 */
public class StrfryImportSink implements EventSink {

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
        return cmd;
    }

    @Override
    public Result write(List<SinkEvent> batch) throws SinkUnavailableException {
        List<SinkEvent> stored = batch.stream().filter(e -> !e.isEphemeral()).toList();
        if (stored.isEmpty()) {
            return new Result(0, Map.of());
        }
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
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> readTail(p.getInputStream(), output), "strfry-import-output");
        reader.setDaemon(true);
        reader.start();
        try (OutputStream in = p.getOutputStream()) {
            StringBuilder ndjson = new StringBuilder(stored.size() * 600);
            for (SinkEvent e : stored) {
                ndjson.append(e.json()).append('\n');
            }
            in.write(ndjson.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            p.destroyForcibly();
            throw new SinkUnavailableException("strfry import stopped reading: " + e.getMessage() + lastLines(output), e);
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new SinkUnavailableException("strfry import did not finish within " + timeout.toSeconds() + " s" + lastLines(output));
            }
            reader.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new SinkUnavailableException("interrupted while importing");
        }
        if (p.exitValue() != 0) {
            throw new SinkUnavailableException("strfry import exited " + p.exitValue() + lastLines(output));
        }
        return new Result(stored.size(), Map.of());
    }

    private static void readTail(InputStream in, StringBuilder out) {
        try {
            byte[] all = in.readAllBytes();
            String s = new String(all, StandardCharsets.UTF_8);
            synchronized (out) {
                out.append(s.length() > 4000 ? s.substring(s.length() - 4000) : s);
            }
        } catch (IOException ignored) {
            // the process died; its exit status tells
        }
    }

    private static String lastLines(StringBuilder output) {
        synchronized (output) {
            String s = output.toString().strip();
            if (s.isEmpty()) {
                return "";
            }
            String[] lines = s.split("\n");
            return ": " + String.join(" | ", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 3), lines.length));
        }
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
