package org.astroport.constellation.backfill;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.astroport.constellation.nostr.Filter;
import org.astroport.constellation.relay.EventPeek;

/** The local strfry database read with {@code strfry scan}, as the station script does. */
public class StrfryLocalStore implements LocalStore {

    private final String strfryBin;
    private final Path config;
    private final Path workingDir;
    private final Path dbFile;

    public StrfryLocalStore(String strfryBin, Path config, Path workingDir, Path dbFile) {
        this.strfryBin = strfryBin;
        this.config = config;
        this.workingDir = workingDir;
        this.dbFile = dbFile;
    }

    private List<String> scan(boolean count, String filter) throws IOException, InterruptedException {
        List<String> out = new ArrayList<>();
        scan(count, filter, out::add);
        return out;
    }

    /** Streams strfry scan's output line by line (a big database does not fit in a small heap at once). */
    private void scan(boolean count, String filter, java.util.function.Consumer<String> lines) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(strfryBin);
        if (config != null) {
            cmd.add("--config=" + config);
        }
        cmd.add("scan");
        if (count) {
            cmd.add("--count");
        }
        cmd.add(filter);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        if (workingDir != null) {
            pb.directory(workingDir.toFile());
        }
        Process p = pb.start();
        p.getOutputStream().close();
        try (java.io.BufferedReader r = p.inputReader(StandardCharsets.UTF_8)) {
            String l;
            while ((l = r.readLine()) != null) {
                if (!l.isBlank()) {
                    lines.accept(l);
                }
            }
        }
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("strfry scan failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
        }
    }

    @Override
    public Set<String> authorsWithProfile(Collection<String> authors) throws Exception {
        Set<String> found = new HashSet<>();
        List<String> all = new ArrayList<>(authors);
        for (int i = 0; i < all.size(); i += 500) {
            Filter f = Filter.builder().kinds(List.of(0)).authors(all.subList(i, Math.min(all.size(), i + 500))).build();
            for (String line : scan(false, f.toJson())) {
                String pk = EventPeek.of(line).pubkey();
                if (pk != null) {
                    found.add(pk);
                }
            }
        }
        return found;
    }

    @Override
    public void scan(Filter filter, java.util.function.Consumer<String> events) throws Exception {
        scan(false, filter.withLimit(null).toJson(), events);
    }

    @Override
    public long eventCount() {
        try {
            List<String> lines = scan(true, "{}");
            return lines.isEmpty() ? -1 : Long.parseLong(lines.get(lines.size() - 1).trim());
        } catch (Exception e) {
            return -1;
        }
    }

    @Override
    public String databaseSize() {
        try {
            if (dbFile == null || !Files.exists(dbFile)) {
                return null;
            }
            long b = Files.size(dbFile);
            return b >= 1 << 30 ? String.format("%.1fG", b / (double) (1 << 30)) : b >= 1 << 20 ? String.format("%.1fM", b / (double) (1 << 20))
                    : String.format("%dK", b >> 10);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public String describe() {
        return "strfry scan (" + strfryBin + ")";
    }
}
