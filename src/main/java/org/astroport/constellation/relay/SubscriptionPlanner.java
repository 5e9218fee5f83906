package org.astroport.constellation.relay;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.astroport.constellation.nostr.Filter;
import org.astroport.constellation.nostr.RelayMessage;
import org.astroport.constellation.nostr.RelayMessageCodec;

/**
 * Turns "these kinds from these authors since t" into REQ frames a relay accepts: authors split over
 * several filters and subscriptions so that no frame exceeds the peer's payload limit (strfry:
 * 131,072 bytes), no REQ carries too many filters (strfry: 200) and we stay under its subscription
 * limit (strfry: 20). When the authors cannot fit, we ask by kind only and filter locally.
 */
public final class SubscriptionPlanner {

    public record Limits(int maxFrameBytes, int maxFiltersPerReq, int maxSubscriptions, int authorsPerFilter) {
        public static Limits strfryDefaults() {
            return new Limits(120_000, 20, 10, 250);
        }
    }

    public record Plan(List<RelayMessage.Req> reqs, boolean authorsFilteredLocally) {
        public List<String> frames() {
            return reqs.stream().map(RelayMessageCodec::encode).toList();
        }
    }

    private final Limits limits;

    public SubscriptionPlanner(Limits limits) {
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    /**
     * @param prefix subscription id prefix (ids are prefix-0, prefix-1, ...; reusing them replaces old subscriptions)
     * @param authors null = anyone
     */
    public Plan plan(String prefix, List<Integer> kinds, List<String> authors, Long since, Long until, Integer limit) {
        Filter base = Filter.builder().kinds(kinds).since(since).until(until).limit(limit).build();
        if (authors == null) {
            return new Plan(List.of(new RelayMessage.Req(prefix + "-0", List.of(base))), false);
        }
        if (authors.isEmpty()) {
            return new Plan(List.of(), false);
        }
        List<Filter> filters = new ArrayList<>();
        for (int i = 0; i < authors.size(); i += limits.authorsPerFilter()) {
            filters.add(base.withAuthors(authors.subList(i, Math.min(authors.size(), i + limits.authorsPerFilter()))));
        }
        List<RelayMessage.Req> reqs = new ArrayList<>();
        List<Filter> current = new ArrayList<>();
        int overhead = ("[\"REQ\",\"" + prefix + "-000\"]").length();
        int size = overhead;
        for (Filter f : filters) {
            int fs = f.toJson().getBytes(StandardCharsets.UTF_8).length + 1;
            if (fs + overhead > limits.maxFrameBytes()) {
                // a single filter does not fit: fewer authors per filter would be needed; ask by kind
                return kindsOnly(prefix, base);
            }
            if (!current.isEmpty() && (size + fs > limits.maxFrameBytes() || current.size() >= limits.maxFiltersPerReq())) {
                reqs.add(new RelayMessage.Req(prefix + "-" + reqs.size(), current));
                current = new ArrayList<>();
                size = overhead;
            }
            current.add(f);
            size += fs;
        }
        if (!current.isEmpty()) {
            reqs.add(new RelayMessage.Req(prefix + "-" + reqs.size(), current));
        }
        if (reqs.size() > limits.maxSubscriptions()) {
            return kindsOnly(prefix, base);
        }
        return new Plan(reqs, false);
    }

    private static Plan kindsOnly(String prefix, Filter base) {
        return new Plan(List.of(new RelayMessage.Req(prefix + "-0", List.of(base))), true);
    }
}
