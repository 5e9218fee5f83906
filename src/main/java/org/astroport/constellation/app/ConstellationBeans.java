package org.astroport.constellation.app;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.astroport.constellation.discovery.AuthorRegistry;
import org.astroport.constellation.discovery.Discovery;
import org.astroport.constellation.discovery.FileVersions;
import org.astroport.constellation.discovery.IpfsTunnels;
import org.astroport.constellation.discovery.PeerRegistry;
import org.astroport.constellation.discovery.StationScan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.astroport.constellation.ops.ManagedBeans;

/**
 * Builds the domain beans the YAML routes refer to by name, from the {@code constellation.*}
 * properties. Registered with camel-main through {@code camel.main.configuration-classes}.
 */
public class ConstellationBeans implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(ConstellationBeans.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        Registry registry = context.getRegistry();
        Path home = settings.home();
        Clock clock = settings.clock();

        FileVersions fileVersions = new FileVersions();
        AuthorRegistry authors = new AuthorRegistry(home);
        IpfsTunnels tunnels = new IpfsTunnels(settings.get("constellation.ipfs.bin", "ipfs"),
                Duration.ofSeconds(settings.getInt("constellation.ipfs.timeout-seconds", 15)));
        PeerRegistry peers = new PeerRegistry(home, settings.nodeId(), settings.getInt("constellation.discovery.stale-days", 3),
                clock, authors, tunnels);
        Discovery discovery = new Discovery(home, peers, authors, fileVersions);
        // one synchronous read at startup: the registries are complete before any route starts,
        // and the file routes then only carry changes
        long t0 = System.nanoTime();
        StationScan.loadAll(home, peers, authors, fileVersions);
        LOG.info("initial scan of {}: {} peers ({} reachable), {} in {} ms", home, peers.allPeers().size(), peers.reachablePeers().size(),
                authors.summary(), (System.nanoTime() - t0) / 1_000_000);
        authors.takeChange();

        registry.bind("settings", settings);
        registry.bind("discoveryFiles", fileVersions);
        registry.bind("authorRegistry", authors);
        registry.bind("peerRegistry", peers);
        registry.bind("discovery", discovery);

        ManagedBeans jmx = new ManagedBeans();
        jmx.add("type=Peers", new org.astroport.constellation.ops.PeersView(peers));
        jmx.add("type=Authors", new org.astroport.constellation.ops.AuthorsView(authors));
        registry.bind("managedBeans", jmx);
        context.addService(jmx, true, true);
        context.addService(new org.apache.camel.support.service.ServiceSupport() {
            @Override
            protected void doStop() {
                peers.close(); // closes our IPFS tunnels
            }
        }, true, true);
    }
}
