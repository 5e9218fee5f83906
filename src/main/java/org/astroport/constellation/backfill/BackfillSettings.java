package org.astroport.constellation.backfill;

import java.util.ArrayList;
import java.util.List;

/** The backfill's settings ({@code constellation.backfill.*}; their defaults are in application.properties). */
public record BackfillSettings(int concurrency, int retries, long retryBackoffMillis, int pageSize, long timeoutMillis,
                               List<String> fallbackRelays, int days, Negentropy negentropy) {

    /**
     * NIP-77: on by default, REQ paging when a peer cannot reconcile; upload with direction both.
     * localRelayUrl: our own relay, reconciled with each peer through its NIP-77 (our side is listed only
     * when it cannot); null: our side is always listed.
     */
    public record Negentropy(boolean enabled, int frameLimit, long answerTimeoutMillis, boolean upload, String localRelayUrl) {
    }

    /** "wss://a, wss://b" or separated by spaces: the relay URLs, blank entries dropped. */
    public static List<String> relayList(String configured) {
        List<String> out = new ArrayList<>();
        for (String r : configured.split("[,\\s]+")) {
            if (!r.isBlank()) {
                out.add(r.trim());
            }
        }
        return List.copyOf(out);
    }
}
