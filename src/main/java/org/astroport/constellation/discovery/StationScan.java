package org.astroport.constellation.discovery;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A one-shot read of every source under the station home, for the command line (backfill, --stats,
 * --show-hex), which needs the registries without the daemon's file routes.
 */
public final class StationScan {

    private static final Logger LOG = LoggerFactory.getLogger(StationScan.class);

    private StationScan() {
    }

    public static void loadAll(Path home, PeerRegistry peers, AuthorRegistry authors) {
        loadAll(home, peers, authors, null);
    }

    /**
     * Reads everything once. When {@code versions} is given, each file's version is recorded the way
     * the file routes key it, so their first poll skips what was just read and only changes flow.
     */
    public static void loadAll(Path home, PeerRegistry peers, AuthorRegistry authors, FileVersions versions) {
        Path swarm = home.resolve("tmp/swarm");
        forEachChildDir(swarm, dir -> {
            Path d = dir.resolve(PeerRegistry.DESCRIPTOR);
            if (Files.isRegularFile(d)) {
                remember(versions, d);
                peers.descriptorChanged(d);
            }
            readIfFile(authors, dir.resolve("amisOfAmis.txt"), versions);
        });
        peers.reconcile();
        forEachChildDir(home.resolve("game/nostr"), dir -> readIfFile(authors, dir.resolve("HEX"), versions));
        forEachChildDir(home.resolve("flashmem"), dir -> readIfFile(authors, dir.resolve("HEX"), versions));
        readIfFile(authors, home.resolve("strfry/amisOfAmis.txt"), versions);
        readIfFile(authors, home.resolve(AuthorRegistry.BLACKLIST), versions);
    }

    private static void readIfFile(AuthorRegistry authors, Path f, FileVersions versions) {
        if (Files.isRegularFile(f)) {
            remember(versions, f);
            authors.keyFileRead(f);
        }
    }

    /** Same key as the routes' idempotentKey: absolute path | last-modified millis | size (stat before read). */
    private static void remember(FileVersions versions, Path f) {
        if (versions == null) {
            return;
        }
        java.io.File file = f.toFile();
        versions.add(file.getAbsolutePath() + "|" + file.lastModified() + "|" + file.length());
    }

    private static void forEachChildDir(Path parent, java.util.function.Consumer<Path> action) {
        if (!Files.isDirectory(parent)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent)) {
            for (Path p : ds) {
                if (Files.isDirectory(p)) {
                    action.accept(p);
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list {}: {}", parent, e.toString());
        }
    }
}
