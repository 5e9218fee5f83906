package org.astroport.constellation.backfill;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.vertx.core.Vertx;
import org.astroport.constellation.nostr.Filter;
import org.astroport.constellation.nostr.NostrEvent;
import org.astroport.constellation.nostr.RelayMessage;
import org.astroport.constellation.nostr.RelayMessageCodec;
import org.astroport.constellation.nostr.StationKey;
import org.astroport.constellation.relay.RelayConnection;
import org.astroport.constellation.relay.RelayOptions;
import org.astroport.constellation.relay.RelaySession;
import org.astroport.constellation.relay.RelaySessionHandler;

/**
 * One backfill connection to one relay: for each filter, REQ pages going back with {@code until}
 * until a page comes back short (relays cap results per query: strfry returns at most 500, so a
 * single big {@code limit} silently loses the rest). Answers NIP-42 challenges. Not thread-safe:
 * one caller thread drives it; frames arrive on the Vert.x event loop.
 */
public final class PeerFetch implements AutoCloseable {

    public static final class FetchFailed extends Exception {
        public FetchFailed(String message) {
            super(message);
        }
    }

    private final String url;
    private final String authRelayUrl;
    private final StationKey stationKey;
    private final Clock clock;
    private final long timeoutMillis;
    private final RelayConnection connection;
    private final CompletableFuture<RelaySession> opened = new CompletableFuture<>();
    private volatile RelaySession session;

    // the page in flight
    private volatile String currentSub;
    private volatile String currentReq;
    private volatile CompletableFuture<List<String>> pageDone;
    private final List<String> pageEvents = new ArrayList<>();
    private volatile String pendingAuthId;
    private volatile boolean resendAfterAuth;
    private volatile boolean closed;
    private int subCounter;

    public PeerFetch(Vertx vertx, String url, String authRelayUrl, StationKey stationKey, Clock clock, long timeoutMillis) {
        this.url = url;
        this.authRelayUrl = authRelayUrl == null ? url : authRelayUrl;
        this.stationKey = stationKey;
        this.clock = clock;
        this.timeoutMillis = timeoutMillis;
        RelayOptions opts = new RelayOptions(Math.min(timeoutMillis, 15_000), 3_600_000, 3_600_000, 30_000, 0, Long.MAX_VALUE, 1 << 20);
        this.connection = new RelayConnection(vertx, url, opts, new Handler());
    }

    /** Connects; throws FetchFailed when the relay cannot be reached in time. */
    public void open() throws FetchFailed {
        connection.start();
        try {
            session = opened.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new FetchFailed("no connection to " + url + " within " + timeoutMillis + " ms"
                    + (connection.lastError().isEmpty() ? "" : ": " + connection.lastError()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchFailed("interrupted");
        } catch (ExecutionException e) {
            throw new FetchFailed("cannot connect to " + url + ": " + e.getCause().getMessage());
        }
    }

    /**
     * Fetches everything matching the filter, newest first, page by page.
     *
     * @return number of events handed to the consumer
     */
    public long fetchAll(Filter filter, int pageSize, Consumer<String> events, Runnable progress) throws FetchFailed {
        Long until = filter.until();
        long total = 0;
        for (int page = 0; page < 100_000; page++) {
            Filter f = filter.withUntil(until).withLimit(pageSize);
            List<String> got = page(f);
            long oldest = Long.MAX_VALUE;
            for (String e : got) {
                events.accept(e);
                long t = createdAt(e);
                if (t >= 0) {
                    oldest = Math.min(oldest, t);
                }
            }
            total += got.size();
            if (progress != null) {
                progress.run();
            }
            if (got.size() < pageSize || oldest == Long.MAX_VALUE || (filter.since() != null && oldest <= filter.since())) {
                return total;
            }
            // until is inclusive: repeat the oldest second unless that made no progress
            until = until == null || oldest < until ? oldest : oldest - 1;
            if (until < 0) {
                return total;
            }
        }
        return total;
    }

    private List<String> page(Filter f) throws FetchFailed {
        if (closed || session == null) {
            throw new FetchFailed(url + " closed the connection");
        }
        synchronized (pageEvents) {
            pageEvents.clear();
        }
        String sub = "bf-" + (subCounter++);
        CompletableFuture<List<String>> done = new CompletableFuture<>();
        pageDone = done;
        currentSub = sub;
        currentReq = RelayMessageCodec.encode(new RelayMessage.Req(sub, List.of(f)));
        session.send(currentReq);
        try {
            List<String> out = done.get(timeoutMillis, TimeUnit.MILLISECONDS);
            session.send(RelayMessageCodec.encode(new RelayMessage.Close(sub)));
            return out;
        } catch (TimeoutException e) {
            throw new FetchFailed(url + ": no EOSE within " + timeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchFailed("interrupted");
        } catch (ExecutionException e) {
            throw new FetchFailed(e.getCause().getMessage());
        }
    }

    private static long createdAt(String eventJson) {
        return org.astroport.constellation.relay.EventPeek.of(eventJson).createdAt();
    }

    private final class Handler implements RelaySessionHandler {
        @Override
        public void onOpen(RelaySession s) {
            opened.complete(s);
        }

        @Override
        public void onFrame(RelaySession s, String frame) {
            RelayMessage m = RelayMessageCodec.decodeFromRelay(frame);
            if (m instanceof RelayMessage.Event e) {
                if (e.subscriptionId().equals(currentSub)) {
                    synchronized (pageEvents) {
                        pageEvents.add(e.eventJson());
                    }
                }
            } else if (m instanceof RelayMessage.Eose eose) {
                if (eose.subscriptionId().equals(currentSub) && pageDone != null) {
                    List<String> copy;
                    synchronized (pageEvents) {
                        copy = new ArrayList<>(pageEvents);
                    }
                    pageDone.complete(copy);
                }
            } else if (m instanceof RelayMessage.Auth auth) {
                if (stationKey != null) {
                    NostrEvent ev = stationKey.authEvent(authRelayUrl, auth.challenge(), clock.millis() / 1000);
                    pendingAuthId = ev.id();
                    s.send(RelayMessageCodec.encode(RelayMessage.AuthResponse.of(ev)));
                }
            } else if (m instanceof RelayMessage.Ok ok) {
                if (ok.eventId().equals(pendingAuthId)) {
                    pendingAuthId = null;
                    if (ok.accepted() && resendAfterAuth && currentReq != null) {
                        resendAfterAuth = false;
                        s.send(currentReq);
                    }
                }
            } else if (m instanceof RelayMessage.Closed c) {
                if (c.subscriptionId().equals(currentSub) && pageDone != null) {
                    if (c.message().startsWith("auth-required:") && stationKey != null) {
                        resendAfterAuth = true;
                        if (pendingAuthId == null) {
                            // answered already and accepted: the relay wants the REQ again
                            s.send(currentReq);
                        }
                    } else {
                        pageDone.completeExceptionally(new IllegalStateException(url + " closed our request: " + c.message()));
                    }
                }
            }
        }

        @Override
        public void onClose(int code, String reason, boolean willReconnect) {
            closed = true;
            CompletableFuture<List<String>> p = pageDone;
            if (p != null) {
                p.completeExceptionally(new IllegalStateException(url + " closed the connection (" + code + ")"));
            }
            connection.stop();
        }

        @Override
        public void onError(Throwable error) {
            if (!opened.isDone() && connection.connectFailures() > 0) {
                opened.completeExceptionally(error);
                connection.stop();
            }
        }
    }

    public long framesIn() {
        return connection.framesIn();
    }

    public long bytesIn() {
        return connection.bytesIn();
    }

    @Override
    public void close() {
        connection.stop();
    }
}
