package org.astroport.constellation.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/** A writable copy of the fixture station home. */
public final class ZenHome {

    private ZenHome() {
    }

    /** The fixture station under {@code dir/zen}, its peers A and B pointed at these relay URLs. */
    public static Path withPeers(Path dir, String peerAUrl, String peerBUrl) {
        Path home = copyTo(dir.resolve("zen"));
        setPeerRelay(home, PEER_A, peerAUrl);
        setPeerRelay(home, PEER_B, peerBUrl);
        return home;
    }

    public static Path copyTo(Path target) {
        Path src = Fixtures.dir().resolve("zen");
        try (Stream<Path> all = Files.walk(src)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path dst = target.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(p, dst);
                    Files.setPosixFilePermissions(dst, PosixFilePermissions.fromString(Files.isExecutable(p) ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
            try (Stream<Path> dirs = Files.walk(target)) {
                for (Path d : (Iterable<Path>) dirs::iterator) {
                    if (Files.isDirectory(d)) {
                        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
                    }
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fake ipfs that records its arguments, one call per line, and succeeds like `ipfs p2p forward`. */
    public static Path fakeIpfs(Path dir, Path argLog) {
        try {
            Path bin = dir.resolve("fake-ipfs");
            Files.writeString(bin, "#!/bin/sh\necho \"$@\" >> '" + argLog + "'\nexit 0\n");
            Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
            return bin;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Points a swarm peer's descriptor at another relay URL (tests dial loopback only). */
    public static void setPeerRelay(Path home, String peerId, String url) {
        Path d = home.resolve("tmp/swarm/" + peerId + "/12345.json");
        try {
            String json = Files.readString(d);
            String replaced = json.replaceFirst("\"myRELAY\" : \"[^\"]*\"", "\"myRELAY\" : \"" + url + "\"");
            if (replaced.equals(json) && !json.contains(url)) {
                throw new IllegalStateException(d + " has no myRELAY to replace");
            }
            Files.writeString(d, replaced);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static final String PEER_A = "12D3KooWRcEn1BT6TXaNmzRiNv3e9wrRTCToZE1pBhcnw7ZrcYCr";
    public static final String PEER_B = "12D3KooWKaBeXJvWP91yBtjHxD7VTZfxdjMraeUKSa1yyFVBSRHv";
}
