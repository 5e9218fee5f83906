package org.astroport.constellation.relay;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import org.astroport.constellation.nostr.Filter;
import org.astroport.constellation.nostr.NostrEvent;
import org.astroport.constellation.nostr.RelayMessage;
import org.astroport.constellation.nostr.RelayMessageCodec;
import org.astroport.constellation.nostr.StationKey;
import org.astroport.constellation.untrusted.PeerLogLimiter;
import org.astroport.constellation.untrusted.PeerText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The Nostr side of one peer connection: after every (re)connect it subscribes from each
 * subscription's sync position, answers NIP-42 challenges with the station key, re-subscribes after
 * {@code auth-required}, pages back when a relay's per-query cap may have cut the catch-up short, and
 * hands every EVENT on. Runs on the connection's event loop.
 * <p>
 * Relays answer a REQ newest first, so a catch-up cut by a dropped connection has the newest events
 * and lacks the oldest: the position therefore moves only once the whole window has arrived (EOSE of
 * the REQ and of every page under it). From then on the subscription is live and a checkpoint every
 * {@code checkpointMillis} proposes "now", which {@link SyncPositions} commits once the events before it
 * are safe. A position older than the live lookback, or a catch-up that would need more than
 * {@code maxCatchUpPages} pages, is a long gap: it is closed by set reconciliation (NIP-77) through
 * {@link SyncPositions#closeGap}, and by REQ paging if that fails.
 */
public final class PeerSession implements RelaySessionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(PeerSession.class);

    /** Receives the events of our subscriptions, raw, in arrival order, and the checkpoints between them. */
    public interface Delivery {
        void deliver(String eventJson, String subscriptionId, boolean live);

        /** The same, with the event already parsed strictly from eventJson (null when it was not). */
        default void deliver(String eventJson, NostrEvent parsed, String subscriptionId, boolean live) {
            deliver(eventJson, subscriptionId, live);
        }

        /** A frame or event refused before it reached the pipeline (unknown subscription, malformed frame). */
        default void refused(String reason, String detail) {
        }

        /** Hands {@link SyncPositions#checkpoint} a candidate once everything delivered before it went through. */
        void checkpoint(long cycle, Map<String, Long> candidate);

        /** Too much delivered is still waiting: the next catch-up page waits for {@link PeerSession#drained()}. */
        default boolean backlogged() {
            return false;
        }
    }

    /** What to ask for; read again on every (re)subscribe. */
    public interface Wants {
        List<Integer> kinds();

        /** null = anyone (filter locally). */
        List<String> authors();
    }

    /** Timings and limits of a session. */
    public record Timing(long resumeMarginSeconds, long initialLookbackSeconds, int pageThreshold, long checkpointMillis, int maxCatchUpPages) {
    }

    private final String peer;
    private final String url;
    private final String authRelayUrl;
    private final Wants wants;
    private final SubscriptionPlanner planner;
    private final StationKey stationKey;
    private final Clock clock;
    private final Timing timing;
    private final SyncPositions positions;
    private final Delivery delivery;

    // per connection, on the event loop
    private RelaySession session;
    private final Map<String, Sub> subs = new HashMap<>();
    private String pendingAuthId;
    private boolean authenticated;
    private boolean resendAfterAuth;
    private long cycle;
    // a long gap being closed by reconciliation: no checkpoint until it is done
    private CompletableFuture<Boolean> gap;
    // windows asked for while it ran (a catch-up paged too far, a drain's new REQs), merged: closed right after it
    private long[] nextGap;
    // reconciliation failed for this peer: catch up by REQ paging alone, however long it takes
    private boolean pageEverything;
    // the relay closed one of our subscriptions: subscribe again at this time (0: not planned)
    private long resubscribeAtMillis;
    private long closedBackoffMillis = FIRST_CLOSED_BACKOFF_MILLIS;
    // our subscriptions are closed until the consumer's queue drains (closeToDrain)
    private boolean closedToDrain;
    // per subscription: the oldest created_at it received live before it was closed to drain; the catch-up
    // after the drain reaches back that far, since a relay answers a REQ by created_at, not by arrival
    private final Map<String, Long> drainFloor = new HashMap<>();
    // catch-up pages go one at a time, so the peer never buffers more than one page for us
    private final java.util.ArrayDeque<Page> waitingPages = new java.util.ArrayDeque<>();
    private String pageInFlight;
    // closes to drain on this connection: the REQs after one take new ids, so that what the peer still sends
    // for the closed ones cannot be taken for the new ones' answers (it would mislead paging)
    private int drains;
    // the peer's backlog for us, measured: a probe REQ's EOSE is queued behind everything the peer has buffered
    // for us, so the chars read between sending it and its EOSE are what was waiting (closeToDrain(limit))
    private long charsRead;
    private String probeId;
    private long probeSentAt;
    private long probeSentNanos;
    private int probeIds;
    // the last answered probe: the backlog's growth between two answers projects it to the next one
    private long lastAnswerNanos;
    private long projectedChars;
    private final java.util.Set<String> probesOut = new java.util.HashSet<>();
    // the peer closed a probe (a subscription limit): the backlog cannot be measured, closing is at the mark
    private boolean probesRefused;
    private volatile long lastBacklogChars = -1;
    // an id no event has: strfry answers it from its id index at once
    private static final Filter PROBE = new Filter(java.util.Set.of("0".repeat(64)), null, null, null, null, null, 1);
    // an answer older than this says nothing of the backlog now
    private static final long PROJECTION_NANOS = 10_000_000_000L;
    private static final long FIRST_CLOSED_BACKOFF_MILLIS = 5_000;
    private static final long MAX_CLOSED_BACKOFF_MILLIS = 300_000;

    private volatile long notices;
    private volatile long closedCount;
    private volatile String lastNotice = "";
    private volatile boolean authorsFilteredLocally;
    private volatile boolean caughtUp;
    private final AtomicLong gapsClosed = new AtomicLong();
    private final AtomicLong beyondReach = new AtomicLong();
    // a page's id is new on the connection: a page's late live events must never count for a later one's
    private int pageIds;

    /** One REQ, or a page under one; relays cap each filter separately, so counts and the oldest time are kept per filter. */
    private static final class Sub {
        final List<Filter> filters;
        final int[] count;
        // per filter, where the next page starts (PageFloor): kept only until the EOSE
        final PageFloor[] floors;
        final String parent; // a page: the REQ it belongs to
        final String name; // the subscription's own id (positions), whatever id it has on the wire
        boolean eose;
        boolean closed; // closed to drain: what is still in flight is delivered, nothing else is asked of it
        long oldestLive = Long.MAX_VALUE;
        int pages;
        int openPages; // a REQ: pages under it still running

        Sub(List<Filter> filters, String parent, String name) {
            this.filters = filters;
            this.parent = parent;
            this.name = name;
            this.count = new int[filters.size()];
            this.floors = new PageFloor[filters.size()];
        }

        void seen(int i, long createdAt, int pageSize) {
            if (floors[i] == null) {
                floors[i] = new PageFloor(pageSize);
            }
            floors[i].seen(createdAt);
        }

        /** Where paging back resumes for filter i: Long.MAX_VALUE when nothing was seen. */
        long pageFloor(int i) {
            return floors[i] == null ? Long.MAX_VALUE : floors[i].floor();
        }

        boolean caughtUp() {
            return eose && openPages == 0 && !closed;
        }
    }

    private record Page(String id, Sub sub) {
    }

    public PeerSession(String peer, String url, String authRelayUrl, Wants wants, SubscriptionPlanner planner, StationKey stationKey, Clock clock,
                       Timing timing, SyncPositions positions, Delivery delivery) {
        this.peer = peer;
        this.url = url;
        this.authRelayUrl = authRelayUrl;
        this.wants = wants;
        this.planner = planner;
        this.stationKey = stationKey;
        this.clock = clock;
        this.timing = timing;
        this.positions = positions;
        this.delivery = delivery;
    }

    @Override
    public void onOpen(RelaySession s) {
        session = s;
        subs.clear();
        pendingAuthId = null;
        authenticated = false;
        resendAfterAuth = false;
        closedToDrain = false;
        drains = 0;
        probeId = null;
        probesOut.clear();
        probesRefused = false;
        lastAnswerNanos = 0;
        projectedChars = 0;
        subscribe();
    }

    /** (Re)sends the REQs from each subscription's position; reusing subscription ids replaces the relay's old ones. */
    public void subscribe() {
        if (session == null || closedToDrain) {
            return; // drained() subscribes, with whatever changed meanwhile
        }
        cycle = positions.cycle();
        resubscribeAtMillis = 0;
        long now = clock.millis() / 1000;
        long lookbackStart = Math.max(0, now - timing.initialLookbackSeconds());
        Map<String, Long> saved = positions.positions(peer);
        long oldestSaved = saved.values().stream().mapToLong(Long::longValue).min().orElse(-1);
        SubscriptionPlanner.Plan plan = planner.plan("cs", wants.kinds(), wants.authors(), 0L, null, null);
        if (plan.authorsFilteredLocally() && !authorsFilteredLocally) {
            LOG.info("{}: too many authors for the peer's limits; subscribing by kind and filtering authors locally", peer);
        }
        authorsFilteredLocally = plan.authorsFilteredLocally();
        List<String> previous = new ArrayList<>();
        // closed to drain: kept, for what the peer still sends on them
        subs.entrySet().removeIf(e -> !e.getValue().closed && previous.add(e.getKey()));
        waitingPages.clear();
        pageInFlight = null;
        long gapFrom = Long.MAX_VALUE;
        for (RelayMessage.Req req : plan.reqs()) {
            Long position = saved.getOrDefault(req.subscriptionId(), oldestSaved >= 0 ? oldestSaved : null);
            long since = position == null ? lookbackStart : Math.max(0, position - timing.resumeMarginSeconds());
            Long floor = drainFloor.get(req.subscriptionId());
            if (floor != null) {
                since = Math.min(since, Math.max(lookbackStart, floor)); // older than the live lookback: left to the backfill
            }
            if (since < lookbackStart && !pageEverything) {
                gapFrom = Math.min(gapFrom, since); // older than the live lookback: reconcile it instead of paging through it
                since = lookbackStart;
            }
            long from = since;
            List<Filter> filters = req.filters().stream().map(f -> f.withSince(from)).toList();
            String id = drains == 0 ? req.subscriptionId() : req.subscriptionId() + "/" + drains;
            subs.put(id, new Sub(filters, null, req.subscriptionId()));
            session.send(RelayMessageCodec.encode(new RelayMessage.Req(id, filters)));
            previous.remove(id);
        }
        for (String stale : previous) {
            session.send(RelayMessageCodec.encode(new RelayMessage.Close(stale)));
        }
        caughtUp = false;
        LOG.debug("{}: subscribed with {} REQ(s), positions {}", peer, plan.reqs().size(), saved);
        if (gapFrom != Long.MAX_VALUE) {
            closeGap(gapFrom, lookbackStart + timing.resumeMarginSeconds());
        }
    }

    /** Reconciles [since, until] with the peer; checkpoints wait for it. Falls back to REQ paging when it fails. */
    private void closeGap(long since, long until) {
        if (gap != null && !gap.isDone()) {
            // one at a time per peer; a later window can reach past the running one's end (newer pages came since)
            nextGap = nextGap == null ? new long[] {since, until} : new long[] {Math.min(nextGap[0], since), Math.max(nextGap[1], until)};
            return;
        }
        LOG.info("{}: {} s to catch up before the live window; reconciling {} .. {} (NIP-77)", peer, until - since,
                java.time.Instant.ofEpochSecond(since), java.time.Instant.ofEpochSecond(until));
        long myCycle = cycle;
        CompletableFuture<Boolean> f = positions.closeGap(peer, url, authRelayUrl, since, until);
        gap = f;
        RelaySession s = session;
        f.whenComplete((ok, err) -> {
            boolean closed = Boolean.TRUE.equals(ok) && err == null;
            if (closed) {
                gapsClosed.incrementAndGet();
                LOG.info("{}: gap {} .. {} closed", peer, java.time.Instant.ofEpochSecond(since), java.time.Instant.ofEpochSecond(until));
            } else {
                LOG.warn("{}: could not reconcile the gap{}; catching up by REQ paging instead", peer, err == null ? "" : " (" + err + ")");
            }
            if (s != null) {
                s.execute(() -> {
                    if (gap == f) {
                        gap = null;
                    }
                    if (!closed && session == s && cycle == myCycle) {
                        pageEverything = true;
                        nextGap = null; // paging everything covers it
                        subscribe();
                    } else if (nextGap != null && gap == null) {
                        long[] next = nextGap;
                        nextGap = null;
                        closeGap(next[0], next[1]);
                    }
                });
            }
        });
    }

    /**
     * Called on the event loop every checkpointMillis: proposes "now" for each subscription whose
     * catch-up is complete; catches up again from the saved positions if events were lost downstream.
     */
    public void tick() {
        if (session == null) {
            return;
        }
        if (closedToDrain) {
            return; // nothing is live; drained() subscribes again
        }
        if (positions.cycle() != cycle) {
            LOG.info("{}: events were lost downstream; catching up again from the last safe position", peer);
            subscribe();
            return;
        }
        if (resubscribeAtMillis > 0 && System.currentTimeMillis() >= resubscribeAtMillis) {
            resubscribeAtMillis = 0;
            subscribe();
            return;
        }
        if (gap != null || nextGap != null) {
            return;
        }
        long now = clock.millis() / 1000;
        Map<String, Long> candidate = new HashMap<>();
        boolean all = true;
        for (Sub sub : subs.values()) {
            if (sub.parent == null && !sub.closed) {
                if (sub.caughtUp()) {
                    candidate.put(sub.name, now);
                    drainFloor.remove(sub.name);
                } else {
                    all = false;
                }
            }
        }
        caughtUp = all && !candidate.isEmpty();
        if (!candidate.isEmpty()) {
            delivery.checkpoint(cycle, candidate);
        }
    }

    @Override
    public void onFrame(RelaySession s, String frame) {
        charsRead += frame.length();
        // an event (nearly every frame) is read once: the frame and the strict parse of its event together
        RelayMessageCodec.ParsedEvent parsed = RelayMessageCodec.decodeEventFromRelay(frame);
        RelayMessage m = parsed != null ? new RelayMessage.Event(parsed.subscriptionId(), parsed.eventJson()) : RelayMessageCodec.decodeFromRelay(frame);
        if (m instanceof RelayMessage.Event e) {
            Sub sub = subs.get(e.subscriptionId());
            if (sub == null) {
                delivery.refused("unknown-subscription", "EVENT for subscription '" + e.subscriptionId() + "' we did not open");
                return;
            }
            if (sub.eose) {
                long createdAt = parsed != null ? parsed.event().createdAt() : -1;
                if (createdAt >= 0 && createdAt < sub.oldestLive) {
                    sub.oldestLive = createdAt;
                }
            } else {
                EventPeek peek = parsed != null ? EventPeek.of(parsed.event()) : EventPeek.of(e.eventJson());
                for (int i = 0; i < sub.filters.size(); i++) {
                    if (peek.createdAt() >= 0 && peek.countsFor(sub.filters.get(i))) {
                        sub.count[i]++;
                        sub.seen(i, peek.createdAt(), timing.pageThreshold());
                    }
                }
            }
            delivery.deliver(e.eventJson(), parsed == null ? null : parsed.event(), e.subscriptionId(), sub.eose);
        } else if (m instanceof RelayMessage.Eose eose) {
            if (endProbe(eose.subscriptionId(), true)) {
                return;
            }
            Sub sub = subs.get(eose.subscriptionId());
            if (sub != null && !sub.eose && !sub.closed) {
                onEose(eose.subscriptionId(), sub);
            }
        } else if (m instanceof RelayMessage.Ok ok) {
            if (ok.eventId().equals(pendingAuthId)) {
                pendingAuthId = null;
                authenticated = ok.accepted();
                if (ok.accepted()) {
                    LOG.info("{}: authenticated (NIP-42) as {}", peer, stationKey.publicKeyHex());
                    if (resendAfterAuth) {
                        resendAfterAuth = false;
                        subscribe();
                    }
                } else {
                    peerText(Level.WARN, "auth", "refused our AUTH: " + PeerText.clip(ok.message()));
                }
            }
        } else if (m instanceof RelayMessage.Auth auth) {
            answerChallenge(auth.challenge());
        } else if (m instanceof RelayMessage.Closed closed) {
            closedCount++;
            if (endProbe(closed.subscriptionId(), false)) {
                if (!RelayMessage.hasPrefix(closed.message(), "auth-required")) {
                    probesRefused = true;
                    peerText(Level.INFO, "probe", "refused our backlog probe (" + PeerText.clip(closed.message())
                            + "); live subscriptions are closed at the high-water mark without measuring");
                }
                return;
            }
            if (RelayMessage.hasPrefix(closed.message(), "auth-required")) {
                if (stationKey == null) {
                    peerText(Level.WARN, "closed", "demands authentication (" + PeerText.clip(closed.message())
                            + ") but no station key is configured (game/secret.nostr)");
                } else if (authenticated) {
                    subscribe();
                } else {
                    resendAfterAuth = true; // re-subscribe once our AUTH is accepted
                }
            } else {
                Sub gone = subs.remove(closed.subscriptionId());
                if (closed.subscriptionId().equals(pageInFlight)) {
                    pageInFlight = null;
                }
                if (gone != null && gone.closed) {
                    return; // we closed it ourselves, to drain
                }
                if (gone != null && resubscribeAtMillis == 0) {
                    // a relay that ends our subscription ("error: shutting down", "rate-limited: ...") is asked again
                    // later, waiting longer each time it does so again, instead of leaving this peer silent until a reconnect
                    resubscribeAtMillis = System.currentTimeMillis() + closedBackoffMillis;
                    closedBackoffMillis = Math.min(MAX_CLOSED_BACKOFF_MILLIS, closedBackoffMillis * 2);
                }
                // a page refused: its REQ cannot complete this time; reconnecting starts the catch-up again
                peerText(Level.WARN, "closed", "closed subscription " + PeerText.clip(closed.subscriptionId(), 64) + ": " + PeerText.clip(closed.message())
                        + (gone != null && gone.parent != null ? "; that page's window stays open until the next catch-up" : ""));
            }
        } else if (m instanceof RelayMessage.Notice n) {
            notices++;
            lastNotice = PeerText.clip(n.message());
            peerText(Level.INFO, "notice", "NOTICE " + lastNotice);
        } else if (m instanceof RelayMessage.Malformed bad) {
            delivery.refused("malformed-frame", bad.reason());
        }
    }

    /**
     * Relays cap each filter (strfry: 500 events): a filter that returned that many before EOSE may
     * have been cut short, so ask again for what is older, filter by filter. A REQ is caught up once
     * its own EOSE and those of all pages under it came.
     */
    private void onEose(String id, Sub sub) {
        sub.eose = true;
        closedBackoffMillis = FIRST_CLOSED_BACKOFF_MILLIS;
        String base = sub.parent == null ? id : sub.parent;
        Sub req = subs.get(base);
        for (int i = 0; i < sub.filters.size(); i++) {
            Filter f = sub.filters.get(i);
            long floor = sub.pageFloor(i);
            boolean mayBeCut = sub.count[i] >= timing.pageThreshold() && floor != Long.MAX_VALUE;
            if (!mayBeCut || req == null) {
                continue;
            }
            int pages = sub.pages + 1;
            long until;
            if (f.until() != null && floor >= f.until()) {
                // a full page of one second: no later until reaches the rest of it
                oneSecond(f.withSince(f.until()), base, req, pages);
                until = f.until() - 1;
                if (f.since() != null && until < f.since()) {
                    continue;
                }
            } else {
                // inclusive: the floor's second is asked again (duplicates are dropped); a full page that reached
                // the window's first second goes on too, as that second may hold more
                until = floor;
            }
            if (pages > timing.maxCatchUpPages() && !pageEverything && f.since() != null) {
                // a long catch-up: the rest of this window by reconciliation
                closeGap(f.since(), until);
                continue;
            }
            Sub page = new Sub(List.of(f.withUntil(until)), base, req.name);
            page.pages = pages;
            waitingPages.add(new Page(base + "~" + (++pageIds), page));
            req.openPages++;
            LOG.debug("{}: {} filter {} returned {} events before EOSE; paging back from {}", peer, id, i, sub.count[i], until);
        }
        java.util.Arrays.fill(sub.floors, null); // a page's worth per filter, needed no more: a live REQ lives for days
        if (sub.parent != null) {
            subs.remove(id);
            if (id.equals(pageInFlight)) {
                pageInFlight = null;
            }
            if (req != null) {
                req.openPages--;
            }
            session.send(RelayMessageCodec.encode(new RelayMessage.Close(id)));
        }
        nextPage();
    }

    /**
     * The rest of one second that held more than a page: asked for in halves of the filter (authors, then
     * kinds...), each one halved again while it comes back full ({@link #onEose}). A filter that cannot be cut
     * further is left to reconciliation (NIP-77) when the peer does it; otherwise it is counted and logged.
     */
    private void oneSecond(Filter second, String base, Sub req, int pages) {
        List<Filter> halves = second.halves();
        if (halves.isEmpty()) {
            if (!pageEverything) {
                closeGap(second.since(), second.until());
            } else {
                beyondReach.incrementAndGet();
                LOG.warn("{}: more events than one page ({}) for {} within one second, and no reconciliation: the rest is not fetched",
                        peer, timing.pageThreshold(), second.toJson());
            }
            return;
        }
        for (Filter half : halves) {
            Sub page = new Sub(List.of(half), base, req.name);
            page.pages = pages;
            waitingPages.add(new Page(base + "~" + (++pageIds), page));
            req.openPages++;
        }
    }

    /** Asks for the next catch-up page once the previous one has ended and what was delivered is not piling up. */
    private void nextPage() {
        if (session == null || pageInFlight != null || waitingPages.isEmpty() || delivery.backlogged()) {
            return;
        }
        Page page = waitingPages.poll();
        subs.put(page.id(), page.sub());
        pageInFlight = page.id();
        session.send(RelayMessageCodec.encode(new RelayMessage.Req(page.id(), page.sub().filters)));
    }

    /**
     * What was delivered is piling up: closes our subscriptions, so that the peer stops sending instead of
     * buffering for us until it cuts us as a slow client. What is already in flight is still delivered;
     * {@link #drained()} subscribes again from the positions, which did not move past what was delivered.
     * False when nothing was closed (not yet over the limit, nothing open, or already closed).
     * With backlogLimitChars 0 (unmeasured) it closes at once, once one subscription is live; a catch-up is
     * not closed then: its own pages fill the queue, closing would start it over and over; its pages wait
     * for the queue instead ({@link Delivery#backlogged()}).
     * Measured (above 0), it closes only once the peer holds more than that for us: a probe REQ for an id
     * no event has, whose EOSE the peer queues behind everything it buffered for us; past the limit read
     * without its EOSE, the backlog was at least that. Each answer also projects the backlog to the next
     * answer from its growth since the previous one (a peer that fills faster than we read is closed before
     * it reaches its cut, not after). Below the limit the peer is held back by the paused socket alone,
     * which asks nothing twice; past it even a catch-up is closed (the peer's live events during it are
     * what overflows, and a cut would start it over all the same).
     */
    public boolean closeToDrain(long backlogLimitChars) {
        boolean measured = backlogLimitChars > 0 && !probesRefused;
        if (lastAnswerNanos > 0 && System.nanoTime() - lastAnswerNanos > PROJECTION_NANOS) {
            lastAnswerNanos = 0;
            projectedChars = 0;
        }
        long waiting = probeId == null ? 0 : charsRead - probeSentAt;
        boolean below = waiting <= backlogLimitChars && projectedChars <= backlogLimitChars;
        if (measured && below && probeId != null) {
            return false; // called for each frame above the mark: the common case costs two comparisons
        }
        if (session == null || closedToDrain) {
            return false;
        }
        if (!measured) {
            if (subs.values().stream().noneMatch(s -> s.parent == null && s.caughtUp())) {
                return false;
            }
        } else {
            if (subs.values().stream().noneMatch(s -> !s.closed)) {
                return false;
            }
            if (below) {
                if (probeId == null) {
                    probeId = "probe~" + (++probeIds);
                    probeSentAt = charsRead;
                    probeSentNanos = System.nanoTime();
                    probesOut.add(probeId);
                    session.send(RelayMessageCodec.encode(new RelayMessage.Req(probeId, List.of(PROBE))));
                }
                return false;
            }
            lastBacklogChars = Math.max(waiting, projectedChars);
            probeId = null; // its EOSE still comes (and is closed); measuring starts over after the drain
            lastAnswerNanos = 0;
            projectedChars = 0;
        }
        subs.values().removeIf(sub -> sub.closed); // an earlier drain's: long since quiet
        subs.forEach((id, sub) -> {
            sub.closed = true;
            if (sub.parent == null && sub.oldestLive != Long.MAX_VALUE) {
                drainFloor.merge(sub.name, sub.oldestLive, Math::min);
            }
            session.send(RelayMessageCodec.encode(new RelayMessage.Close(id)));
        });
        drains++;
        waitingPages.clear();
        pageInFlight = null;
        closedToDrain = true;
        caughtUp = false;
        return true;
    }

    /** A probe's answer (EOSE) or refusal (CLOSED); false when the id is not a probe's. */
    private boolean endProbe(String id, boolean answered) {
        if (!probesOut.remove(id)) {
            return false;
        }
        if (answered && session != null) {
            session.send(RelayMessageCodec.encode(new RelayMessage.Close(id))); // a REQ stays open after its EOSE
        }
        if (id.equals(probeId)) {
            if (answered) {
                // growing since the last answer: where it will be by the next one, which takes as long as this one did
                long now = System.nanoTime();
                long backlog = charsRead - probeSentAt;
                projectedChars = backlog;
                if (lastAnswerNanos > 0 && now > lastAnswerNanos && backlog > lastBacklogChars) {
                    double perNano = (double) (backlog - lastBacklogChars) / (now - lastAnswerNanos);
                    projectedChars = backlog + (long) (perNano * (now - probeSentNanos));
                }
                lastBacklogChars = backlog;
                lastAnswerNanos = now;
            }
            probeId = null;
        }
        return true;
    }

    /** A probe is out: the peer's backlog is being measured (and the socket may hold it back meanwhile). */
    public boolean measuringBacklog() {
        return probeId != null;
    }

    /** Chars the peer held for us when last measured (a probe answered, or one that passed the limit); -1 before any. */
    public long lastBacklogChars() {
        return lastBacklogChars;
    }

    /** What was delivered has drained: subscribes again after {@link #closeToDrain(long)}, else asks for a page held back. */
    public void drained() {
        if (closedToDrain) {
            closedToDrain = false;
            subscribe();
        } else {
            nextPage();
        }
    }

    private void answerChallenge(String challenge) {
        if (stationKey == null) {
            LOG.warn("{}: sent an AUTH challenge but no station key is configured (game/secret.nostr)", peer);
            return;
        }
        // the relay checks the event's age against its own clock: the wall clock, whatever our reference time
        NostrEvent auth = stationKey.authEvent(authRelayUrl, challenge, System.currentTimeMillis() / 1000);
        pendingAuthId = auth.id();
        session.send(RelayMessageCodec.encode(RelayMessage.AuthResponse.of(auth)));
    }

    @Override
    public void onClose(int code, String reason, boolean willReconnect) {
        session = null;
        peerText(Level.INFO, "close", "connection closed (" + code + " " + (reason == null ? "" : PeerText.clip(reason)) + ")"
                + (willReconnect ? "; reconnecting" : ""));
    }

    /**
     * A line carrying what the peer said: clipped, and at most a few a minute for this peer and kind,
     * so that a peer cannot flood the log (a NOTICE loop) or forge lines in it.
     */
    private void peerText(Level level, String kind, String line) {
        String note = PeerLogLimiter.shared().admit(peer, kind);
        if (note != null) {
            LOG.atLevel(level).log("{}: {}{}", peer, line, note);
        }
    }

    @Override
    public void onError(Throwable error) {
        LOG.debug("{}: {}", peer, error.toString());
    }

    public long notices() {
        return notices;
    }

    public String lastNotice() {
        return lastNotice;
    }

    public long closedSubscriptions() {
        return closedCount;
    }

    public boolean authorsFilteredLocally() {
        return authorsFilteredLocally;
    }

    /** Every subscription has its whole window and no gap is being closed. */
    public boolean caughtUp() {
        return caughtUp;
    }

    public long gapsClosed() {
        return gapsClosed.get();
    }

    /** Seconds holding more than a page that neither a narrower REQ nor reconciliation could fetch whole. */
    public long beyondReach() {
        return beyondReach.get();
    }
}
