package org.astroport.constellation.discovery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.astroport.constellation.ingest.AuthorSet;
import org.astroport.constellation.nostr.Hex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whose events matter: the union of the station's key files, minus the blacklist (unless a key is
 * also in an amisOfAmis list). Each source file is held separately, so re-reading one file never
 * touches the others; a per-key reference count makes {@link #isMonitored} O(1).
 */
public final class AuthorRegistry implements AuthorSet {

    private static final Logger LOG = LoggerFactory.getLogger(AuthorRegistry.class);
    static final String BLACKLIST = "strfry/blacklist.txt";

    private final Path home;
    // source name (path relative to home, plus " captainHEX"/"NODEHEX" for descriptors) → its keys
    private final Map<String, Set<String>> sources = new HashMap<>();
    private final Map<String, AuthorSource> sourceKinds = new HashMap<>();
    private final Map<String, Integer> refCount = new ConcurrentHashMap<>();
    private final Map<String, Integer> amisCount = new ConcurrentHashMap<>();
    private volatile Set<String> blacklist = Set.of();
    private final Map<String, List<String>> invalidLines = new TreeMap<>();
    private final AtomicLong version = new AtomicLong();
    private final AtomicLong monitoredCount = new AtomicLong();
    private long publishedVersion = 0;
    private volatile List<String> sortedCache = List.of();
    private volatile long sortedCacheVersion = -1;

    public AuthorRegistry(Path home) {
        this.home = home;
    }

    // ------------------------------------------------------------------ queries

    @Override
    public boolean isMonitored(String pubkeyHex) {
        Integer n = refCount.get(pubkeyHex);
        if (n == null || n <= 0) {
            return false;
        }
        return !blacklist.contains(pubkeyHex) || amisCount.getOrDefault(pubkeyHex, 0) > 0;
    }

    public boolean contains(String pubkeyHex) {
        return isMonitored(pubkeyHex);
    }

    /** Blocked by the blacklist although some source lists it. */
    public boolean isBlacklisted(String pubkeyHex) {
        return blacklist.contains(pubkeyHex) && amisCount.getOrDefault(pubkeyHex, 0) == 0;
    }

    /** The monitored keys, sorted. */
    public List<String> authors() {
        long v = version.get();
        if (sortedCacheVersion != v) {
            synchronized (this) {
                TreeSet<String> out = new TreeSet<>();
                for (Map.Entry<String, Integer> e : refCount.entrySet()) {
                    if (e.getValue() > 0 && isMonitored(e.getKey())) {
                        out.add(e.getKey());
                    }
                }
                sortedCache = List.copyOf(out);
                sortedCacheVersion = v;
            }
        }
        return sortedCache;
    }

    /** Number of monitored keys, kept incrementally (no list is built). */
    public int size() {
        return (int) monitoredCount.get();
    }

    public long version() {
        return version.get();
    }

    /** Keys named by the sources this accepts (kind, name relative to home), sorted, blacklisted ones left out. */
    public synchronized List<String> keysFrom(java.util.function.BiPredicate<AuthorSource, String> source) {
        TreeSet<String> out = new TreeSet<>();
        sources.forEach((name, keys) -> {
            if (source.test(sourceKinds.get(name), name)) {
                out.addAll(keys);
            }
        });
        out.removeAll(blacklist());
        return new ArrayList<>(out);
    }

    /** Sources naming this key, sorted. */
    public synchronized List<String> sourcesOf(String pubkeyHex) {
        List<String> out = new ArrayList<>();
        sources.forEach((name, keys) -> {
            if (keys.contains(pubkeyHex)) {
                out.add(name);
            }
        });
        Collections.sort(out);
        return out;
    }

    public synchronized AuthorSource kindOfSource(String sourceName) {
        return sourceKinds.get(sourceName);
    }

    /** Distinct valid keys per kind of source (before dedup across kinds and before the blacklist). */
    public synchronized Map<AuthorSource, Integer> countsBySource() {
        Map<AuthorSource, Set<String>> keys = new EnumMap<>(AuthorSource.class);
        for (AuthorSource s : AuthorSource.values()) {
            keys.put(s, new HashSet<>());
        }
        sources.forEach((name, k) -> keys.get(sourceKinds.get(name)).addAll(k));
        Map<AuthorSource, Integer> out = new EnumMap<>(AuthorSource.class);
        keys.forEach((s, k) -> out.put(s, k.size()));
        return out;
    }

    /** Lines skipped as invalid, per file (relative to home). */
    public synchronized Map<String, List<String>> invalidLines() {
        Map<String, List<String>> out = new TreeMap<>();
        invalidLines.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return out;
    }

    public synchronized int invalidLineCount() {
        return invalidLines.values().stream().mapToInt(List::size).sum();
    }

    public Set<String> blacklist() {
        return blacklist;
    }

    /** The current version when it changed since the last call: the (debounced) "authors changed" signal. */
    public synchronized Optional<Long> takeChange() {
        long v = version.get();
        if (v == publishedVersion) {
            return Optional.empty();
        }
        publishedVersion = v;
        return Optional.of(v);
    }

    // ------------------------------------------------------------------ updates

    /** A key file was created or changed: its whole content. Returns true when the monitored set changed. */
    public boolean keyFileRead(Path file, String content) {
        String rel = relative(file);
        if (rel.equals(BLACKLIST)) {
            return blacklistRead(content);
        }
        AuthorSource kind = kindOf(rel);
        if (kind == null) {
            LOG.debug("ignoring {}: not a key source", rel);
            return false;
        }
        List<String> bad = new ArrayList<>();
        Set<String> keys = parseKeys(content, bad);
        synchronized (this) {
            if (bad.isEmpty()) {
                invalidLines.remove(rel);
            } else {
                List<String> before = invalidLines.put(rel, bad);
                if (!bad.equals(before)) {
                    LOG.warn("{}: skipped {} invalid line(s), e.g. '{}'", rel, bad.size(), abbreviate(bad.get(0)));
                }
            }
        }
        return setSource(rel, kind, keys);
    }

    public boolean keyFileRead(Path file) {
        try {
            return keyFileRead(file, Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.warn("cannot read key file {}: {}", file, e.toString());
            return false;
        }
    }

    /** Replaces one source's keys (descriptors use this for captainHEX / NODEHEX). */
    public synchronized boolean setSource(String name, AuthorSource kind, Collection<String> keys) {
        Set<String> next = new LinkedHashSet<>(keys);
        Set<String> prev = sources.get(name);
        if (prev != null && prev.equals(next)) {
            return false;
        }
        if (prev == null && next.isEmpty()) {
            return false;
        }
        Set<String> touched = new HashSet<>(next);
        if (prev != null) {
            touched.addAll(prev);
        }
        Map<String, Boolean> before = snapshot(touched);
        if (prev != null) {
            for (String k : prev) {
                decrement(refCount, k);
                if (kind.overridesBlacklist()) {
                    decrement(amisCount, k);
                }
            }
        }
        if (next.isEmpty()) {
            sources.remove(name);
            sourceKinds.remove(name);
        } else {
            sources.put(name, next);
            sourceKinds.put(name, kind);
            for (String k : next) {
                refCount.merge(k, 1, Integer::sum);
                if (kind.overridesBlacklist()) {
                    amisCount.merge(k, 1, Integer::sum);
                }
            }
        }
        return bumpIfChanged(before);
    }

    public synchronized boolean removeSource(String name) {
        AuthorSource kind = sourceKinds.get(name);
        invalidLines.remove(name);
        if (kind == null) {
            return false;
        }
        return setSource(name, kind, Set.of());
    }

    /** Drops every source whose file no longer exists (camel-file reports no deletions); returns their names. */
    public List<String> reconcile() {
        List<String> gone = new ArrayList<>();
        synchronized (this) {
            for (String name : sources.keySet()) {
                if (sourceKinds.get(name) != AuthorSource.DESCRIPTOR && !Files.exists(home.resolve(name))) {
                    gone.add(name);
                }
            }
            for (String name : invalidLines.keySet()) {
                if (!Files.exists(home.resolve(name)) && !gone.contains(name)) {
                    gone.add(name);
                }
            }
        }
        for (String name : gone) {
            LOG.info("key source removed: {}", name);
            removeSource(name);
        }
        if (!blacklist.isEmpty() && !Files.exists(home.resolve(BLACKLIST))) {
            LOG.info("blacklist removed: {}", BLACKLIST);
            blacklistRead("");
            gone.add(BLACKLIST);
        }
        return gone;
    }

    synchronized boolean blacklistRead(String content) {
        List<String> bad = new ArrayList<>();
        Set<String> next = parseKeys(content, bad);
        if (bad.isEmpty()) {
            invalidLines.remove(BLACKLIST);
        } else {
            invalidLines.put(BLACKLIST, bad);
        }
        if (next.equals(blacklist)) {
            return false;
        }
        Set<String> touched = new HashSet<>(next);
        touched.addAll(blacklist);
        Map<String, Boolean> before = snapshot(touched);
        blacklist = Set.copyOf(next);
        return bumpIfChanged(before);
    }

    private Map<String, Boolean> snapshot(Set<String> keys) {
        Map<String, Boolean> m = new HashMap<>(keys.size() * 2);
        for (String k : keys) {
            m.put(k, isMonitored(k));
        }
        return m;
    }

    private boolean bumpIfChanged(Map<String, Boolean> before) {
        long delta = 0;
        boolean changed = false;
        for (Map.Entry<String, Boolean> e : before.entrySet()) {
            boolean now = isMonitored(e.getKey());
            if (e.getValue() != now) {
                changed = true;
                delta += now ? 1 : -1;
            }
        }
        if (changed) {
            monitoredCount.addAndGet(delta);
            version.incrementAndGet();
        }
        return changed;
    }

    private static void decrement(Map<String, Integer> m, String k) {
        m.computeIfPresent(k, (key, n) -> n <= 1 ? null : n - 1);
    }

    /** Lines trimmed of spaces, tabs and CR; blank lines and # comments ignored; other non-keys reported. */
    static Set<String> parseKeys(String content, List<String> invalid) {
        Set<String> keys = new LinkedHashSet<>();
        for (String line : content.split("\n", -1)) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String k = Hex.normalizeKey(t);
            if (k == null) {
                invalid.add(t);
            } else {
                keys.add(k);
            }
        }
        return keys;
    }

    String relative(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        Path h = home.toAbsolutePath().normalize();
        return abs.startsWith(h) ? h.relativize(abs).toString().replace('\\', '/') : abs.toString();
    }

    static AuthorSource kindOf(String rel) {
        String[] p = rel.split("/");
        if (p.length == 4 && p[0].equals("game") && p[1].equals("nostr") && p[3].equals("HEX")) {
            return AuthorSource.MULTIPASS;
        }
        if (rel.equals("strfry/amisOfAmis.txt")) {
            return AuthorSource.AMIS;
        }
        if (p.length == 4 && p[0].equals("tmp") && p[1].equals("swarm") && p[3].equals("amisOfAmis.txt")) {
            return AuthorSource.SWARM_AMIS;
        }
        if (p.length == 3 && p[0].equals("flashmem") && p[2].equals("HEX")) {
            return AuthorSource.GEOKEY;
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }

    /** One line for the logs. */
    public synchronized String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(size()).append(" monitored authors (");
        countsBySource().forEach((s, n) -> sb.append(s.label()).append(' ').append(n).append(", "));
        sb.append("blacklist ").append(blacklist.size()).append(", invalid lines ").append(invalidLineCount()).append(')');
        return sb.toString();
    }
}
