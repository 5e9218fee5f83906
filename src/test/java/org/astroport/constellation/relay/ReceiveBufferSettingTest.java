package org.astroport.constellation.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;

import org.astroport.constellation.testsupport.RunningApp;
import org.astroport.constellation.testsupport.ZenHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * constellation.live.receive-buffer-bytes reaches the options every peer connection is opened with
 * (what it does to a flood of 50 peers is FanInBench's to measure: the daemon's direct memory).
 */
class ReceiveBufferSettingTest {

    @Test
    void theSettingReachesThePeerConnectionsOptions(@TempDir Path tmp) throws Exception {
        Path home = ZenHome.copyTo(tmp.resolve("zen"));
        try (RunningApp app = RunningApp.start(home, Map.of("constellation.live.receive-buffer-bytes", "32768"))) {
            NostrRelayConfiguration conf = app.context().getComponent("nostr-relay", NostrRelayComponent.class).getConfiguration();
            assertEquals(32768, conf.copy().options().receiveBufferBytes());
        }
    }

    @Test
    void theDefaultBoundsWhatEachConnectionReadsAhead() {
        // 64 KiB: 50 flooding peers stay well inside the launcher's 32 MB of direct memory
        assertEquals(64 << 10, new NostrRelayConfiguration().options().receiveBufferBytes());
        assertEquals(64 << 10, RelayOptions.defaults().receiveBufferBytes());
    }
}
