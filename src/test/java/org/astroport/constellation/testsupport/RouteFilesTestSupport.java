package org.astroport.constellation.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;

import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;

/**
 * Some of the application's route files (src/main/resources/routes) on its real beans (the
 * configuration classes and settings of application.properties), on a fresh copy of the fixture
 * station under target/: no peer is contacted, no HTTP port opened, nothing stored (sink mode none).
 * The context starts once a test has advised the routes ({@code AdviceWith}) and called {@code context.start()}.
 */
public abstract class RouteFilesTestSupport extends CamelMainTestSupport {

    /** The copy of the fixture station this test runs on. */
    protected Path home;
    private Path work;
    private final List<String> routeFiles;

    /** The route files under test, e.g. {@code ingest.camel.yaml}. */
    protected RouteFilesTestSupport(String... routeFiles) {
        this.routeFiles = List.of(routeFiles);
    }

    /** This test's own settings, over application.properties and the ones every route test has. */
    protected void settings(Properties settings) {
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.withRoutesIncludePattern(routeFiles.stream().map(f -> "classpath:routes/" + f).collect(Collectors.joining(",")));
    }

    @Override
    public void configureTest(TestExecutionConfiguration test) {
        super.configureTest(test);
        test.withUseAdviceWith(true);
    }

    @Override
    public void configureContext(CamelContextConfiguration context) {
        super.configureContext(context);
        context.withUseOverridePropertiesWithPropertiesComponent(stationSettings());
    }

    private Properties stationSettings() {
        try {
            work = Files.createTempDirectory(Files.createDirectories(Path.of("target", "route-tests").toAbsolutePath()), getClass().getSimpleName());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        home = ZenHome.copyTo(work.resolve("zen"));
        Properties p = new Properties();
        p.setProperty("constellation.home", home.toString());
        p.setProperty("constellation.node-id", Fixtures.LOCAL_NODE_ID);
        p.setProperty("constellation.reference-time", String.valueOf(Fixtures.REFERENCE_TIME));
        p.setProperty("constellation.ipfs.bin", work.resolve("no-ipfs").toString());
        p.setProperty("constellation.sink.mode", "none");
        p.setProperty("constellation.spool.dir", work.resolve("spool").toString());
        p.setProperty("constellation.positions.dir", work.resolve("positions").toString());
        p.setProperty("constellation.live.enabled", "false");
        p.setProperty("constellation.peers.allow-private", "true");
        p.setProperty("camel.management.enabled", "false");
        settings(p);
        return p;
    }
}
