package org.astroport.constellation.backfill;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
import org.astroport.constellation.negentropy.NegentropyItems;
import org.astroport.constellation.relay.EventPeek;

/** The local strfry database read with {@code strfry scan}, as the station script does. */
public class StrfryLocalStore implements LocalStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StrfryLocalStore.class);

    private final String strfryBin;
    private final Path config;
    private final Path workingDir;
    private final Path dbFile;
    private final LocalStore relay;

    public StrfryLocalStore(String strfryBin, Path config, Path workingDir, Path dbFile) {
        this(strfryBin, config, workingDir, dbFile, null);
    }

    /**
     * @param relay the station's relay on this database, asked first which authors have a profile: a REQ
     *        on a connection takes milliseconds where starting {@code strfry scan} took ~0.25 s (a tenth of an
     *        incremental backfill); null, or a relay that does not answer, and the database is scanned
     */
    public StrfryLocalStore(String strfryBin, Path config, Path workingDir, Path dbFile, LocalStore relay) {
        this.strfryBin = strfryBin;
        this.config = config;
        this.workingDir = workingDir;
        this.dbFile = dbFile;
        this.relay = relay;
    }

    private List<String> scan(boolean count, String filter) throws IOException, InterruptedException {
        List<String> out = new ArrayList<>();
        scan(count, filter, out::add);
        return out;
    }

    /** Streams strfry scan's output line by line (a big database does not fit in a small heap at once). */
    private void scan(boolean count, String filter, java.util.function.Consumer<String> lines) throws IOException, InterruptedException {
        scanLines(count, filter, (line, from, to) -> lines.accept(new String(line, from, to - from, StandardCharsets.UTF_8)));
    }

    /** A line of output as bytes [from, to) of a buffer that is reused once the call returns. */
    private interface LineBytes {
        void accept(byte[] line, int from, int to);
    }

    /** A stored event longer than this is not one strfry would have accepted (its default limit is 64 KB). */
    static final int MAX_LINE_BYTES = 16 << 20;

    private void scanLines(boolean count, String filter, LineBytes lines) throws IOException, InterruptedException {
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
        // bytes, not a Reader: no String per line unless a caller wants one (see StoredItems)
        try (java.io.InputStream in = p.getInputStream()) {
            byte[] buf = new byte[1 << 16];
            int start = 0;
            int end = 0;
            for (int read; ; end += read) {
                if (end == buf.length) {
                    if (start > 0) {
                        System.arraycopy(buf, start, buf, 0, end - start);
                        end -= start;
                        start = 0;
                    } else if (buf.length >= MAX_LINE_BYTES) {
                        p.destroy();
                        throw new IOException("strfry scan wrote a line longer than " + MAX_LINE_BYTES + " bytes");
                    } else {
                        buf = java.util.Arrays.copyOf(buf, buf.length * 2);
                    }
                }
                read = in.read(buf, end, buf.length - end);
                if (read < 0) {
                    break;
                }
                for (int i = end; (i = nextNewline(buf, i, end + read)) >= 0; i++) {
                    line(buf, start, i, lines);
                    start = i + 1;
                }
            }
            line(buf, start, end, lines);
        }
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("strfry scan failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
        }
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * The first '\n' in [from, to), or -1. Eight bytes at a time (the zero-byte test on the bytes xor '\n'):
     * the listing reads every byte of 45 MB for 100,000 events, and byte by byte that loop cost a third
     * of our share of it on C1.
     */
    static int nextNewline(byte[] buf, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long v = (long) LONGS.get(buf, i) ^ 0x0a0a0a0a0a0a0a0aL;
            long zeroBytes = (v - 0x0101010101010101L) & ~v & 0x8080808080808080L;
            if (zeroBytes != 0) {
                return i + (Long.numberOfTrailingZeros(zeroBytes) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static void line(byte[] buf, int from, int to, LineBytes lines) {
        while (to > from && (buf[to - 1] == '\r' || buf[to - 1] == ' ' || buf[to - 1] == '\t')) {
            to--;
        }
        if (to > from) {
            lines.accept(buf, from, to);
        }
    }

    /** Our side of a reconciliation read from the bytes strfry writes (see {@link StoredItems}). */
    @Override
    public NegentropyItems items(Filter filter) throws Exception {
        StoredItems items = new StoredItems();
        scanLines(false, filter.withLimit(null).toJson(), items::add);
        return items.seal();
    }

    @Override
    public Set<String> authorsWithProfile(Collection<String> authors) throws Exception {
        if (relay != null) {
            try {
                return relay.authorsWithProfile(authors);
            } catch (Exception e) {
                LOG.debug("{} did not answer which authors have a profile ({}): scanning the database", relay.describe(), e.getMessage());
            }
        }
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
