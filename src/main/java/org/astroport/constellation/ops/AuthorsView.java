package org.astroport.constellation.ops;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import org.astroport.constellation.discovery.AuthorRegistry;

public class AuthorsView implements AuthorsMXBean {

    private final AuthorRegistry registry;

    public AuthorsView(AuthorRegistry registry) {
        this.registry = registry;
    }

    @Override
    public int getMonitoredCount() {
        return registry.size();
    }

    @Override
    public Map<String, Integer> getCountBySource() {
        Map<String, Integer> out = new LinkedHashMap<>();
        registry.countsBySource().forEach((s, n) -> out.put(s.label(), n));
        return out;
    }

    @Override
    public int getBlacklistSize() {
        return registry.blacklist().size();
    }

    @Override
    public Map<String, Integer> getInvalidLinesByFile() {
        Map<String, Integer> out = new TreeMap<>();
        registry.invalidLines().forEach((f, l) -> out.put(f, l.size()));
        return out;
    }

    @Override
    public long getVersion() {
        return registry.version();
    }

    @Override
    public String[] getAuthors() {
        return registry.authors().stream().map(a -> a + " " + String.join("; ", registry.sourcesOf(a))).toArray(String[]::new);
    }
}
