package org.astroport.constellation.relay;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.astroport.constellation.nostr.Filter;
import org.astroport.constellation.nostr.NostrEvent;
import org.astroport.constellation.nostr.RelayMessage;
import org.astroport.constellation.nostr.RelayMessageCodec;
import org.astroport.constellation.nostr.StationKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Nostr side of one peer connection: after every (re)connect it subscribes from where it left
 * off, answers NIP-42 challenges with the station key, re-subscribes after {@code auth-required},
 * pages back when a relay's per-query cap may have cut the catch-up short, and hands every EVENT
 * on. Runs on the connection's event loop.
 */
public final class PeerSession implements RelaySessionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(PeerSession.class);

    /** Receives the events of our subscriptions, raw, in arrival order. */
    public interface Delivery {
        void deliver(String eventJson, String subscriptionId, boolean live);

        /** A frame or event refused before it reached the pipeline (unknown subscription, malformed frame). */
        default void refused(String reason, String detail) {
        }
    }

    /** What to ask for; read again on every (re)subscribe. */
    public interface Wants {
        List<Integer> kinds();

        /** null = anyone (filter locally). */
        List<String> authors();

        /** Resume point: newest created_at accepted from this peer, or -1. */
        long resumeFrom();
    }

    private final String peer;
    private final String authRelayUrl;
    private final Wants wants;
    private final SubscriptionPlanner planner;
    private final StationKey stationKey;
    private final Clock clock;
    private final long resumeMarginSeconds;
    private final long initialLookbackSeconds;
    private final int pageThreshold;
    private final Delivery delivery;

    // per connection, on the event loop
    private RelaySession session;
    private final Map<String, Sub> subs = new HashMap<>();
    private String pendingAuthId;
    private boolean authenticated;
    private boolean resendAfterAuth;

    private volatile long notices;
    private volatile long closedCount;
    private volatile String lastNotice = "";
    private volatile boolean authorsFilteredLocally;

    /** One REQ; relays cap each filter separately, so counts and the oldest time are kept per filter. */
    private static final class Sub {
        final List<Filter> filters;
        final int[] count;
        final long[] oldest;
        boolean live;
        int pages;

        Sub(List<Filter> filters) {
            this.filters = filters;
            this.count = new int[filters.size()];
            this.oldest = new long[filters.size()];
            java.util.Arrays.fill(oldest, Long.MAX_VALUE);
        }
    }

    public PeerSession(String peer, String authRelayUrl, Wants wants, SubscriptionPlanner planner, StationKey stationKey, Clock clock,
                       long resumeMarginSeconds, long initialLookbackSeconds, int pageThreshold, Delivery delivery) {
        this.peer = peer;
        this.authRelayUrl = authRelayUrl;
        this.wants = wants;
        this.planner = planner;
        this.stationKey = stationKey;
        this.clock = clock;
        this.resumeMarginSeconds = resumeMarginSeconds;
        this.initialLookbackSeconds = initialLookbackSeconds;
        this.pageThreshold = pageThreshold;
        this.delivery = delivery;
    }

    @Override
    public void onOpen(RelaySession s) {
        session = s;
        subs.clear();
        pendingAuthId = null;
        authenticated = false;
        resendAfterAuth = false;
        subscribe();
    }

    /** (Re)sends the REQs; reusing subscription ids replaces the relay's old ones. */
    public void subscribe() {
        if (session == null) {
            return;
        }
        long now = clock.millis() / 1000;
        long resume = wants.resumeFrom();
        long since = resume > 0 ? Math.max(0, resume - resumeMarginSeconds) : Math.max(0, now - initialLookbackSeconds);
        SubscriptionPlanner.Plan plan = planner.plan("cs", wants.kinds(), wants.authors(), since, null, null);
        if (plan.authorsFilteredLocally() && !authorsFilteredLocally) {
            LOG.info("{}: too many authors for the peer's limits; subscribing by kind and filtering authors locally", peer);
        }
        authorsFilteredLocally = plan.authorsFilteredLocally();
        List<String> previous = new ArrayList<>(subs.keySet());
        subs.clear();
        for (RelayMessage.Req req : plan.reqs()) {
            subs.put(req.subscriptionId(), new Sub(req.filters()));
            session.send(RelayMessageCodec.encode(req));
            previous.remove(req.subscriptionId());
        }
        for (String stale : previous) {
            session.send(RelayMessageCodec.encode(new RelayMessage.Close(stale)));
        }
        LOG.debug("{}: subscribed with {} REQ(s) since {}", peer, plan.reqs().size(), since);
    }

    @Override
    public void onFrame(RelaySession s, String frame) {
        RelayMessage m = RelayMessageCodec.decodeFromRelay(frame);
        if (m instanceof RelayMessage.Event e) {
            Sub sub = subs.get(e.subscriptionId());
            if (sub == null) {
                delivery.refused("unknown-subscription", "EVENT for subscription '" + e.subscriptionId() + "' we did not open");
                return;
            }
            if (!sub.live) {
                EventPeek peek = EventPeek.of(e.eventJson());
                for (int i = 0; i < sub.filters.size(); i++) {
                    if (peek.createdAt() >= 0 && peek.countsFor(sub.filters.get(i))) {
                        sub.count[i]++;
                        sub.oldest[i] = Math.min(sub.oldest[i], peek.createdAt());
                    }
                }
            }
            delivery.deliver(e.eventJson(), e.subscriptionId(), sub.live);
        } else if (m instanceof RelayMessage.Eose eose) {
            Sub sub = subs.get(eose.subscriptionId());
            if (sub != null && !sub.live) {
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
                    LOG.warn("{}: refused our AUTH: {}", peer, ok.message());
                }
            }
        } else if (m instanceof RelayMessage.Auth auth) {
            answerChallenge(auth.challenge());
        } else if (m instanceof RelayMessage.Closed closed) {
            closedCount++;
            if (closed.message().startsWith("auth-required:")) {
                if (stationKey == null) {
                    LOG.warn("{}: demands authentication ({}) but no station key is configured (game/secret.nostr)", peer, closed.message());
                } else if (authenticated) {
                    subscribe();
                } else {
                    resendAfterAuth = true; // re-subscribe once our AUTH is accepted
                }
            } else {
                LOG.warn("{}: closed subscription {}: {}", peer, closed.subscriptionId(), closed.message());
                subs.remove(closed.subscriptionId());
            }
        } else if (m instanceof RelayMessage.Notice n) {
            notices++;
            lastNotice = n.message();
            LOG.info("{}: NOTICE {}", peer, n.message());
        } else if (m instanceof RelayMessage.Malformed bad) {
            delivery.refused("malformed-frame", bad.reason());
        }
    }

    /**
     * Relays cap each filter (strfry: 500 events): a filter that returned that many before EOSE may
     * have been cut short, so ask again for what is older, filter by filter.
     */
    private void onEose(String id, Sub sub) {
        sub.live = true;
        boolean isPage = id.contains("~");
        String base = isPage ? id.substring(0, id.indexOf('~')) : id;
        for (int i = 0; i < sub.filters.size(); i++) {
            Filter f = sub.filters.get(i);
            boolean mayBeCut = sub.count[i] >= pageThreshold && sub.oldest[i] != Long.MAX_VALUE && (f.since() == null || sub.oldest[i] > f.since());
            if (!mayBeCut) {
                continue;
            }
            // until is inclusive: repeat the oldest second (duplicates are dropped) unless that made no progress
            long until = f.until() == null || sub.oldest[i] < f.until() ? sub.oldest[i] : sub.oldest[i] - 1;
            Sub page = new Sub(List.of(f.withUntil(until)));
            page.pages = sub.pages + 1;
            String pageId = base + "~" + i + "." + page.pages;
            subs.put(pageId, page);
            LOG.debug("{}: {} filter {} returned {} events before EOSE; paging back from {}", peer, id, i, sub.count[i], until);
            session.send(RelayMessageCodec.encode(new RelayMessage.Req(pageId, page.filters)));
        }
        if (isPage) {
            subs.remove(id);
            session.send(RelayMessageCodec.encode(new RelayMessage.Close(id)));
        }
    }

    private void answerChallenge(String challenge) {
        if (stationKey == null) {
            LOG.warn("{}: sent an AUTH challenge but no station key is configured (game/secret.nostr)", peer);
            return;
        }
        NostrEvent auth = stationKey.authEvent(authRelayUrl, challenge, clock.millis() / 1000);
        pendingAuthId = auth.id();
        session.send(RelayMessageCodec.encode(RelayMessage.AuthResponse.of(auth)));
    }

    @Override
    public void onClose(int code, String reason, boolean willReconnect) {
        session = null;
        LOG.info("{}: connection closed ({} {}){}", peer, code, reason == null ? "" : reason, willReconnect ? "; reconnecting" : "");
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
}
