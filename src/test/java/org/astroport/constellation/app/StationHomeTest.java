package org.astroport.constellation.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StationHomeTest {

    @Test
    void optionBeatsEnvironmentBeatsUserHome(@TempDir Path tmp) {
        assertEquals(Path.of("/opt/zen"), StationHome.resolve("/opt/zen", null, Map.of("ZEN_HOME", "/x"), "/home/u").home());
        assertEquals(Path.of("/x"), StationHome.resolve(null, null, Map.of("ZEN_HOME", "/x"), "/home/u").home());
        assertEquals(Path.of("/c"), StationHome.resolve(null, null, Map.of("ZEN_HOME", "/x", "CONSTELLATION_HOME", "/c"), "/home/u").home());
        assertEquals(Path.of("/home/u/.zen"), StationHome.resolve(null, null, Map.of(), "/home/u").home());
    }

    @Test
    void nodeIdFromEnvironmentThenIpfsConfig(@TempDir Path tmp) throws Exception {
        assertEquals("12D3KooWenv", StationHome.resolve(null, null, Map.of("IPFSNODEID", " 12D3KooWenv\n"), tmp.toString()).nodeId());
        Path ipfs = Files.createDirectories(tmp.resolve(".ipfs"));
        String id = "12D3KooWL86bKSXuqFLcLHkrfi2kEFu7g4RJswV6pmLwnE3mkeL8";
        Files.writeString(ipfs.resolve("config"), "{\n \"Identity\": {\n  \"PeerID\": \"" + id + "\",\n  \"PrivKey\": \"CAESQ\"\n }\n}");
        StationHome s = StationHome.resolve(null, null, Map.of(), tmp.toString());
        assertEquals(id, s.nodeId());
        assertEquals("", StationHome.resolve(null, null, Map.of(), tmp.resolve("nowhere").toString()).nodeId());
    }
}
