package org.astroport.constellation.app;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.Configuration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.astroport.constellation.discovery.AuthorRegistry;
import org.astroport.constellation.discovery.Discovery;
import org.astroport.constellation.discovery.FileVersions;
import org.astroport.constellation.discovery.IpfsTunnels;
import org.astroport.constellation.discovery.PeerPolicy;
import org.astroport.constellation.discovery.PeerRegistry;
import org.astroport.constellation.discovery.StationScan;
import org.astroport.constellation.untrusted.Destinations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Who our peers are and whose events matter, from the station's own files (routes/discovery.camel.yaml). */
@Configuration
public class DiscoveryConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(DiscoveryConfiguration.class);

    @PropertyInject("constellation.home")
    private String home;

    /** The file routes' idempotent repository: a file is read again only when its time or size changes. */
    @BindToRegistry(lazy = true)
    public FileVersions discoveryFiles() {
        return new FileVersions();
    }

    @BindToRegistry(lazy = true)
    public AuthorRegistry authorRegistry() {
        return new AuthorRegistry(Path.of(home));
    }

    @BindToRegistry(lazy = true)
    public IpfsTunnels ipfsTunnels(@PropertyInject("constellation.ipfs.bin") String bin, @PropertyInject("constellation.ipfs.timeout-seconds") int timeoutSeconds,
                                   @PropertyInject("constellation.ipfs.dry-run") boolean dryRun) {
        return new IpfsTunnels(bin.trim(), Duration.ofSeconds(timeoutSeconds), dryRun);
    }

    /** Where other stations' descriptors may make us connect, and how many peers we sync at most. */
    @BindToRegistry(lazy = true)
    public PeerPolicy peerPolicy(@PropertyInject("constellation.peers.max") int max, @PropertyInject("constellation.peers.allow-private") boolean allowPrivate,
                                 @PropertyInject("constellation.peers.resolve-timeout-millis") long resolveTimeoutMillis) {
        if (max < 1) {
            throw new IllegalArgumentException("constellation.peers.max must be at least 1, not " + max);
        }
        if (allowPrivate) {
            LOG.warn("constellation.peers.allow-private=true: peers' relay URLs may point at this machine and the local network");
            return PeerPolicy.allowingPrivate().withMaxPeers(max);
        }
        return new PeerPolicy(Destinations.publicOnly(Duration.ofMillis(resolveTimeoutMillis)), max, PeerPolicy.defaults().unresolvedRetry());
    }

    @BindToRegistry(lazy = true)
    public PeerRegistry peerRegistry(@PropertyInject("constellation.node-id") String nodeId, @PropertyInject("constellation.discovery.stale-days") int staleDays,
                                     Clock clock, AuthorRegistry authors, IpfsTunnels tunnels, PeerPolicy policy) {
        return new PeerRegistry(Path.of(home), nodeId.trim(), staleDays, clock, authors, tunnels, policy);
    }

    @BindToRegistry(lazy = true)
    public Discovery discovery(PeerRegistry peers, AuthorRegistry authors, FileVersions files) {
        return new Discovery(Path.of(home), peers, authors, files);
    }

    /** One synchronous read at startup: the registries are complete before any route starts, and the file routes then only carry changes. */
    @Override
    public void configure(CamelContext context) {
        PeerRegistry peers = context.getRegistry().findSingleByType(PeerRegistry.class);
        AuthorRegistry authors = context.getRegistry().findSingleByType(AuthorRegistry.class);
        long t0 = System.nanoTime();
        StationScan.loadAll(Path.of(home), peers, authors, context.getRegistry().findSingleByType(FileVersions.class));
        LOG.info("initial scan of {}: {} peers ({} reachable), {} in {} ms", home, peers.allPeers().size(), peers.reachablePeers().size(),
                authors.summary(), (System.nanoTime() - t0) / 1_000_000);
        authors.takeChange();
    }
}
