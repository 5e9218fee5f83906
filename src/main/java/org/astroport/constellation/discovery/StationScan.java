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
        Path swarm = home.resolve("tmp/swarm");
        forEachChildDir(swarm, dir -> {
            Path d = dir.resolve(PeerRegistry.DESCRIPTOR);
            if (Files.isRegularFile(d)) {
                peers.descriptorChanged(d);
            }
            Path amis = dir.resolve("amisOfAmis.txt");
            if (Files.isRegularFile(amis)) {
                authors.keyFileRead(amis);
            }
        });
        peers.reconcile();
        forEachChildDir(home.resolve("game/nostr"), dir -> readIfFile(authors, dir.resolve("HEX")));
        forEachChildDir(home.resolve("flashmem"), dir -> readIfFile(authors, dir.resolve("HEX")));
        readIfFile(authors, home.resolve("strfry/amisOfAmis.txt"));
        readIfFile(authors, home.resolve(AuthorRegistry.BLACKLIST));
    }

    private static void readIfFile(AuthorRegistry authors, Path f) {
        if (Files.isRegularFile(f)) {
            authors.keyFileRead(f);
        }
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
