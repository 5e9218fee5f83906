package org.astroport.constellation.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many events a relay holds, by NIP-45 COUNT of {} over one open connection. A benchmark polls the
 * local store every 100 ms in a mirror's tail: {@code strfry scan --count} is a process that opens the
 * database and took 150-250 ms of a loaded machine each time, CPU taken from the run it measures.
 */
final class RelayCount implements WebSocket.Listener, AutoCloseable {

    private static final Pattern COUNT = Pattern.compile("^\\[\"COUNT\",\"n\",\\{\"count\":(\\d+)");

    private final StringBuilder partial = new StringBuilder();
    private volatile CompletableFuture<Long> answer;
    private WebSocket ws;

    static RelayCount open(String url) throws Exception {
        RelayCount c = new RelayCount();
        c.ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(url), c).get(10, TimeUnit.SECONDS);
        return c;
    }

    long count() throws Exception {
        CompletableFuture<Long> a = new CompletableFuture<>();
        answer = a;
        ws.sendText("[\"COUNT\",\"n\",{}]", true).get(10, TimeUnit.SECONDS);
        return a.get(60, TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            String frame = partial.toString();
            partial.setLength(0);
            Matcher m = COUNT.matcher(frame);
            CompletableFuture<Long> a = answer;
            if (a != null) {
                if (m.find()) {
                    a.complete(Long.parseLong(m.group(1)));
                } else if (frame.startsWith("[\"CLOSED\"") || frame.startsWith("[\"NOTICE\"")) {
                    a.completeExceptionally(new IllegalStateException("the relay refused COUNT: " + frame));
                }
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        CompletableFuture<Long> a = answer;
        if (a != null) {
            a.completeExceptionally(new IllegalStateException("the relay closed the count's connection: " + statusCode + " " + reason));
        }
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        CompletableFuture<Long> a = answer;
        if (a != null) {
            a.completeExceptionally(error);
        }
    }

    @Override
    public void close() {
        ws.abort();
    }
}
