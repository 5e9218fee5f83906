package org.astroport.constellation.discovery;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the discovery routes call: one entry point per kind of file event, returning what changed. */
public class Discovery {

    private static final Logger LOG = LoggerFactory.getLogger(Discovery.class);

    private final Path home;
    private final PeerRegistry peers;
    private final AuthorRegistry authors;
    private final FileVersions fileVersions;
    private final java.util.concurrent.atomic.AtomicLong descriptorReads = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong keyFileReads = new java.util.concurrent.atomic.AtomicLong();

    public Discovery(Path home, PeerRegistry peers, AuthorRegistry authors, FileVersions fileVersions) {
        this.home = home;
        this.peers = peers;
        this.authors = authors;
        this.fileVersions = fileVersions;
    }

    public PeerRegistry peers() {
        return peers;
    }

    public AuthorRegistry authors() {
        return authors;
    }

    /** A swarm 12345.json was created or changed. */
    public List<PeerChange> onDescriptorFile(@org.apache.camel.Header("CamelFileAbsolutePath") String absolutePath) {
        descriptorReads.incrementAndGet();
        return peers.descriptorChanged(Path.of(absolutePath));
    }

    /** A key list (HEX, amisOfAmis.txt, blacklist.txt) was created or changed. */
    public void onKeyFile(@org.apache.camel.Header("CamelFileAbsolutePath") String absolutePath) {
        keyFileReads.incrementAndGet();
        authors.keyFileRead(Path.of(absolutePath));
    }

    /** Periodic: deletions and everything else a file consumer cannot see. */
    public List<PeerChange> reconcile() {
        List<PeerChange> changes = new ArrayList<>(peers.reconcile());
        changes.addAll(peers.retryTunnels());
        for (String gone : authors.reconcile()) {
            fileVersions.forget(home.resolve(gone).toString());
        }
        for (PeerChange c : changes) {
            if (c.type() == PeerChange.Type.REMOVED) {
                fileVersions.forgetUnder(peers.swarmDirectory().resolve(c.peer().id()).toString());
            }
        }
        forgetVanishedFiles();
        return changes;
    }

    /** Set when the monitored authors changed since the last call (debounces bursts of file events). */
    public Long takeAuthorsChange() {
        Long v = authors.takeChange().orElse(null);
        if (v != null) {
            LOG.info("authors: {}", authors.summary());
        }
        return v;
    }

    private void forgetVanishedFiles() {
        // a deleted descriptor must be read again if it comes back with the same size and time
        peers.peersSnapshot().forEach(p -> {
            Path d = peers.swarmDirectory().resolve(p.id()).resolve(PeerRegistry.DESCRIPTOR);
            if ("no-descriptor".equals(p.reason()) && !Files.exists(d)) {
                fileVersions.forget(d.toString());
            }
        });
    }

    /** Files read by the routes since start (a changed file must not make the others be read again). */
    public long descriptorReads() {
        return descriptorReads.get();
    }

    public long keyFileReads() {
        return keyFileReads.get();
    }

    public Path home() {
        return home;
    }
}
