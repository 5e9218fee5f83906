package org.astroport.constellation.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import io.vertx.core.Vertx;
import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.testrelay.TestRelay;
import org.astroport.constellation.testsupport.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which monitored authors have a profile: asked of the station's relay when it answers (a REQ, not a
 * {@code strfry scan} process), of the database when it does not.
 */
class ProfileLookupTest {

    final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close();
    }

    /** A strfry whose scan prints one profile (of member-2) and leaves a mark that it ran. */
    static Path strfryScanning(Path dir) throws Exception {
        String profile = EventSigner.sign(Fixtures.secretOf("member-2"), Fixtures.REFERENCE_TIME, 0, List.of(), "{}").toJson();
        Path strfry = dir.resolve("strfry");
        Files.writeString(strfry, "#!/bin/sh\ntouch '" + dir.resolve("scanned") + "'\ncat <<'EOF'\n" + profile + "\nEOF\n");
        strfry.toFile().setExecutable(true);
        return strfry;
    }

    @Test
    void theRelayIsAskedAndTheDatabaseIsNotScanned(@TempDir Path tmp) throws Exception {
        Path strfry = strfryScanning(tmp);
        try (TestRelay relay = new TestRelay().start()) {
            relay.storeOnly(EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME, 0, List.of(), "{}").toJson());
            LocalStore store = new StrfryLocalStore(strfry.toString(), null, tmp, null, new RelayLocalStore(vertx, relay.url(), 5_000));
            Set<String> found = store.authorsWithProfile(List.of(Fixtures.pubkeyOf("member-1"), Fixtures.pubkeyOf("member-2")));
            assertEquals(Set.of(Fixtures.pubkeyOf("member-1")), found, "what the relay holds");
            assertFalse(Files.exists(tmp.resolve("scanned")), "no strfry scan when the relay answered");
            assertTrue(relay.reqs().get(0).contains("\"kinds\":[0]"), relay.reqs().toString());
        }
    }

    @Test
    void aRelayThatIsDownLeavesItToTheDatabaseAtOnce(@TempDir Path tmp) throws Exception {
        Path strfry = strfryScanning(tmp);
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        LocalStore store = new StrfryLocalStore(strfry.toString(), null, tmp, null,
                new RelayLocalStore(vertx, "ws://127.0.0.1:" + closedPort, 5_000));
        long t0 = System.nanoTime();
        Set<String> found = store.authorsWithProfile(List.of(Fixtures.pubkeyOf("member-1"), Fixtures.pubkeyOf("member-2")));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(Set.of(Fixtures.pubkeyOf("member-2")), found, "what the database holds");
        assertTrue(Files.exists(tmp.resolve("scanned")));
        assertTrue(millis < 3_000, "a refused connection does not wait out the relay's timeout: " + millis + " ms");
    }
}
