package org.astroport.constellation.discovery;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The file routes' idempotent repository: remembers the last version (modified time + size) read of
 * each file, keyed "path|version". Unlike an LRU of keys, it holds one entry per file and can forget
 * a deleted file, so a file deleted and re-created identically is read again.
 */
public class FileVersions extends ServiceSupport implements IdempotentRepository {

    private final Map<String, String> versions = new ConcurrentHashMap<>();

    private static String[] split(String key) {
        int bar = key.indexOf('|');
        return bar < 0 ? new String[] {key, ""} : new String[] {key.substring(0, bar), key.substring(bar + 1)};
    }

    @Override
    public boolean add(String key) {
        String[] k = split(key);
        return !k[1].equals(versions.put(k[0], k[1]));
    }

    @Override
    public boolean contains(String key) {
        String[] k = split(key);
        return k[1].equals(versions.get(k[0]));
    }

    @Override
    public boolean remove(String key) {
        return versions.remove(split(key)[0]) != null;
    }

    @Override
    public boolean confirm(String key) {
        return true;
    }

    @Override
    public void clear() {
        versions.clear();
    }

    public void forget(String absolutePath) {
        versions.remove(absolutePath);
    }

    public void forgetUnder(String directory) {
        versions.keySet().removeIf(p -> p.startsWith(directory));
    }

    public int size() {
        return versions.size();
    }
}
