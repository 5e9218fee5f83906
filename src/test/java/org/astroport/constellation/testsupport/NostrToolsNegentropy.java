package org.astroport.constellation.testsupport;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * nostr-tools' NIP-77 client (an independent implementation, from npm) in a node child process,
 * driven line by line. Installs nostr-tools under target/ on first use; without node or npm the
 * calling test is reported as skipped, with the reason.
 */
public final class NostrToolsNegentropy implements AutoCloseable {

    public static final String VERSION = "2.25.2";

    private final Process node;
    private final PrintWriter in;
    private final BufferedReader out;

    private NostrToolsNegentropy(Process node) {
        this.node = node;
        this.in = new PrintWriter(node.getOutputStream(), false, StandardCharsets.UTF_8);
        this.out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
    }

    public static NostrToolsNegentropy start() throws Exception {
        Path dir = Path.of("target", "negentropy-js").toAbsolutePath();
        Files.createDirectories(dir);
        if (!Files.isRegularFile(dir.resolve("node_modules/nostr-tools/lib/esm/nip77.js"))) {
            run(dir, 180, "npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", dir.toString(), "nostr-tools@" + VERSION);
        }
        try (InputStream script = NostrToolsNegentropy.class.getResourceAsStream("/negentropy/nostr-tools-client.mjs")) {
            Files.copy(script, dir.resolve("client.mjs"), StandardCopyOption.REPLACE_EXISTING);
        }
        Process p;
        try {
            p = new ProcessBuilder("node", dir.resolve("client.mjs").toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (java.io.IOException e) {
            Assumptions.abort("node is not installed (" + e.getMessage() + "): the nostr-tools cross-check cannot run");
            throw e;
        }
        return new NostrToolsNegentropy(p);
    }

    private static void run(Path dir, int timeoutSeconds, String... cmd) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            Assumptions.abort(cmd[0] + " is not installed (" + e.getMessage() + "): the nostr-tools cross-check cannot run");
            throw e;
        }
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
            Assumptions.abort("installing nostr-tools@" + VERSION + " from npm failed: " + log);
        }
    }

    /** Sends one command; returns its answer lines (without the final "ok"). */
    public List<String> call(String command) throws Exception {
        in.println(command);
        in.flush();
        List<String> lines = new ArrayList<>();
        String l;
        while ((l = out.readLine()) != null && !l.equals("ok")) {
            if (!l.isEmpty()) {
                lines.add(l);
            }
        }
        if (l == null) {
            throw new IllegalStateException("the node process ended");
        }
        return lines;
    }

    /** Loads many items in one write. */
    public void load(List<String> itemLines) throws Exception {
        for (String line : itemLines) {
            in.println(line);
        }
        in.flush();
        for (int i = 0; i < itemLines.size(); i++) {
            String l = out.readLine();
            while (l != null && !l.equals("ok")) {
                if (!l.isEmpty()) {
                    throw new IllegalStateException("nostr-tools refused an item: " + l);
                }
                l = out.readLine();
            }
        }
    }

    @Override
    public void close() {
        in.close();
        node.destroy();
    }
}
