package org.astroport.constellation.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.astroport.constellation.nostr.EventParser;
import org.astroport.constellation.nostr.EventPolicy;
import org.astroport.constellation.nostr.EventSigner;
import org.astroport.constellation.nostr.NostrEvent;
import org.astroport.constellation.relay.NostrRelayConstants;
import org.astroport.constellation.testsupport.Fixtures;
import org.junit.jupiter.api.Test;

/** The cheap rules run before the signature check; a deletion counts only once verified. */
class EventGateTest {

    final DeletionTracker deletions = new DeletionTracker(100);
    final SyncStats stats = new SyncStats();
    final String monitored = Fixtures.pubkeyOf("member-1");
    final EventGate gate = new EventGate(new EventParser(EventParser.DEFAULT_MAX_BYTES),
            new EventPolicy(Clock.fixed(Instant.ofEpochSecond(Fixtures.REFERENCE_TIME), ZoneOffset.UTC), 900, 65_536),
            () -> Set.of(1, 5), monitored::equals, Set::of, List.of("Hello NOSTR visitor."), deletions, stats, new SeenEvents(100));

    /** The event's JSON with its signature replaced: well-formed, but the check would fail. */
    static String forged(NostrEvent e) {
        String json = e.toJson();
        String sig = e.sig();
        return json.replace(sig, (sig.charAt(0) == 'a' ? "b" : "a") + sig.substring(1));
    }

    Exchange run(String json) {
        Exchange ex = new DefaultExchange(new DefaultCamelContext());
        ex.getMessage().setBody(json);
        ex.getMessage().setHeader(NostrRelayConstants.PEER, "peer");
        gate.screen(ex);
        if ("ok".equals(ex.getMessage().getHeader(EventGate.VERDICT))) {
            gate.admit(ex);
        }
        return ex;
    }

    @Test
    void aForgedEventNobodyWantsIsFilteredWithoutItsSignatureBeingChecked() {
        NostrEvent stranger = EventSigner.sign(Fixtures.secretOf("stranger-1"), Fixtures.REFERENCE_TIME - 10, 1, List.of(), "hello");
        Exchange ex = run(forged(stranger));
        // checked first, the signature would make this "invalid"
        assertEquals("filtered", ex.getMessage().getHeader(EventGate.VERDICT));
        assertEquals("author", ex.getMessage().getHeader(EventGate.REASON));
        NostrEvent wrongKind = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 10, 30023, List.of(), "article");
        assertEquals("kind", run(forged(wrongKind)).getMessage().getHeader(EventGate.REASON));
    }

    @Test
    void aForgedEventOfAMonitoredAuthorIsStillRefused() {
        NostrEvent note = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 10, 1, List.of(), "hello");
        assertEquals("invalid", run(forged(note)).getMessage().getHeader(EventGate.VERDICT));
        assertEquals("ok", run(note.toJson()).getMessage().getHeader(EventGate.VERDICT));
    }

    @Test
    void aForgedDeletionDeletesNothing() {
        NostrEvent note = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 10, 1, List.of(), "keep me");
        NostrEvent deletion = EventSigner.sign(Fixtures.secretOf("member-1"), Fixtures.REFERENCE_TIME - 5, 5, List.of(List.of("e", note.id())), "");
        assertEquals("invalid", run(forged(deletion)).getMessage().getHeader(EventGate.VERDICT));
        assertFalse(deletions.isDeleted(note), "an unverified deletion was recorded");
        assertEquals("ok", run(note.toJson()).getMessage().getHeader(EventGate.VERDICT));
    }
}
