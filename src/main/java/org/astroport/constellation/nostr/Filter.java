package org.astroport.constellation.nostr;

import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A NIP-01 filter. A null field is absent (matches everything); an empty set matches nothing, as
 * relays treat {@code "authors": []}.
 */
public record Filter(Set<String> ids, Set<String> authors, Set<Integer> kinds, Map<String, Set<String>> tags,
                     Long since, Long until, Integer limit) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Filter {
        ids = ids == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(ids));
        authors = authors == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(authors));
        kinds = kinds == null ? null : Collections.unmodifiableSet(new TreeSet<>(kinds));
        if (tags == null || tags.isEmpty()) {
            tags = Map.of();
        } else {
            Map<String, Set<String>> t = new TreeMap<>();
            tags.forEach((k, v) -> t.put(k, Collections.unmodifiableSet(new LinkedHashSet<>(v))));
            tags = Collections.unmodifiableMap(t);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean matches(NostrEvent e) {
        if (ids != null && !ids.contains(e.id())) {
            return false;
        }
        if (authors != null && !authors.contains(e.pubkey())) {
            return false;
        }
        if (kinds != null && !kinds.contains(e.kind())) {
            return false;
        }
        if (since != null && e.createdAt() < since) {
            return false;
        }
        if (until != null && e.createdAt() > until) {
            return false;
        }
        for (Map.Entry<String, Set<String>> t : tags.entrySet()) {
            boolean any = false;
            for (List<String> tag : e.tags()) {
                if (tag.size() > 1 && tag.get(0).equals(t.getKey()) && t.getValue().contains(tag.get(1))) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }

    public String toJson() {
        StringBuilder sb = new StringBuilder(128);
        sb.append('{');
        boolean first = true;
        if (ids != null) {
            first = field(sb, first, "ids");
            strings(sb, ids);
        }
        if (authors != null) {
            first = field(sb, first, "authors");
            strings(sb, authors);
        }
        if (kinds != null) {
            first = field(sb, first, "kinds");
            sb.append('[');
            Iterator<Integer> it = kinds.iterator();
            while (it.hasNext()) {
                sb.append(it.next());
                if (it.hasNext()) {
                    sb.append(',');
                }
            }
            sb.append(']');
        }
        for (Map.Entry<String, Set<String>> t : tags.entrySet()) {
            first = field(sb, first, "#" + t.getKey());
            strings(sb, t.getValue());
        }
        if (since != null) {
            first = field(sb, first, "since");
            sb.append(since);
        }
        if (until != null) {
            first = field(sb, first, "until");
            sb.append(until);
        }
        if (limit != null) {
            field(sb, first, "limit");
            sb.append(limit);
        }
        return sb.append('}').toString();
    }

    private static boolean field(StringBuilder sb, boolean first, String name) {
        if (!first) {
            sb.append(',');
        }
        JsonText.appendString(sb, name);
        sb.append(':');
        return false;
    }

    private static void strings(StringBuilder sb, Collection<String> values) {
        sb.append('[');
        Iterator<String> it = values.iterator();
        while (it.hasNext()) {
            JsonText.appendString(sb, it.next());
            if (it.hasNext()) {
                sb.append(',');
            }
        }
        sb.append(']');
    }

    public static Filter fromJson(String json) {
        try {
            return fromJson(JSON.readTree(json));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("filter is not JSON: " + e.getMessage());
        }
    }

    /** Throws IllegalArgumentException naming the bad member. */
    public static Filter fromJson(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("filter must be a JSON object");
        }
        Builder b = builder();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String k = f.getKey();
            JsonNode v = f.getValue();
            switch (k) {
                case "ids" -> b.ids(stringSet(k, v));
                case "authors" -> b.authors(stringSet(k, v));
                case "kinds" -> {
                    if (!v.isArray()) {
                        throw new IllegalArgumentException("kinds must be an array of integers");
                    }
                    Set<Integer> ks = new TreeSet<>();
                    for (JsonNode x : v) {
                        if (!x.isIntegralNumber()) {
                            throw new IllegalArgumentException("kinds must be an array of integers");
                        }
                        ks.add(x.asInt());
                    }
                    b.kinds(ks);
                }
                case "since" -> b.since(number(k, v));
                case "until" -> b.until(number(k, v));
                case "limit" -> b.limit((int) Math.min(Integer.MAX_VALUE, number(k, v)));
                default -> {
                    if (k.length() == 2 && k.charAt(0) == '#') {
                        b.tag(k.substring(1), stringSet(k, v));
                    } else {
                        throw new IllegalArgumentException("unknown filter member '" + k + "'");
                    }
                }
            }
        }
        return b.build();
    }

    private static Set<String> stringSet(String name, JsonNode v) {
        if (!v.isArray()) {
            throw new IllegalArgumentException(name + " must be an array of strings");
        }
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode x : v) {
            if (!x.isTextual()) {
                throw new IllegalArgumentException(name + " must be an array of strings");
            }
            out.add(x.asText());
        }
        return out;
    }

    private static long number(String name, JsonNode v) {
        if (!v.isIntegralNumber() || v.asLong() < 0) {
            throw new IllegalArgumentException(name + " must be a non-negative integer");
        }
        return v.asLong();
    }

    public Filter withSince(Long s) {
        return new Filter(ids, authors, kinds, tags, s, until, limit);
    }

    public Filter withUntil(Long u) {
        return new Filter(ids, authors, kinds, tags, since, u, limit);
    }

    public Filter withLimit(Integer l) {
        return new Filter(ids, authors, kinds, tags, since, until, l);
    }

    public Filter withAuthors(Collection<String> a) {
        return new Filter(ids, a == null ? null : new LinkedHashSet<>(a), kinds, tags, since, until, limit);
    }

    public Filter withKinds(Collection<Integer> k) {
        return new Filter(ids, authors, k == null ? null : new TreeSet<>(k), tags, since, until, limit);
    }

    public Filter withIds(Collection<String> i) {
        return new Filter(i == null ? null : new LinkedHashSet<>(i), authors, kinds, tags, since, until, limit);
    }

    /**
     * Two narrower filters that together match exactly what this one does (its ids, authors, kinds or one
     * tag's values cut in two), or none when every list holds one value at most. A relay caps each answer
     * (strfry: 500) and {@code until} cannot page inside one second, so a second holding more than the cap
     * is asked for in halves.
     */
    public List<Filter> halves() {
        if (ids != null && ids.size() > 1) {
            List<List<String>> h = split(ids);
            return List.of(withIds(h.get(0)), withIds(h.get(1)));
        }
        if (authors != null && authors.size() > 1) {
            List<List<String>> h = split(authors);
            return List.of(withAuthors(h.get(0)), withAuthors(h.get(1)));
        }
        if (kinds != null && kinds.size() > 1) {
            List<List<Integer>> h = split(kinds);
            return List.of(withKinds(h.get(0)), withKinds(h.get(1)));
        }
        for (Map.Entry<String, Set<String>> t : tags.entrySet()) {
            if (t.getValue().size() > 1) {
                List<List<String>> h = split(t.getValue());
                return List.of(withTag(t.getKey(), h.get(0)), withTag(t.getKey(), h.get(1)));
            }
        }
        return List.of();
    }

    private static <T> List<List<T>> split(Collection<T> values) {
        List<T> all = List.copyOf(values);
        return List.of(all.subList(0, all.size() / 2), all.subList(all.size() / 2, all.size()));
    }

    private Filter withTag(String name, Collection<String> values) {
        Map<String, Set<String>> t = new TreeMap<>(tags);
        t.put(name, new LinkedHashSet<>(values));
        return new Filter(ids, authors, kinds, t, since, until, limit);
    }

    public static final class Builder {
        private Set<String> ids;
        private Set<String> authors;
        private Set<Integer> kinds;
        private final Map<String, Set<String>> tags = new TreeMap<>();
        private Long since;
        private Long until;
        private Integer limit;

        public Builder ids(Collection<String> v) {
            ids = new LinkedHashSet<>(v);
            return this;
        }

        public Builder authors(Collection<String> v) {
            authors = new LinkedHashSet<>(v);
            return this;
        }

        public Builder kinds(Collection<Integer> v) {
            kinds = new TreeSet<>(v);
            return this;
        }

        public Builder tag(String letter, Collection<String> values) {
            tags.put(letter, new LinkedHashSet<>(values));
            return this;
        }

        public Builder since(Long v) {
            since = v;
            return this;
        }

        public Builder until(Long v) {
            until = v;
            return this;
        }

        public Builder limit(Integer v) {
            limit = v;
            return this;
        }

        public Filter build() {
            return new Filter(ids, authors, kinds, tags, since, until, limit);
        }
    }
}
