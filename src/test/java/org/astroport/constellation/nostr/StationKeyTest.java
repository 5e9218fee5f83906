package org.astroport.constellation.nostr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import org.astroport.constellation.testsupport.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StationKeyTest {

    @Test
    void nip19DecodesEveryFixtureKey() {
        for (var e : Fixtures.keys().entrySet()) {
            JsonNode k = e.getValue();
            assertEquals(k.get("secret").asText(), Nip19.decodeNsec(k.get("nsec").asText()), e.getKey());
            assertEquals(k.get("pubkey").asText(), Nip19.decodeNpub(k.get("npub").asText()), e.getKey());
            assertEquals(k.get("npub").asText(), Nip19.encodeNpub(k.get("pubkey").asText()));
            assertEquals(k.get("nsec").asText(), Nip19.encodeNsec(k.get("secret").asText()));
        }
        String npub = Fixtures.keys().get("member-1").get("npub").asText();
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> Nip19.decodeNpub(npub.substring(0, npub.length() - 1) + (npub.endsWith("q") ? "p" : "q")));
        assertTrue(bad.getMessage().contains("checksum"));
        assertThrows(IllegalArgumentException.class, () -> Nip19.decodeNsec(npub));
    }

    @Test
    void readsTheStationKeyAndNeverShowsTheSecret() throws Exception {
        StationKey key = StationKey.load(Fixtures.dir().resolve("zen/game/secret.nostr"));
        assertEquals(Fixtures.pubkeyOf("station"), key.publicKeyHex());
        String nsec = Fixtures.keys().get("station").get("nsec").asText();
        String secret = Fixtures.secretOf("station");
        assertFalse(key.toString().contains(nsec) || key.toString().contains(secret));
        NostrEvent auth = key.authEvent("ws://127.0.0.1:7777", "c1", 5);
        assertEquals(key.publicKeyHex(), auth.pubkey());
        assertTrue(EventVerifier.verify(auth).isEmpty());
    }

    @Test
    void clearErrorsWithoutEchoingTheSecret(@TempDir Path tmp) throws Exception {
        String nsec = Fixtures.keys().get("station").get("nsec").asText();
        Path f = tmp.resolve("secret.nostr");
        Files.writeString(f, "NSEC=" + nsec + "; NPUB=" + Fixtures.keys().get("member-1").get("npub").asText() + "; HEX=" + Fixtures.pubkeyOf("station") + "\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StationKey.load(f));
        assertTrue(e.getMessage().contains("NPUB is not the public key"), e.getMessage());
        assertFalse(e.getMessage().contains(nsec));
        Files.writeString(f, "NSEC=" + nsec.substring(0, 20) + "; HEX=x");
        e = assertThrows(IllegalArgumentException.class, () -> StationKey.load(f));
        assertFalse(e.getMessage().contains(nsec.substring(0, 20)), e.getMessage());
        assertThrows(java.io.IOException.class, () -> StationKey.load(tmp.resolve("missing")));
        // spacing and line breaks as different Astroport versions write it
        Files.writeString(f, "NSEC=" + nsec + ";NPUB=" + Fixtures.keys().get("station").get("npub").asText() + ";HEX=" + Fixtures.pubkeyOf("station").toUpperCase());
        assertEquals(Fixtures.pubkeyOf("station"), StationKey.load(f).publicKeyHex());
    }
}
