package org.astroport.constellation.untrusted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class PeerTextTest {

    @Test
    void clipEscapesControlsAndCapsTheLength() {
        assertEquals("rate-limited: slow down", PeerText.clip("rate-limited: slow down"));
        assertEquals("a\\nERROR forged\\r\\tx\\u001b[2J\\u0000\\u2028", PeerText.clip("a\nERROR forged\r\tx\u001b[2J\u0000\u2028"));
        String big = "x".repeat(1 << 20);
        String clipped = PeerText.clip(big);
        assertEquals("x".repeat(200) + "...(" + ((1 << 20) - 200) + " more chars)", clipped);
        // a surrogate pair is kept whole or not at all
        String emoji = "y".repeat(199) + "\uD83D\uDE00" + "z";
        assertEquals("y".repeat(199) + "...(3 more chars)", PeerText.clip(emoji));
        assertNull(PeerText.clip(null));
    }

    @Test
    void nameKeepsWhatIsSafeInRouteIdsAndUris() {
        assertEquals("astroport.example-a.test", PeerText.name("astroport.example-a.test"));
        assertEquals("evil_ERROR_x_maxMessageBytes_1___env_HOME__", PeerText.name("evil\nERROR x&maxMessageBytes=1{{{env:HOME}}"));
        assertEquals(64, PeerText.name("h".repeat(500)).length());
        assertNull(PeerText.name("\n\r"));
        assertNull(PeerText.name("..."));
        assertNull(PeerText.name(null));
    }

    @Test
    void limiterLetsAFewLinesThroughPerPeerAndKindThenCountsTheRest() {
        AtomicLong now = new AtomicLong();
        PeerLogLimiter limiter = new PeerLogLimiter(3, 5, now::get);
        for (int i = 0; i < 3; i++) {
            assertEquals("", limiter.admit("a", "notice"));
        }
        for (int i = 0; i < 1000; i++) {
            assertNull(limiter.admit("a", "notice"), "a flood is held back");
        }
        assertEquals("", limiter.admit("a", "closed"), "another kind has its own budget");
        assertEquals("", limiter.admit("b", "notice"), "another peer too");
        assertEquals("", limiter.admit("c", "notice"));
        assertNull(limiter.admit("d", "notice"), "but all peers together have a cap per kind");
        now.addAndGet(60_000_000_000L); // a minute later
        String note = limiter.admit("a", "notice");
        assertTrue(note.contains("1000 more notice line(s) from this peer held back"), note);
        assertTrue(note.contains("1001 notice line(s) held back across peers"), note);
        assertEquals("", limiter.admit("a", "notice"), "reported once");
        assertEquals("", limiter.admit("d", "notice").replaceAll(" \\[1 more notice line\\(s\\) from this peer held back\\]", ""));
    }
}
