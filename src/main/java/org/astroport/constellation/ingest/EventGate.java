package org.astroport.constellation.ingest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
 * The domain rules every received event passes, in the three steps the ingest route calls on a
 * peer's batch: {@link #screen} (size, strict parse, already forwarded?), {@link #admit} (policy,
 * kinds, authors, content, deletions, and only then id + signature) and {@link #forwardOnce} (the
 * idempotent repository). Each step leaves in the body the events that passed it; refusals are
 * counted per peer and reason, never thrown. One exchange carries a batch because, per event,
 * Camel's exchange and pipeline cost as much as the rules themselves (LiveSyncBench, JFR).
 */
public class EventGate {

    /** Header: how many events of the batch go on to the sink (the route's filter reads a header, not the body through OGNL, a reflective call). */
    public static final String FORWARDED = "NostrForwarded";

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
    /** Verifies the larger batches' signatures on several cores (null: on the caller's thread only). */
    private final ExecutorService verifiers;
    private final int verifierThreads;

    public EventGate(EventParser parser, EventPolicy policy, Supplier<Set<Integer>> kinds, AuthorSet authors, Supplier<Set<String>> blacklist,
                     List<String> contentFilters, DeletionTracker deletions, SyncStats stats, IdempotentRepository seen) {
        this(parser, policy, kinds, authors, blacklist, contentFilters, deletions, stats, seen, null, 0);
    }

    /**
     * @param verifiers threads that verify parts of a large batch while the caller verifies its own part
     *                  (one peer's burst then uses every core); null, or 0 threads, for the caller alone
     */
    public EventGate(EventParser parser, EventPolicy policy, Supplier<Set<Integer>> kinds, AuthorSet authors, Supplier<Set<String>> blacklist,
                     List<String> contentFilters, DeletionTracker deletions, SyncStats stats, IdempotentRepository seen,
                     ExecutorService verifiers, int verifierThreads) {
        this.verifiers = verifierThreads > 0 ? verifiers : null;
        this.verifierThreads = verifierThreads;
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

    /**
     * A screened event: parsed, not forwarded before, with what admit() still needs. wireBytes: its
     * UTF-8 size where that can be over the policy's limit, else a lower bound ({@link Utf8#lengthToCheck}).
     */
    public record Screened(NostrEvent event, int wireBytes, long receivedNanos) {
    }

    /**
     * Step 1, on a batch from one peer (body: a list of {@link ReceivedEvent}, or one event's JSON
     * text): size limit and strict parse; events already forwarded are dropped here, before the
     * (costly) signature check. The body becomes the list of {@link Screened} events left.
     */
    public void screen(Exchange exchange) {
        String peer = peer(exchange);
        PeerStats ps = stats.peer(peer);
        exchange.getMessage().setBody(passing(received(exchange), r -> screen(ps, peer, r)));
    }

    Screened screen(PeerStats ps, String peer, ReceivedEvent in) {
        ps.countReceived();
        String raw = in.json();
        // the peer's consumer parsed the event with its frame (the same strict rules): only the size limit is left
        ParseResult r = in.parsed() != null ? parser.accept(raw, in.parsed()) : parser.parse(raw);
        if (r instanceof ParseResult.Rejected rej) {
            invalid(ps, peer, rej.rejection());
            return null;
        }
        NostrEvent e = ((ParseResult.Ok) r).event();
        if (seen != null && seen.contains(e.id())) {
            ps.duplicate();
            return null;
        }
        return new Screened(e, Utf8.lengthToCheck(raw, policy.maxEventBytes()), in.receivedNanos());
    }

    /**
     * Step 2, on the screened batch: the station's cheap rules first (policy, kinds, authors, content),
     * then the ids and signatures (those of a large batch on several cores), then, in the batch's order,
     * deletions: so a flood of events nobody here wants costs no signature check, and a deletion is
     * recorded only once verified, before the events after it are looked at. The body becomes the
     * list of accepted {@link SinkEvent}s.
     */
    @SuppressWarnings("unchecked")
    public void admit(Exchange exchange) {
        String peer = peer(exchange);
        PeerStats ps = stats.peer(peer);
        List<Screened> in = exchange.getMessage().getBody(List.class);
        List<Screened> wanted = passing(in, screened -> wanted(ps, screened) ? screened : null);
        List<Optional<Rejection>> verdicts = verifyAll(wanted);
        List<SinkEvent> out = new ArrayList<>(wanted.size());
        for (int i = 0; i < wanted.size(); i++) {
            SinkEvent accepted = admitVerified(ps, peer, wanted.get(i), verdicts.get(i));
            if (accepted != null) {
                out.add(accepted);
            }
        }
        exchange.getMessage().setBody(out);
    }

    /** Below this many events a batch is verified on the caller's thread: handing parts over costs more than it saves. */
    static final int PARALLEL_FROM = 64;

    /** Events a verifying thread takes at a time from a shared batch (~0.5 ms of signature checks). */
    static final int SLICE = 16;

    /**
     * The caller and up to verifierThreads helpers take slices from one cursor until none is left, so the
     * work goes to whichever thread has a core. Fixed halves made the caller wait whenever the OS ran a
     * strfry process instead of its helper (SideBySideBench mirror, JFR: 0.75 s in waits over 10 ms a burst).
     */
    private List<Optional<Rejection>> verifyAll(List<Screened> batch) {
        int n = batch.size();
        @SuppressWarnings("unchecked")
        Optional<Rejection>[] verdicts = new Optional[n];
        if (verifiers == null || n < PARALLEL_FROM) {
            verifyRange(batch, verdicts, 0, n);
            return Arrays.asList(verdicts);
        }
        SharedBatch shared = new SharedBatch(batch, verdicts);
        int helpers = Math.min(verifierThreads, n / (PARALLEL_FROM / 2) - 1);
        for (int h = 0; h < helpers; h++) {
            try {
                verifiers.execute(shared::verifySlices);
            } catch (RejectedExecutionException stopping) {
                break; // the caller takes what a helper would have
            }
        }
        shared.verifySlices();
        shared.awaitSlices();
        return Arrays.asList(verdicts);
    }

    /** One batch's slices: each is verified once, by whoever claims it; a helper that starts late finds none. */
    private static final class SharedBatch {
        private final List<Screened> batch;
        private final Optional<Rejection>[] verdicts;
        private final AtomicInteger next = new AtomicInteger();
        private final CountDownLatch slicesLeft;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        SharedBatch(List<Screened> batch, Optional<Rejection>[] verdicts) {
            this.batch = batch;
            this.verdicts = verdicts;
            this.slicesLeft = new CountDownLatch((batch.size() + SLICE - 1) / SLICE);
        }

        void verifySlices() {
            int from;
            while ((from = next.getAndAdd(SLICE)) < batch.size()) {
                try {
                    verifyRange(batch, verdicts, from, Math.min(batch.size(), from + SLICE));
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                } finally {
                    slicesLeft.countDown();
                }
            }
        }

        /** Returns once every slice is verified (the latch also publishes the helpers' verdicts to the caller). */
        void awaitSlices() {
            try {
                slicesLeft.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while verifying a batch", e);
            }
            if (failure.get() != null) {
                throw new IllegalStateException("verifying a batch failed", failure.get());
            }
        }
    }

    private static void verifyRange(List<Screened> batch, Optional<Rejection>[] verdicts, int from, int to) {
        for (int i = from; i < to; i++) {
            verdicts[i] = EventVerifier.verify(batch.get(i).event());
        }
    }

    /** What a per-event step makes of each event of a batch, in order, leaving out those it refused (null). */
    private static <I, O> List<O> passing(List<I> in, java.util.function.Function<I, O> step) {
        List<O> out = new ArrayList<>(in.size());
        for (I event : in) {
            O result = step.apply(event);
            if (result != null) {
                out.add(result);
            }
        }
        return out;
    }

    /** The station's cheap rules: policy, kinds, authors, content. */
    private boolean wanted(PeerStats ps, Screened s) {
        NostrEvent e = s.event();
        Optional<Rejection> refused = policy.check(e, s.wireBytes());
        if (refused.isPresent()) {
            filtered(ps, refused.get().code(), refused.get().detail());
            return false;
        }
        if (!kinds.get().contains(e.kind())) {
            filtered(ps, "kind", "kind " + e.kind() + " is not synced");
            return false;
        }
        if (!authors.isMonitored(e.pubkey())) {
            boolean blocked = blacklist.get().contains(e.pubkey());
            filtered(ps, blocked ? "blacklisted" : "author", "author " + e.pubkey() + (blocked ? " is blacklisted" : " is not monitored"));
            return false;
        }
        for (String phrase : contentFilters) {
            if (e.content().contains(phrase)) {
                filtered(ps, "content", "content contains '" + phrase + "'");
                return false;
            }
        }
        return true;
    }

    /** In the batch's order, once verified: deleted by an earlier deletion (of this batch too)?, then the verdict; a valid deletion is recorded. */
    private SinkEvent admitVerified(PeerStats ps, String peer, Screened s, Optional<Rejection> bad) {
        NostrEvent e = s.event();
        if (deletions.isDeleted(e)) {
            filtered(ps, "deleted", "deleted by its author");
            return null;
        }
        if (bad.isPresent()) {
            invalid(ps, peer, bad.get());
            return null;
        }
        if (e.kind() == 5) {
            deletions.record(e);
        }
        return SinkEvent.of(e, peer, s.receivedNanos(), s.wireBytes());
    }

    /**
     * Step 3, on the admitted batch: each event is accepted and goes on once, the first time its id is
     * added to the idempotent repository; a copy that raced past screen() (the same event from two peers at once,
     * or twice in one batch) is dropped and counted as a duplicate.
     */
    @SuppressWarnings("unchecked")
    public void forwardOnce(Exchange exchange) {
        PeerStats ps = stats.peer(peer(exchange));
        List<SinkEvent> in = exchange.getMessage().getBody(List.class);
        List<SinkEvent> out = new ArrayList<>(in.size());
        for (SinkEvent e : in) {
            if (seen == null || seen.add(e.id())) {
                ps.accepted(e.createdAt());
                out.add(e);
            } else {
                ps.duplicate();
            }
        }
        exchange.getMessage().setBody(out);
        exchange.getMessage().setHeader(FORWARDED, out.size());
    }

    @SuppressWarnings("unchecked")
    private static List<ReceivedEvent> received(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        if (body instanceof List<?> list) {
            return (List<ReceivedEvent>) list;
        }
        // one event as text (a single send, a consumer without batches)
        Object parsed = exchange.getMessage().removeHeader(IngestHeaders.PARSED_EVENT);
        Long received = exchange.getMessage().getHeader(IngestHeaders.RECEIVED_NANOS, Long.class);
        return List.of(new ReceivedEvent(exchange.getMessage().getBody(String.class), parsed instanceof NostrEvent e ? e : null,
                received == null ? System.nanoTime() : received));
    }

    private void invalid(PeerStats ps, String peer, Rejection rej) {
        ps.invalid(rej.code());
        long n = warned.computeIfAbsent(peer + "|" + rej.code(), k -> new AtomicLong()).incrementAndGet();
        if (n <= 5 || Long.bitCount(n) == 1) {
            LOG.warn("{}: invalid event refused ({}): {}{}", peer, rej.code(), PeerText.clip(rej.detail()), n > 5 ? " [" + n + " so far]" : "");
        }
    }

    private static void filtered(PeerStats ps, String reason, String detail) {
        ps.filtered(reason);
        LOG.debug("{}: filtered ({}): {}", ps.peer(), reason, detail);
    }

    private static String peer(Exchange exchange) {
        String p = exchange.getMessage().getHeader(IngestHeaders.PEER, String.class);
        return p == null ? "unknown" : p;
    }
}
