package org.astroport.constellation.discovery;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IPFS p2p tunnels to peers whose relay is behind NAT. The peer's own x_strfry.sh is never run (it
 * comes from a remote peer): we build the one command ourselves from a validated peer id, and give
 * every peer its own local port (the reference script reused 9999 for all of them).
 */
public class IpfsTunnels {

    private static final Logger LOG = LoggerFactory.getLogger(IpfsTunnels.class);
    /** libp2p peer ids are base58btc: Qm... (46) or 12D3KooW... (52). */
    static final Pattern PEER_ID = Pattern.compile("^[1-9A-HJ-NP-Za-km-z]{46,64}$");

    private final String ipfsBin;
    private final Duration timeout;
    private final Map<String, Integer> ports = new ConcurrentHashMap<>();
    private volatile boolean binaryMissingLogged;

    public record Result(int port, String status) {
        public boolean open() {
            return port > 0;
        }
    }

    private final boolean dryRun;

    public IpfsTunnels(String ipfsBin, Duration timeout) {
        this(ipfsBin, timeout, false);
    }

    public IpfsTunnels(String ipfsBin, Duration timeout, boolean dryRun) {
        this.ipfsBin = ipfsBin;
        this.timeout = timeout;
        this.dryRun = dryRun;
    }

    /** Tunnels that are never opened: for --DRYRUN, --stats and --show-hex, which contact nothing. */
    public static IpfsTunnels dryRun() {
        return new IpfsTunnels("ipfs", Duration.ofSeconds(1), true);
    }

    public static boolean isValidPeerId(String id) {
        return id != null && PEER_ID.matcher(id).matches();
    }

    public static List<String> forwardCommand(String ipfsBin, String peerId, int port) {
        return List.of(ipfsBin, "p2p", "forward", "/x/strfry-" + peerId, "/ip4/127.0.0.1/tcp/" + port, "/p2p/" + peerId);
    }

    /** Opens (or keeps) the tunnel for this peer; never throws. */
    public synchronized Result open(String peerId) {
        if (!isValidPeerId(peerId)) {
            return new Result(0, "invalid peer id (not a base58 libp2p id): refusing to build a command from it");
        }
        if (dryRun) {
            return new Result(0, "dry run: " + String.join(" ", forwardCommand(ipfsBin, peerId, 0)).replace("/tcp/0", "/tcp/<free port>") + " not run");
        }
        Integer existing = ports.get(peerId);
        if (existing != null) {
            return new Result(existing, "open");
        }
        int port;
        try {
            port = freePort();
        } catch (IOException e) {
            return new Result(0, "no free local port: " + e.getMessage());
        }
        List<String> cmd = forwardCommand(ipfsBin, peerId, port);
        String outcome = run(cmd);
        if (outcome != null) {
            return new Result(0, outcome);
        }
        ports.put(peerId, port);
        LOG.info("tunnel to {} open on 127.0.0.1:{}", peerId, port);
        return new Result(port, "open");
    }

    public synchronized void close(String peerId) {
        Integer port = ports.remove(peerId);
        if (port == null) {
            return;
        }
        String outcome = run(List.of(ipfsBin, "p2p", "close", "-l", "/ip4/127.0.0.1/tcp/" + port));
        if (outcome == null) {
            LOG.info("tunnel to {} on port {} closed", peerId, port);
        } else {
            LOG.warn("closing tunnel to {} on port {}: {}", peerId, port, outcome);
        }
    }

    public synchronized void closeAll() {
        for (String id : Set.copyOf(ports.keySet())) {
            close(id);
        }
    }

    public Map<String, Integer> openTunnels() {
        return Map.copyOf(ports);
    }

    /** null on success, else what went wrong. */
    private String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return "ipfs did not answer within " + timeout.toSeconds() + " s";
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) {
                return "ipfs exited " + p.exitValue() + (out.isEmpty() ? "" : ": " + out.lines().reduce((a, b) -> b).orElse(""));
            }
            return null;
        } catch (IOException e) {
            if (!binaryMissingLogged) {
                binaryMissingLogged = true;
                LOG.warn("cannot run '{}' ({}): peers behind NAT stay unreachable; set constellation.ipfs.bin", ipfsBin, e.getMessage());
            }
            return "tunnel-unavailable: cannot run " + ipfsBin;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private final Set<Integer> handedOut = new HashSet<>();

    private int freePort() throws IOException {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = s.getLocalPort();
                if (!ports.containsValue(port) && handedOut.add(port)) {
                    return port;
                }
            }
        }
        throw new IOException("no unused port after 20 attempts");
    }
}
