package org.astroport.constellation.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real daemon on a station home that does not exist yet: it starts, answers health, stops. */
class DaemonStartupTest {

    @Test
    void startsOnAnEmptyMachineAndStopsCleanly(@TempDir Path tmp) throws Exception {
        Path home = tmp.resolve("no-zen-here");
        StationHome station = StationHome.resolve(home.toString(), "12D3KooWL86bKSXuqFLcLHkrfi2kEFu7g4RJswV6pmLwnE3mkeL8", Map.of(), tmp.toString());
        int port = freePort();
        Main main = new Daemon(station, null).createMain();
        main.addOverrideProperty("camel.management.port", String.valueOf(port));
        main.addOverrideProperty("constellation.live.enabled", "false");
        main.start();
        try {
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(health.body().contains("UP"), health.body());
            assertEquals(home.toString(), main.getCamelContext().getPropertiesComponent().resolveProperty("constellation.home").orElseThrow());
        } finally {
            main.stop();
        }
        assertTrue(main.getCamelContext() == null || main.getCamelContext().isStopped());
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
