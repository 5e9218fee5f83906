package org.astroport.constellation.sink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;
import org.astroport.constellation.ingest.SinkEvent;
import org.astroport.constellation.nostr.RelayMessage;
import org.astroport.constellation.nostr.RelayMessageCodec;
import org.astroport.constellation.relay.OkReplies;
import org.astroport.constellation.relay.RelayConnection;
import org.astroport.constellation.relay.RelayOptions;
import org.astroport.constellation.relay.RelaySession;
import org.astroport.constellation.relay.RelaySessionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alternative sink: EVENT to the local relay over WebSocket, waiting for every OK. {@code OK false
 * "duplicate:"} counts as written; {@code rate-limited:} and {@code error:} are sent again after a
 * growing pause, then handed back to be spooled; other refusals (invalid:, blocked:, pow:, ...) are
 * final and counted by their prefix.
 * Ephemeral events go through here too: the relay broadcasts them without storing.
 */
public class RelayPublishSink implements EventSink {

    private static final Logger LOG = LoggerFactory.getLogger(RelayPublishSink.class);

    private final String url;
    private final long okTimeoutMillis;
    private final RelayConnection connection;
    private final OkReplies replies = new OkReplies();
    private final int retries;
    private final long retryBackoffMillis;
    private final AtomicLong retried = new AtomicLong();

    public RelayPublishSink(Vertx vertx, String url, long okTimeoutMillis) {
        this(vertx, url, okTimeoutMillis, 4, 100);
    }

    /** retries, retryBackoffMillis: for rate-limited: and error: answers, doubling the wait each time. */
    public RelayPublishSink(Vertx vertx, String url, long okTimeoutMillis, int retries, long retryBackoffMillis) {
        this.url = url;
        this.okTimeoutMillis = okTimeoutMillis;
        this.retries = retries;
        this.retryBackoffMillis = retryBackoffMillis;
        this.connection = new RelayConnection(vertx, url, RelayOptions.defaults().withBackoff(500, 10_000), new RelaySessionHandler() {
            @Override
            public void onOpen(RelaySession session) {
            }

            @Override
            public void onFrame(RelaySession session, String frame) {
                replies.onFrame(frame);
            }

            @Override
            public void onClose(int code, String reason, boolean willReconnect) {
                if (!willReconnect) {
                    return; // we are stopping
                }
                LOG.warn("local relay {} closed the connection (code {}{}); {} event(s) awaiting OK go to the spool", url, code,
                        reason == null || reason.isEmpty() ? "" : ", " + reason, replies.awaited());
                // fail the batch in flight now instead of waiting out the OK timeout
                replies.failAll(new IllegalStateException("connection closed (" + code + ")"));
            }

            @Override
            public void onError(Throwable error) {
                LOG.debug("local relay {}: {}", url, error.toString());
            }
        });
        connection.start();
    }

    @Override
    public Result write(List<SinkEvent> batch) throws SinkUnavailableException {
        int written = (int) batch.stream().filter(SinkEvent::isEphemeral).count(); // broadcast, never answered
        Map<String, Integer> refused = new HashMap<>();
        List<SinkEvent> toSend = batch;
        for (int attempt = 0; ; attempt++) {
            Map<String, RelayMessage.Ok> answers = publish(toSend);
            List<SinkEvent> again = new ArrayList<>();
            for (SinkEvent e : toSend) {
                RelayMessage.Ok ok = answers.get(e.id());
                if (ok == null) {
                    continue; // ephemeral
                }
                if (ok.accepted() || ok.message().startsWith("duplicate:")) {
                    written++;
                } else if (isTransient(ok.message())) {
                    again.add(e);
                } else {
                    refused.merge(prefixOf(ok.message()), 1, Integer::sum);
                }
            }
            if (again.isEmpty()) {
                return new Result(written, refused);
            }
            if (attempt >= retries) {
                // still pushed back: the router spools them and replays them later, in order
                LOG.info("local relay {}: {} event(s) still refused for now ({}) after {} attempt(s); spooling them", url, again.size(),
                        answers.get(again.get(0).id()).message(), attempt + 1);
                return new Result(written, refused, again);
            }
            retried.addAndGet(again.size());
            sleep(retryBackoffMillis << attempt);
            toSend = again;
        }
    }

    /** NIP-01's machine-readable prefixes: these two mean "not now", the others (invalid, blocked, pow, ...) are final. */
    static boolean isTransient(String okMessage) {
        return okMessage.startsWith("rate-limited:") || okMessage.startsWith("error:");
    }

    private static String prefixOf(String okMessage) {
        return okMessage.contains(":") ? okMessage.substring(0, okMessage.indexOf(':')) : "refused";
    }

    /** Sends every event and waits for the OK of each stored one; throws when the relay is gone or silent. */
    private Map<String, RelayMessage.Ok> publish(List<SinkEvent> events) throws SinkUnavailableException {
        if (connection.state() != RelayConnection.State.OPEN) {
            throw new SinkUnavailableException("local relay " + url + " is not connected (" + connection.state()
                    + (connection.lastError().isEmpty() ? "" : ": " + connection.lastError()) + ")");
        }
        Map<String, CompletableFuture<RelayMessage.Ok>> waits = new HashMap<>();
        try {
            for (SinkEvent e : events) {
                if (!e.isEphemeral()) {
                    waits.put(e.id(), replies.expect(e.id()));
                }
                if (!connection.send(RelayMessageCodec.encode(new RelayMessage.Publish(e.json())))) {
                    throw new SinkUnavailableException("local relay " + url + " went away while publishing");
                }
            }
            Map<String, RelayMessage.Ok> answers = new HashMap<>();
            long deadline = System.currentTimeMillis() + okTimeoutMillis;
            for (Map.Entry<String, CompletableFuture<RelayMessage.Ok>> w : waits.entrySet()) {
                answers.put(w.getKey(), w.getValue().get(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS));
            }
            return answers;
        } catch (TimeoutException e) {
            throw new SinkUnavailableException("local relay " + url + " did not answer OK within " + okTimeoutMillis + " ms");
        } catch (SinkUnavailableException e) {
            throw e;
        } catch (Exception e) {
            throw new SinkUnavailableException("publishing to " + url + ": " + e.getMessage(), e);
        } finally {
            waits.keySet().forEach(replies::forget);
        }
    }

    private static void sleep(long millis) throws SinkUnavailableException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SinkUnavailableException("interrupted while waiting to retry");
        }
    }

    /** The connection the writes go through is open (it reconnects by itself with backoff). */
    @Override
    public void probe() throws SinkUnavailableException {
        if (connection.state() != RelayConnection.State.OPEN) {
            throw new SinkUnavailableException("local relay " + url + " is not connected (" + connection.state()
                    + (connection.lastError().isEmpty() ? "" : ": " + connection.lastError()) + ")");
        }
    }

    /** Events sent again after rate-limited: or error: answers. */
    public long retried() {
        return retried.get();
    }

    @Override
    public boolean forwardsEphemeral() {
        return true;
    }

    @Override
    public String describe() {
        return "EVENT publish to " + url;
    }

    public void close() {
        connection.stop();
    }
}
