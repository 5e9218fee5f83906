package org.astroport.constellation.sync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.astroport.constellation.relay.SyncPositions;
import org.astroport.constellation.sink.SinkRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sync positions on disk, one small JSON file per peer ({@code <peer>.json}: subscription id to epoch
 * second), written atomically and fsynced. A checkpoint records how many events had entered the sink
 * route when it was taken; it commits once the sink has settled (written, refused or spooled) that
 * many, in order, and is dropped if events were lost downstream since. Never later than now.
 */
public class DurablePositions implements SyncPositions {

    private static final Logger LOG = LoggerFactory.getLogger(DurablePositions.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reconciles a peer over a window and returns once its events are safe: true, or false when it could not. */
    public interface GapCloser {
        boolean close(String peer, String url, String authRelayUrl, long since, long until);
    }

    private record Pending(String peer, long cycle, Map<String, Long> candidate, long entered) {
    }

    private final Path dir;
    private final SinkRouter sink;
    private final Clock clock;
    private final GapCloser gaps;
    private final ExecutorService gapWorker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sync-gaps");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Map<String, Long>> committed = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();

    public DurablePositions(Path dir, SinkRouter sink, Clock clock, GapCloser gaps) throws IOException {
        this.dir = dir;
        this.sink = sink;
        this.clock = clock;
        this.gaps = gaps;
        Files.createDirectories(dir);
    }

    public Path directory() {
        return dir;
    }

    @Override
    public Map<String, Long> positions(String peer) {
        return Map.copyOf(committed.computeIfAbsent(peer, this::load));
    }

    @Override
    public void checkpoint(String peer, long cycle, Map<String, Long> candidate) {
        pending.add(new Pending(peer, cycle, Map.copyOf(candidate), sink.entered()));
    }

    @Override
    public long cycle() {
        return sink.losses();
    }

    @Override
    public CompletableFuture<Boolean> closeGap(String peer, String url, String authRelayUrl, long since, long until) {
        return CompletableFuture.supplyAsync(() -> gaps.close(peer, url, authRelayUrl, since, until), gapWorker);
    }

    /** Commits the checkpoints whose events are safe and saves the peers that moved; the positions route calls it. */
    public synchronized int commitSafe() {
        long settled = sink.settled();
        long cycle = cycle();
        long now = clock.millis() / 1000;
        Set<String> moved = new TreeSet<>();
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.cycle() != cycle) {
                it.remove(); // taken before a loss: the session catches up again from its last safe position
            } else if (settled >= p.entered()) {
                it.remove();
                Map<String, Long> current = committed.computeIfAbsent(p.peer(), this::load);
                Map<String, Long> next = new HashMap<>(current);
                p.candidate().forEach((sub, t) -> next.merge(sub, Math.min(t, now), Math::max));
                if (!next.equals(current)) {
                    committed.put(p.peer(), next);
                    moved.add(p.peer());
                }
            }
        }
        for (String peer : moved) {
            save(peer, committed.get(peer));
        }
        return moved.size();
    }

    /** Seconds between now and the oldest position of the peer; -1 when it has none. */
    public long secondsBehind(String peer) {
        Map<String, Long> p = committed.computeIfAbsent(peer, this::load);
        return p.isEmpty() ? -1 : Math.max(0, clock.millis() / 1000 - p.values().stream().mapToLong(Long::longValue).min().orElse(0));
    }

    /** Every peer's positions, known or on disk. */
    public Map<String, Map<String, Long>> all() {
        try (var files = Files.list(dir)) {
            files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json")).forEach(n -> committed.computeIfAbsent(n.substring(0, n.length() - 5), this::load));
        } catch (IOException e) {
            LOG.debug("listing {}: {}", dir, e.toString());
        }
        return new TreeMap<>(committed);
    }

    public void close() {
        commitSafe();
        gapWorker.shutdownNow();
    }

    private Path fileOf(String peer) {
        return dir.resolve(peer.replaceAll("[^A-Za-z0-9._-]", "_") + ".json");
    }

    private Map<String, Long> load(String peer) {
        Path f = fileOf(peer);
        if (!Files.exists(f)) {
            return Map.of();
        }
        try {
            JsonNode n = JSON.readTree(f.toFile()).path("subscriptions");
            Map<String, Long> out = new HashMap<>();
            n.fields().forEachRemaining(e -> {
                if (e.getValue().canConvertToLong() && e.getValue().asLong() > 0) {
                    out.put(e.getKey(), e.getValue().asLong());
                }
            });
            return out;
        } catch (IOException | RuntimeException e) {
            LOG.warn("sync position {} unreadable ({}): {} starts over from the live lookback; the daily backfill covers the rest. Delete the file to silence this",
                    f, e.getMessage().replaceAll("[\\r\\n]+", " "), peer);
            return Map.of();
        }
    }

    private void save(String peer, Map<String, Long> positions) {
        Path f = fileOf(peer);
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        ObjectNode root = JSON.createObjectNode();
        root.put("peer", peer);
        ObjectNode subs = root.putObject("subscriptions");
        new TreeMap<>(positions).forEach(subs::put);
        long oldest = positions.values().stream().mapToLong(Long::longValue).min().orElse(0);
        root.put("oldest", Instant.ofEpochSecond(oldest).toString());
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap((root.toString() + "\n").getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true); // the rename itself survives a power cut
            }
        } catch (IOException e) {
            // the position stays in memory and is saved with the next move; a crash meanwhile repeats events, never loses them
            LOG.warn("cannot save the sync position of {} to {}: {}", peer, f, e.toString());
        }
    }
}
