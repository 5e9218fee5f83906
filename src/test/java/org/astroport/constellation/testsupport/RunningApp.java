package org.astroport.constellation.testsupport;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.astroport.constellation.app.Daemon;
import org.astroport.constellation.app.StationHome;

/** The real application (camel-main, YAML routes, beans) on a test station home. */
public final class RunningApp implements AutoCloseable {

    private final Main main;
    public final int managementPort;

    private RunningApp(Main main, int port) {
        this.main = main;
        this.managementPort = port;
    }

    public static RunningApp start(Path home, Map<String, String> overrides) throws Exception {
        StationHome station = StationHome.resolve(home.toString(), Fixtures.LOCAL_NODE_ID, Map.of(), home.getParent().toString());
        Main main = new Daemon(station, null).createMain();
        int port = freePort();
        main.addOverrideProperty("camel.management.port", String.valueOf(port));
        main.addOverrideProperty("constellation.discovery.poll-millis", "300");
        overrides.forEach(main::addOverrideProperty);
        main.start();
        return new RunningApp(main, port);
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public <T> T bean(String name, Class<T> type) {
        return context().getRegistry().lookupByNameAndType(name, type);
    }

    @Override
    public void close() {
        main.stop();
    }

    public static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Polls until the condition holds; returns the time it took, or fails after the deadline. */
    public static long await(String what, long timeoutMillis, BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeoutMillis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return (System.nanoTime() - start) / 1_000_000L;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for: " + what);
    }
}
