package org.astroport.constellation.sink;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.vertx.core.Vertx;
import org.astroport.constellation.nostr.RelayMessage;
import org.astroport.constellation.nostr.RelayMessageCodec;
import org.astroport.constellation.relay.RelayConnection;
import org.astroport.constellation.relay.RelayOptions;
import org.astroport.constellation.relay.RelaySession;
import org.astroport.constellation.relay.RelaySessionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alternative sink: EVENT to the local relay over WebSocket, waiting for every OK. {@code OK false
 * "duplicate:"} counts as written; other refusals are counted by their prefix (blocked:, invalid:, ...).
 * Ephemeral events go through here too: the relay broadcasts them without storing.
 */
public class RelayPublishSink implements EventSink {

    private static final Logger LOG = LoggerFactory.getLogger(RelayPublishSink.class);

    private final String url;
    private final long okTimeoutMillis;
    private final RelayConnection connection;
    private final Map<String, CompletableFuture<RelayMessage.Ok>> pending = new ConcurrentHashMap<>();

    public RelayPublishSink(Vertx vertx, String url, long okTimeoutMillis) {
        this.url = url;
        this.okTimeoutMillis = okTimeoutMillis;
        this.connection = new RelayConnection(vertx, url, RelayOptions.defaults().withBackoff(500, 10_000), new RelaySessionHandler() {
            @Override
            public void onOpen(RelaySession session) {
            }

            @Override
            public void onFrame(RelaySession session, String frame) {
                if (RelayMessageCodec.decodeFromRelay(frame) instanceof RelayMessage.Ok ok) {
                    CompletableFuture<RelayMessage.Ok> f = pending.remove(ok.eventId());
                    if (f != null) {
                        f.complete(ok);
                    }
                }
            }

            @Override
            public void onClose(int code, String reason, boolean willReconnect) {
                if (!willReconnect) {
                    return; // we are stopping
                }
                LOG.warn("local relay {} closed the connection (code {}{}); {} event(s) awaiting OK go to the spool", url, code,
                        reason == null || reason.isEmpty() ? "" : ", " + reason, pending.size());
                // fail the batch in flight now instead of waiting out the OK timeout
                pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException("connection closed (" + code + ")")));
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
        if (connection.state() != RelayConnection.State.OPEN) {
            throw new SinkUnavailableException("local relay " + url + " is not connected (" + connection.state()
                    + (connection.lastError().isEmpty() ? "" : ": " + connection.lastError()) + ")");
        }
        Map<String, CompletableFuture<RelayMessage.Ok>> waits = new HashMap<>();
        for (SinkEvent e : batch) {
            CompletableFuture<RelayMessage.Ok> f = new CompletableFuture<>();
            if (!e.isEphemeral()) {
                pending.put(e.id(), f);
                waits.put(e.id(), f);
            }
            if (!connection.send(RelayMessageCodec.encode(new RelayMessage.Publish(e.json())))) {
                waits.keySet().forEach(pending::remove);
                throw new SinkUnavailableException("local relay " + url + " went away while publishing");
            }
        }
        int written = 0;
        Map<String, Integer> refused = new HashMap<>();
        long deadline = System.currentTimeMillis() + okTimeoutMillis;
        try {
            for (Map.Entry<String, CompletableFuture<RelayMessage.Ok>> w : waits.entrySet()) {
                RelayMessage.Ok ok = w.getValue().get(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                if (ok.accepted() || ok.message().startsWith("duplicate:")) {
                    written++;
                } else {
                    String prefix = ok.message().contains(":") ? ok.message().substring(0, ok.message().indexOf(':')) : "refused";
                    refused.merge(prefix, 1, Integer::sum);
                }
            }
        } catch (TimeoutException e) {
            throw new SinkUnavailableException("local relay " + url + " did not answer OK within " + okTimeoutMillis + " ms");
        } catch (Exception e) {
            throw new SinkUnavailableException("publishing to " + url + ": " + e.getMessage(), e);
        } finally {
            waits.keySet().forEach(pending::remove);
        }
        return new Result(written + (int) batch.stream().filter(SinkEvent::isEphemeral).count(), refused);
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
