package org.astroport.constellation.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the station lives (its {@code ~/.zen}) and who it is (its IPFS node id), resolved the way an
 * Astroport operator expects: explicit option, then environment, then the usual places on disk.
 */
public record StationHome(Path home, String nodeId, String nodeIdSource) {

    private static final Pattern PEER_ID_IN_IPFS_CONFIG = Pattern.compile("\"PeerID\"\\s*:\\s*\"([1-9A-HJ-NP-Za-km-z]{40,80})\"");

    public static StationHome resolve(String homeOption, String nodeIdOption, Map<String, String> env, String userHome) {
        Path home;
        if (notBlank(homeOption)) {
            home = Path.of(homeOption);
        } else if (notBlank(env.get("CONSTELLATION_HOME"))) {
            home = Path.of(env.get("CONSTELLATION_HOME"));
        } else if (notBlank(env.get("ZEN_HOME"))) {
            home = Path.of(env.get("ZEN_HOME"));
        } else {
            home = Path.of(userHome, ".zen");
        }
        home = home.toAbsolutePath().normalize();

        if (notBlank(nodeIdOption)) {
            return new StationHome(home, nodeIdOption.trim(), "configuration");
        }
        if (notBlank(env.get("IPFSNODEID"))) {
            return new StationHome(home, env.get("IPFSNODEID").trim(), "environment IPFSNODEID");
        }
        Optional<String> fromIpfs = readIpfsConfigPeerId(Path.of(notBlank(env.get("IPFS_PATH")) ? env.get("IPFS_PATH") : userHome + "/.ipfs", "config"));
        if (fromIpfs.isPresent()) {
            return new StationHome(home, fromIpfs.get(), "~/.ipfs/config Identity.PeerID");
        }
        return new StationHome(home, "", "unknown");
    }

    static Optional<String> readIpfsConfigPeerId(Path config) {
        try {
            if (!Files.isRegularFile(config)) {
                return Optional.empty();
            }
            Matcher m = PEER_ID_IN_IPFS_CONFIG.matcher(Files.readString(config));
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    public Path logDirectory() {
        return home.resolve("strfry");
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}
