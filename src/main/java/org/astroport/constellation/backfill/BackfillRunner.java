package org.astroport.constellation.backfill;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.vertx.core.Vertx;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.processor.aggregate.AggregateController;
import org.astroport.constellation.discovery.AuthorRegistry;
import org.astroport.constellation.discovery.Peer;
import org.astroport.constellation.discovery.PeerRegistry;
import org.astroport.constellation.ingest.ReceivedEvent;
import org.astroport.constellation.ingest.SinkEvent;
import org.astroport.constellation.nostr.Filter;
import org.astroport.constellation.nostr.Kinds;
import org.astroport.constellation.nostr.RelayMessage;
import org.astroport.constellation.nostr.StationKey;
import org.astroport.constellation.ingest.IngestHeaders;
import org.astroport.constellation.relay.SubscriptionPlanner;
import org.astroport.constellation.sink.SinkRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daily catch-up (and the command line's {@code backfill}): every reachable peer, REQ pages from
 * the window's start back-paged past relay caps, everything through the same ingest route as live
 * events; then a full-history fetch for monitored authors without a profile. One run at a time.
 */
public class BackfillRunner {

    private static final Logger LOG = LoggerFactory.getLogger(BackfillRunner.class);

    public record Options(Long since, boolean noDms, boolean profiles, Consumer<String> progress) {
    }

    private final PeerRegistry peers;
    private final AuthorRegistry authors;
    private final Supplier<List<Integer>> kinds;
    private final SubscriptionPlanner planner;
    private final Supplier<Vertx> vertx;
    private final StationKey stationKey;
    private final ProducerTemplate template;
    // bounded as a live peer's lists are (at most a sixteenth of its byte mark); 200 events, not live's 500: in a
    // full backfill 500 measured no different (8 runs each)
    static final int INGEST_LIST_EVENTS = 200;
    static final long INGEST_LIST_CHARS = 256 * 1024;
    private final SinkRouter sink;
    private final AggregateController batches;
    private final Predicate<String> forwarded;
    private final LocalStore localStore;
    private final Clock clock;
    private final Path lockFile;
    private final BackfillSettings settings;

    // unanswered EVENTs per peer during an upload; strfry answers each OK in well under a millisecond
    private static final int UPLOAD_WINDOW = 200;

    /** Counts for one run. */
    static final class Transfer {
        final AtomicLong bytesIn = new AtomicLong();
        final AtomicLong bytesOut = new AtomicLong();
        final AtomicLong reconciled = new AtomicLong();
        final AtomicLong fallbacks = new AtomicLong();
        final AtomicLong need = new AtomicLong();
        final AtomicLong have = new AtomicLong();
        final AtomicLong uploaded = new AtomicLong();
        final AtomicLong uploadRefused = new AtomicLong();
        final AtomicLong toSink = new AtomicLong();
        final AtomicLong beyondReach = new AtomicLong();

        /** upload: direction both; only then is what the peers lack (have) looked for and sent. */
        List<String> lines(boolean negentropy, boolean upload, long spooled) {
            List<String> out = new ArrayList<>();
            if (negentropy) {
                out.add("SYNC_NEGENTROPY: reconciled=" + reconciled + " fallback=" + fallbacks + " need=" + need
                        + (upload ? " have=" + have + " uploaded=" + uploaded + (uploadRefused.get() > 0 ? " upload_refused=" + uploadRefused : "") : ""));
            }
            out.add("SYNC_TRANSFER: bytes_in=" + bytesIn + " bytes_out=" + bytesOut);
            if (beyondReach.get() > 0) {
                out.add("SYNC_PAGING: beyond_reach=" + beyondReach + " (filters over one second that held more than a page and could not be cut"
                        + " smaller: what did not fit was not fetched; the log names them)");
            }
            if (spooled > 0) {
                out.add("SYNC_SPOOL: pending=" + spooled + " (the sink did not take them yet; the daemon replays the spool when it is back)");
            }
            return out;
        }
    }

    /**
     * One pass over peers: its counters, its listing of the local side (made once per filter, when needed),
     * whether it uploads, whether it still reconciles through the local relay.
     */
    private record Pass(Transfer transfer, Map<String, java.util.concurrent.Future<org.astroport.constellation.negentropy.NegentropyItems>> localItems,
                        boolean upload, java.util.concurrent.atomic.AtomicBoolean throughLocalRelay) {
        Pass(boolean upload, boolean throughLocalRelay) {
            this(new Transfer(), new java.util.concurrent.ConcurrentHashMap<>(), upload, new java.util.concurrent.atomic.AtomicBoolean(throughLocalRelay));
        }
    }

    private volatile Pass run = new Pass(false, false);
    private volatile long handledBefore;

    private volatile BackfillReport lastReport;
    private volatile boolean running;

    /** How peers are reached: REQ shapes, the WebSocket client, the key for NIP-42 AUTH (null: none). */
    public record PeerAccess(SubscriptionPlanner planner, Supplier<Vertx> vertx, StationKey stationKey) {
    }

    /**
     * Where fetched events go: the ingest route (through the template), then the sink and its batches.
     * {@code forwarded}: whether ingest already sent an event with this id to the sink (written, spooled or
     * in a batch on its way): a reconciliation lists what the store holds, so it finds those lacking too.
     */
    public record IngestPath(ProducerTemplate template, SinkRouter sink, AggregateController batches, Predicate<String> forwarded) {
    }

    public BackfillRunner(BackfillSettings settings, PeerRegistry peers, AuthorRegistry authors, Supplier<List<Integer>> kinds, PeerAccess access,
                          IngestPath ingest, LocalStore localStore, Clock clock, Path lockFile) {
        this.peers = peers;
        this.authors = authors;
        this.kinds = kinds;
        this.planner = access.planner();
        this.vertx = access.vertx();
        this.stationKey = access.stationKey();
        this.template = ingest.template();
        this.sink = ingest.sink();
        this.batches = ingest.batches();
        this.forwarded = ingest.forwarded();
        this.localStore = localStore;
        this.clock = clock;
        this.lockFile = lockFile;
        this.settings = settings;
    }

    /** What the Quartz route calls (daily, 12:00 by default): the last {@code days} days. */
    public String runScheduled() {
        long now = clock.millis() / 1000;
        BackfillReport r = run(new Options(settings.days() == 0 ? null : now - settings.days() * 86_400L, false, true, null));
        return String.join("\n", r.summaryLines());
    }

    /**
     * Live sync's long gaps: one peer over one window, by reconciliation (REQ paging when the peer
     * cannot), through the same ingest. Needs no backfill lock (it uploads nothing, duplicates are
     * dropped) and lists the local side afresh. True once every event it handed on is safe.
     */
    public boolean closeGap(String peerName, String dialUrl, String relayUrl, long since, long until) {
        List<Filter> window = filters(Kinds.withoutEphemeral(kinds.get()), authors.authors(), since).stream().map(f -> f.withUntil(until)).toList();
        Pass pass = new Pass(false, throughLocalRelay());
        String failure = fetchWithRetries(pass, peerName, dialUrl, relayUrl, window, new KindGroups(), new AtomicLong());
        if (failure != null) {
            LOG.info("gap of {}: {}", peerName, failure);
            return false;
        }
        long needed = sink.entered();
        long deadline = System.currentTimeMillis() + Math.max(60_000, settings.timeoutMillis() * 4);
        while (sink.settled() < needed) {
            if (System.currentTimeMillis() > deadline) {
                LOG.warn("gap of {}: the sink has not taken its events in time", peerName);
                return false;
            }
            if (batches != null) {
                batches.forceCompletionOfAllGroups();
            }
            sleep(20);
        }
        LOG.info("gap of {}: {} event(s) lacked by reconciliation, {} filter(s) paged by REQ instead", peerName, pass.transfer().need.get(),
                pass.transfer().fallbacks.get());
        return true;
    }

    /** Plain text of the plan, for --DRYRUN: contacts nothing. */
    public List<String> plan(Options o) {
        List<String> out = new ArrayList<>();
        List<Peer> targets = peers.syncablePeers();
        out.add("DRYRUN: would contact " + targets.size() + " peer(s):");
        for (Peer p : targets) {
            out.add("  - " + p.describe());
        }
        out.add("DRYRUN: window " + (o.since() == null ? "all history" : "since " + o.since() + " (" + Instant.ofEpochSecond(o.since()) + ")"));
        List<Integer> k = kindsFor(o);
        out.add("DRYRUN: kinds " + k + (o.noDms() ? " (no DMs)" : ""));
        SubscriptionPlanner.Plan plan = planner.plan("bf", k, authors.authors(), o.since(), null, settings.pageSize());
        out.add("DRYRUN: " + authors.size() + " monitored authors in " + plan.reqs().stream().mapToInt(r -> r.filters().size()).sum()
                + " filter(s) of at most " + planner.limits().authorsPerFilter() + " authors, pages of " + settings.pageSize()
                + (plan.authorsFilteredLocally() ? " (by kind only: authors filtered locally)" : ""));
        out.add("DRYRUN: profiles " + (o.profiles() ? "checked afterwards" : "skipped (--no-profiles)"));
        return out;
    }

    public BackfillReport run(Options o) {
        long started = System.currentTimeMillis();
        StringBuilder why = new StringBuilder();
        Optional<BackfillLock> lock;
        try {
            lock = BackfillLock.tryAcquire(lockFile, why);
        } catch (IOException e) {
            why.append("cannot create the lock file ").append(lockFile).append(": ").append(e.getMessage());
            lock = Optional.empty();
        }
        if (lock.isEmpty()) {
            LOG.warn("backfill refused: {}", why);
            return new BackfillReport(started / 1000, o.since(), 0, 0, Map.of(), new KindGroups(), 0, 0, 0, false, 0, why.toString(), List.of());
        }
        running = true;
        try (BackfillLock held = lock.get()) {
            BackfillReport r = doRun(o, started);
            lastReport = r;
            r.summaryLines().forEach(l -> LOG.info("{}", l));
            return r;
        } catch (IOException e) {
            LOG.warn("releasing {}: {}", lockFile, e.toString());
            return lastReport;
        } finally {
            running = false;
        }
    }

    private BackfillReport doRun(Options o, long started) {
        run = new Pass(settings.negentropy().upload(), throughLocalRelay());
        Transfer transfer = run.transfer();
        handledBefore = sink.handled();
        List<Peer> targets = peers.reachablePeers();
        List<Peer> unreachable = peers.syncablePeers().stream().filter(p -> !p.isReachable()).toList();
        List<Integer> k = kindsFor(o);
        List<String> monitored = authors.authors();
        LOG.info("backfill: {} peer(s) ({} unreachable), window {}, {} kinds, {} authors", targets.size(), unreachable.size(),
                o.since() == null ? "all history" : "since " + Instant.ofEpochSecond(o.since()), k.size(), monitored.size());
        KindGroups groups = new KindGroups();
        AtomicLong received = new AtomicLong();
        Map<String, String> dead = Collections.synchronizedMap(new TreeMap<>());
        unreachable.forEach(p -> dead.put(p.displayName(), "unreachable: " + p.tunnelStatus()));
        AtomicInteger done = new AtomicInteger();
        List<Peer> succeeded = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(settings.concurrency(), Math.max(1, targets.size()))), r -> {
            Thread t = new Thread(r, "backfill");
            t.setDaemon(true);
            return t;
        });
        List<Filter> filters = filters(k, monitored, o.since());
        if (settings.negentropy().enabled() && localStore != null && !targets.isEmpty()) {
            if (run.throughLocalRelay().get()) {
                String why = localRelayUnanswered();
                if (why != null) {
                    run.throughLocalRelay().set(false);
                    LOG.info("backfill: the local relay {} does not answer ({}): our side is listed from {}", settings.negentropy().localRelayUrl(), why,
                            localStore.describe());
                }
            }
            if (!run.throughLocalRelay().get()) {
                // our side is listed while the peers are dialled, not once the first one answers
                filters.forEach(f -> localItems(run, f));
            }
        }
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Peer p : targets) {
                futures.add(pool.submit(() -> {
                    String failure = fetchWithRetries(run, p.displayName(), p.dialUrl(), p.relayUrl(), filters, groups, received);
                    if (failure == null) {
                        succeeded.add(p);
                    } else {
                        dead.put(p.displayName(), failure);
                        LOG.warn("backfill: {} marked dead for this run: {}", p.displayName(), failure);
                    }
                    progress(o, "peers " + done.incrementAndGet() + "/" + targets.size() + " done, " + received.get() + " events received, "
                            + groups.total() + " accepted");
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (Exception e) {
            LOG.error("backfill interrupted: {}", e.toString());
        } finally {
            pool.shutdownNow();
        }
        flushSink(handledBefore, transfer.toSink.get());

        int found = 0;
        int missing = 0;
        boolean checked = false;
        if (o.profiles() && !succeeded.isEmpty() && !monitored.isEmpty()) {
            int[] fm = profiles(o, k, monitored, succeeded, groups, received);
            found = fm[0];
            missing = fm[1];
            checked = fm[0] >= 0;
            if (!checked) {
                found = 0;
                missing = 0;
            }
        }
        int total = targets.size() + unreachable.size();
        return new BackfillReport(started / 1000, o.since(), total, succeeded.size(), new LinkedHashMap<>(dead), groups, received.get(),
                found, missing, checked, System.currentTimeMillis() - started, null, transfer.lines(settings.negentropy().enabled(), run.upload(), sink.spool().pendingEvents()));
    }

    private List<Filter> filters(List<Integer> k, List<String> who, Long since) {
        SubscriptionPlanner.Plan plan = planner.plan("bf", k, who, since, null, null);
        List<Filter> out = new ArrayList<>();
        for (RelayMessage.Req r : plan.reqs()) {
            out.addAll(r.filters());
        }
        return out;
    }

    /** null on success, else why the peer is dead for this run. */
    private String fetchWithRetries(Pass pass, String name, String dialUrl, String relayUrl, List<Filter> filters, KindGroups groups,
                                    AtomicLong received) {
        Transfer transfer = pass.transfer();
        String last = null;
        for (int attempt = 0; attempt <= settings.retries(); attempt++) {
            if (attempt > 0) {
                sleep(settings.retryBackoffMillis() << (attempt - 1));
                LOG.info("backfill: {} retry {}/{}", name, attempt, settings.retries());
            }
            PeerFetch fetch = new PeerFetch(vertx.get(), dialUrl, relayUrl, stationKey, clock, settings.timeoutMillis(), peers.destinationsFor(dialUrl));
            LocalRelay local = new LocalRelay();
            IngestAhead ahead = new IngestAhead(page -> ingest(transfer, name, page, groups, received));
            try {
                if (settings.negentropy().enabled() && pass.throughLocalRelay().get()) {
                    local.dial(); // up by the time the reconciliation needs it, not connected after the peer answered
                }
                fetch.open();
                long n = 0;
                boolean negentropyOk = settings.negentropy().enabled();
                for (Filter f : filters) {
                    if (negentropyOk) {
                        try {
                            n += reconcileThenFetch(pass, fetch, local, name, f, ahead);
                            continue;
                        } catch (PeerFetch.NegentropyUnavailable u) {
                            transfer.fallbacks.incrementAndGet();
                            // "blocked:" is about this filter's size; anything else means the peer will not do NIP-77 at all
                            negentropyOk = u.getMessage().startsWith("NEG-ERR blocked");
                            LOG.info("backfill: {}: negentropy unavailable ({}), paging with REQ", name, u.getMessage());
                        }
                    }
                    n += fetch.fetchAllPages(f, settings.pageSize(), ahead::accept, null);
                }
                ahead.finish();
                LOG.info("backfill: {} done, {} events received", name, n);
                return null;
            } catch (PeerFetch.FetchFailed e) {
                last = e.getMessage();
                LOG.info("backfill: {} attempt {} failed: {}", name, attempt + 1, last);
            } finally {
                ahead.finish(); // what was fetched is ingested, whatever ended the attempt
                ahead.close();
                fetch.close();
                local.close();
                transfer.bytesIn.addAndGet(fetch.bytesIn());
                transfer.bytesOut.addAndGet(fetch.bytesOut());
                transfer.beyondReach.addAndGet(fetch.beyondReach());
            }
        }
        return last;
    }

    /** Our side of the filter's reconciliation, listed once per pass (in the background: it may be started before it is needed). */
    private java.util.concurrent.Future<org.astroport.constellation.negentropy.NegentropyItems> localItems(Pass pass, Filter f) {
        return pass.localItems().computeIfAbsent(f.toJson(), k -> java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                long t0 = System.nanoTime();
                org.astroport.constellation.negentropy.NegentropyItems items = localStore.items(f);
                LOG.info("backfill: {} local event(s) match a filter ({}), listed in {} ms", items.size(), localStore.describe(),
                        (System.nanoTime() - t0) / 1_000_000);
                return items;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }));
    }

    /** Whether a pass starts reconciling through the local relay: one is configured and we store what we fetch. */
    private boolean throughLocalRelay() {
        return settings.negentropy().localRelayUrl() != null && localStore != null;
    }

    /** Our own relay's connection for one peer's attempt, dialled early or opened when first needed. */
    private final class LocalRelay implements AutoCloseable {
        private PeerFetch fetch;
        private boolean open;

        void dial() {
            if (fetch == null) {
                String url = settings.negentropy().localRelayUrl();
                fetch = new PeerFetch(vertx.get(), url, url, stationKey, clock, Math.min(settings.timeoutMillis(), 5_000));
                fetch.dial();
            }
        }

        PeerFetch open() throws PeerFetch.LocalSideUnavailable {
            dial();
            if (!open) {
                try {
                    fetch.open();
                    open = true;
                } catch (PeerFetch.FetchFailed e) {
                    throw new PeerFetch.LocalSideUnavailable(e.getMessage());
                }
            }
            return fetch;
        }

        @Override
        public void close() {
            if (fetch != null) {
                fetch.close();
            }
        }
    }

    /** Null when the local relay takes a connection, else why not (our side is then listed, as without it). */
    private String localRelayUnanswered() {
        try (LocalRelay probe = new LocalRelay()) {
            probe.open();
            return null;
        } catch (PeerFetch.LocalSideUnavailable e) {
            return e.getMessage();
        }
    }

    /**
     * NIP-77: learn which ids the peer has and we lack, then fetch just those (and, direction both, send
     * what it lacks). Our side is the local relay's, answered by it; listed here only when it cannot.
     */
    private long reconcileThenFetch(Pass pass, PeerFetch fetch, LocalRelay local, String name, Filter f, IngestAhead ahead)
            throws PeerFetch.FetchFailed, PeerFetch.NegentropyUnavailable {
        Transfer transfer = pass.transfer();
        if (LOG.isDebugEnabled()) {
            // what a relay builds its item set from: with no negentropy tree kept for it, a query of the whole filter
            LOG.debug("backfill: {}: NIP-77 filter {}", name, f.withLimit(null).toJson());
        }
        long t0 = System.nanoTime();
        PeerFetch.Reconciled r = null;
        String ours = null;
        if (pass.throughLocalRelay().get()) {
            try {
                r = fetch.reconcileThrough(local.open(), f, settings.negentropy().frameLimit(), settings.negentropy().answerTimeoutMillis(), pass.upload());
                ours = "through the local relay";
            } catch (PeerFetch.LocalSideUnavailable e) {
                // "blocked:" is this filter's size (strfry's maxSyncEvents); anything else, the relay will not do it at all
                if (!e.getMessage().contains("NEG-ERR blocked")) {
                    pass.throughLocalRelay().set(false);
                }
                LOG.info("backfill: {}: the local relay cannot reconcile ({}): our side is listed from {}", name, e.getMessage(), localStore.describe());
            }
        }
        if (r == null) {
            org.astroport.constellation.negentropy.NegentropyItems items;
            try {
                items = localItems(pass, f).get();
            } catch (Exception e) {
                throw new PeerFetch.NegentropyUnavailable("cannot list our own events in " + localStore.describe() + ": " + e.getMessage());
            }
            t0 = System.nanoTime();
            r = fetch.reconcile(f, items, settings.negentropy().frameLimit(), settings.negentropy().answerTimeoutMillis());
            ours = items.size() + " local event(s)";
        }
        // what an earlier peer of the pass brought, or live sync received, and the sink had not stored when our side
        // was listed or answered is lacking here too; fetched again, it would only be dropped as a duplicate
        List<String> need = r.need().stream().filter(id -> !forwarded.test(id)).toList();
        LOG.info("backfill: {}: reconciled {} in {} round(s), {} ms: need {}{}{}", name, ours, r.rounds(),
                (System.nanoTime() - t0) / 1_000_000, need.size(),
                need.size() < r.need().size() ? " (and " + (r.need().size() - need.size()) + " already on their way to the sink)" : "",
                pass.upload() ? ", have " + r.have().size() : "");
        transfer.reconciled.incrementAndGet();
        transfer.need.addAndGet(r.need().size());
        transfer.have.addAndGet(r.have().size());
        long n = fetch.fetchIdPages(need, Math.min(settings.pageSize(), 500), ahead::accept);
        if (pass.upload() && !r.have().isEmpty()) {
            try {
                PeerFetch.Published sent = fetch.publish(localStore.events(r.have()), UPLOAD_WINDOW);
                transfer.uploaded.addAndGet(sent.accepted());
                transfer.uploadRefused.addAndGet(sent.refused() + sent.unanswered());
                if (sent.refused() + sent.unanswered() > 0) {
                    LOG.warn("backfill: {}: sent {} event(s) it lacked: {} accepted, {} refused (last: {}), {} unanswered", name,
                            r.have().size(), sent.accepted(), sent.refused(), sent.lastRefusal(), sent.unanswered());
                }
            } catch (PeerFetch.FetchFailed e) {
                throw e;
            } catch (Exception e) {
                LOG.warn("backfill: {}: cannot read the {} event(s) it lacks from {}: {}", name, r.have().size(), localStore.describe(), e.getMessage());
            }
        }
        return n;
    }

    /**
     * Pages go through the ingest route on two threads while the next page is fetched: verification is
     * the costly step, and fetching, then verifying, page after page left the peer waiting (a full
     * backfill of 100,000 events into strfry, fed fried: 15.3 s inline, 12.6 s this way; SideBySideBench).
     * At most two pages are handed over and not yet ingested (a page is 4 MiB at most).
     */
    private static final class IngestAhead implements AutoCloseable {
        private static final int PAGES_AHEAD = 2;
        private final Consumer<List<ReceivedEvent>> ingest;
        private final java.util.concurrent.Semaphore ahead = new java.util.concurrent.Semaphore(PAGES_AHEAD);
        private final List<Future<?>> handed = new ArrayList<>();
        private final ExecutorService workers = Executors.newFixedThreadPool(PAGES_AHEAD, r -> {
            Thread t = new Thread(r, "backfill-ingest");
            t.setDaemon(true);
            return t;
        });

        IngestAhead(Consumer<List<ReceivedEvent>> ingest) {
            this.ingest = ingest;
        }

        void accept(List<ReceivedEvent> page) {
            ahead.acquireUninterruptibly();
            try {
                handed.add(workers.submit(() -> {
                    try {
                        ingest.accept(page);
                    } finally {
                        ahead.release();
                    }
                }));
            } catch (RuntimeException e) {
                ahead.release();
                throw e;
            }
        }

        /** Waits for every page handed over; a failed ingest is thrown here. */
        void finish() {
            try {
                for (Future<?> f : handed) {
                    f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            } finally {
                handed.clear();
            }
        }

        @Override
        public void close() {
            workers.shutdown();
        }
    }

    /**
     * A page of a peer's events through the ingest route, in lists no larger than a live peer's (a page
     * may hold 8 MB of 64 KB events: in one list, held three times over, it would pass the heap bounds the
     * sink keeps); counts what went on to the sink.
     */
    private void ingest(Transfer transfer, String peer, List<ReceivedEvent> page, KindGroups groups, AtomicLong received) {
        received.addAndGet(page.size());
        int from = 0;
        while (from < page.size()) {
            int to = from;
            long chars = 0;
            while (to < page.size() && to - from < INGEST_LIST_EVENTS && (to == from || chars < INGEST_LIST_CHARS)) {
                chars += page.get(to).json().length();
                to++;
            }
            List<ReceivedEvent> batch = page.subList(from, to);
            from = to;
            Exchange ex = template.send("direct:ingest", exchange -> {
                exchange.getMessage().setBody(batch);
                exchange.getMessage().setHeader(IngestHeaders.PEER, peer);
            });
            List<?> forwarded = ex.getMessage().getBody(List.class);
            if (forwarded != null) {
                for (Object o : forwarded) {
                    if (o instanceof SinkEvent e) {
                        transfer.toSink.incrementAndGet();
                        groups.count(e.kind());
                    }
                }
            }
        }
    }

    /** {found, missing}, or {-1, -1} when the local store cannot be asked. */
    private int[] profiles(Options o, List<Integer> k, List<String> monitored, List<Peer> live, KindGroups groups, AtomicLong received) {
        Set<String> have;
        try {
            have = localStore.authorsWithProfile(monitored);
        } catch (Exception e) {
            LOG.warn("backfill: cannot ask {} which profiles it has: {}", localStore.describe(), e.getMessage());
            return new int[] {-1, -1};
        }
        List<String> missing = new ArrayList<>(monitored);
        missing.removeAll(have);
        if (missing.isEmpty()) {
            return new int[] {monitored.size(), 0};
        }
        if (o.since() != null) {
            LOG.info("backfill: {} monitored author(s) without a profile: full history from {} peer(s)", missing.size(), live.size());
            progress(o, missing.size() + " author(s) without a profile: fetching their full history");
            List<Filter> full = filters(Kinds.withoutEphemeral(k), missing, null);
            // the local side changed since it was listed (the first pass filled it): list it again, or the
            // reconciliation asks every peer again for everything the first pass brought
            run.localItems().clear();
            for (Peer p : live) {
                fetchWithRetries(run, p.displayName(), p.dialUrl(), p.relayUrl(), full, groups, received);
            }
            flushSink(handledBefore, run.transfer().toSink.get());
            try {
                have = localStore.authorsWithProfile(monitored);
            } catch (Exception e) {
                return new int[] {-1, -1};
            }
        } else {
            // the first pass asked these peers for every author's whole history already: asking again
            // would list the local store a second time for nothing (half of an incremental run's time)
            LOG.info("backfill: {} monitored author(s) without a profile on the peers; their whole history was asked already", missing.size());
        }
        List<String> still = new ArrayList<>(monitored);
        still.removeAll(have);
        if (!still.isEmpty() && !settings.fallbackRelays().isEmpty()) {
            List<Filter> profileOnly = filters(List.of(0), still, null);
            for (String relay : settings.fallbackRelays()) {
                try (PeerFetch fetch = new PeerFetch(vertx.get(), relay, relay, null, clock, settings.timeoutMillis())) {
                    fetch.open();
                    for (Filter f : profileOnly) {
                        fetch.fetchAllPages(f, settings.pageSize(), page -> ingest(run.transfer(), "fallback " + relay, page, groups, received), null);
                    }
                } catch (PeerFetch.FetchFailed e) {
                    LOG.info("backfill: fallback relay {}: {}", relay, e.getMessage());
                }
            }
            flushSink(handledBefore, run.transfer().toSink.get());
            try {
                have = localStore.authorsWithProfile(monitored);
            } catch (Exception e) {
                return new int[] {-1, -1};
            }
        }
        int found = (int) monitored.stream().filter(have::contains).count();
        return new int[] {found, monitored.size() - found};
    }

    /** Waits until every event this run handed to the sink has been written, refused or spooled. */
    private void flushSink(long handledBefore, long sent) {
        // the ingest route hands events to the aggregator; it is done when the sink has seen them all
        long deadline = System.currentTimeMillis() + Math.max(60_000, settings.timeoutMillis() * 4);
        long lastLog = System.currentTimeMillis();
        while (sink.handled() - handledBefore < sent) {
            if (batches != null) {
                batches.forceCompletionOfAllGroups();
            }
            if (System.currentTimeMillis() > deadline) {
                LOG.warn("backfill: {} event(s) still on their way to the sink after {} s; shutting down flushes them or spools them",
                        sent - (sink.handled() - handledBefore), (deadline - lastLog) / 1000);
                break;
            }
            if (System.currentTimeMillis() - lastLog > 10_000) {
                lastLog = System.currentTimeMillis();
                LOG.info("backfill: waiting for the sink: {} of {} event(s) written", sink.handled() - handledBefore, sent);
            }
            sleep(20);
        }
        // events the sink could not take went to the spool: give it a few chances before we report them
        for (int attempt = 0; !sink.spool().isEmpty() && attempt < 5; attempt++) {
            if (attempt > 0) {
                sleep(1000L << attempt);
            }
            sink.replaySpoolNow();
        }
    }

    private List<Integer> kindsFor(Options o) {
        List<Integer> k = Kinds.withoutEphemeral(kinds.get()); // ephemeral events are never backfilled
        return o.noDms() ? Kinds.withoutDms(k) : k;
    }

    private static void progress(Options o, String line) {
        LOG.info("backfill: {}", line);
        if (o.progress() != null) {
            o.progress().accept(line);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public BackfillReport lastReport() {
        return lastReport;
    }

    public boolean isRunning() {
        return running;
    }
}
