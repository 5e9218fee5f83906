package org.astroport.constellation.ingest;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.astroport.constellation.nostr.EventParser;
import org.astroport.constellation.nostr.EventPolicy;
import org.astroport.constellation.nostr.EventVerifier;
import org.astroport.constellation.nostr.NostrEvent;
import org.astroport.constellation.nostr.ParseResult;
import org.astroport.constellation.nostr.Rejection;
import org.astroport.constellation.nostr.Utf8;
import org.astroport.constellation.untrusted.PeerText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The domain rules every received event passes, in two steps the ingest route calls: {@link #screen}
 * (size, strict parse, already seen?) then {@link #admit} (policy, kinds, authors, content,
 * deletions, and only then id + signature). The outcome goes in header {@value #VERDICT}: ok, invalid, filtered or
 * duplicate; reasons are counted per peer.
 */
public class EventGate {

    public static final String VERDICT = "NostrVerdict";
    public static final String REASON = "NostrReason";
    public static final String EVENT_ID = "NostrEventId";
    public static final String EPHEMERAL = "NostrEphemeral";
    static final String WIRE_BYTES = "NostrWireBytes";

    private static final Logger LOG = LoggerFactory.getLogger(EventGate.class);

    private final EventParser parser;
    private final EventPolicy policy;
    private final Supplier<Set<Integer>> kinds;
    private final AuthorSet authors;
    private final Supplier<Set<String>> blacklist;
    private final List<String> contentFilters;
    private final DeletionTracker deletions;
    private final SyncStats stats;
    private final IdempotentRepository seen;
    private final Map<String, AtomicLong> warned = new ConcurrentHashMap<>();

    public EventGate(EventParser parser, EventPolicy policy, Supplier<Set<Integer>> kinds, AuthorSet authors, Supplier<Set<String>> blacklist,
                     List<String> contentFilters, DeletionTracker deletions, SyncStats stats, IdempotentRepository seen) {
        this.parser = parser;
        this.policy = policy;
        this.kinds = kinds;
        this.authors = authors;
        this.blacklist = blacklist;
        this.contentFilters = List.copyOf(contentFilters);
        this.deletions = deletions;
        this.stats = stats;
        this.seen = seen;
    }

    /** Step 1: size limit and strict parse; events already forwarded skip the (costly) signature check. */
    public void screen(Exchange exchange) {
        String peer = peer(exchange);
        PeerStats ps = stats.peer(peer);
        ps.countReceived();
        String raw = exchange.getMessage().getBody(String.class);
        // the peer's consumer parsed the event with its frame (the same strict rules): only the size limit is left
        Object read = exchange.getMessage().removeHeader(IngestHeaders.PARSED_EVENT);
        ParseResult r = read instanceof NostrEvent already ? parser.accept(raw, already) : parser.parse(raw);
        if (r instanceof ParseResult.Rejected rej) {
            invalid(exchange, ps, peer, rej.rejection());
            return;
        }
        NostrEvent e = ((ParseResult.Ok) r).event();
        exchange.getMessage().setHeader(EVENT_ID, e.id());
        if (seen != null && seen.contains(e.id())) {
            ps.duplicate();
            verdict(exchange, "duplicate", "already forwarded");
            return;
        }
        exchange.getMessage().setHeader(WIRE_BYTES, Utf8.length(raw));
        exchange.getMessage().setBody(e);
        verdict(exchange, "ok", "");
    }

    /**
     * Step 2: the station's cheap rules first (policy, kinds, authors, content, deletions), then the id
     * and signature, so a flood of events nobody here wants costs no signature check; a deletion is
     * recorded only once verified. The body becomes a {@link SinkEvent}.
     */
    public void admit(Exchange exchange) {
        String peer = peer(exchange);
        PeerStats ps = stats.peer(peer);
        NostrEvent e = exchange.getMessage().getBody(NostrEvent.class);
        Integer wire = exchange.getMessage().getHeader(WIRE_BYTES, Integer.class);
        Optional<Rejection> refused = policy.check(e, wire == null ? e.toJson().getBytes(StandardCharsets.UTF_8).length : wire);
        if (refused.isPresent()) {
            filtered(exchange, ps, refused.get().code(), refused.get().detail());
            return;
        }
        if (!kinds.get().contains(e.kind())) {
            filtered(exchange, ps, "kind", "kind " + e.kind() + " is not synced");
            return;
        }
        if (!authors.isMonitored(e.pubkey())) {
            boolean blocked = blacklist.get().contains(e.pubkey());
            filtered(exchange, ps, blocked ? "blacklisted" : "author", "author " + e.pubkey() + (blocked ? " is blacklisted" : " is not monitored"));
            return;
        }
        for (String phrase : contentFilters) {
            if (e.content().contains(phrase)) {
                filtered(exchange, ps, "content", "content contains '" + phrase + "'");
                return;
            }
        }
        if (deletions.isDeleted(e)) {
            filtered(exchange, ps, "deleted", "deleted by its author");
            return;
        }
        Optional<Rejection> bad = EventVerifier.verify(e);
        if (bad.isPresent()) {
            invalid(exchange, ps, peer, bad.get());
            return;
        }
        if (e.kind() == 5) {
            deletions.record(e);
        }
        ps.accepted(e.createdAt());
        Long received = exchange.getMessage().getHeader(IngestHeaders.RECEIVED_NANOS, Long.class);
        exchange.getMessage().setHeader(EPHEMERAL, e.isEphemeral());
        exchange.getMessage().setBody(SinkEvent.of(e, peer, received == null ? System.nanoTime() : received));
        verdict(exchange, "ok", "");
    }

    /** The idempotent consumer found a duplicate that raced past screen(). */
    public void duplicate(Exchange exchange) {
        stats.peer(peer(exchange)).duplicate();
    }

    private void invalid(Exchange exchange, PeerStats ps, String peer, Rejection rej) {
        ps.invalid(rej.code());
        long n = warned.computeIfAbsent(peer + "|" + rej.code(), k -> new AtomicLong()).incrementAndGet();
        if (n <= 5 || Long.bitCount(n) == 1) {
            LOG.warn("{}: invalid event refused ({}): {}{}", peer, rej.code(), PeerText.clip(rej.detail()), n > 5 ? " [" + n + " so far]" : "");
        }
        verdict(exchange, "invalid", rej.code());
    }

    private static void filtered(Exchange exchange, PeerStats ps, String reason, String detail) {
        ps.filtered(reason);
        LOG.debug("{}: filtered ({}): {}", ps.peer(), reason, detail);
        verdict(exchange, "filtered", reason);
    }

    private static void verdict(Exchange exchange, String verdict, String reason) {
        exchange.getMessage().setHeader(VERDICT, verdict);
        exchange.getMessage().setHeader(REASON, reason);
    }

    private static String peer(Exchange exchange) {
        String p = exchange.getMessage().getHeader(IngestHeaders.PEER, String.class);
        return p == null ? "unknown" : p;
    }
}
