package org.astroport.constellation.nostr;

import java.util.ArrayList;
import java.util.List;

/** A Nostr event (NIP-01). Immutable; only {@link EventParser} and {@link EventSigner} make valid ones. */
public record NostrEvent(String id, String pubkey, long createdAt, int kind, List<List<String>> tags, String content, String sig) {

    public NostrEvent {
        List<List<String>> copy = new ArrayList<>(tags.size());
        for (List<String> t : tags) {
            copy.add(List.copyOf(t));
        }
        tags = List.copyOf(copy);
    }

    /** Wire form, serialised the way reference clients do (so it can be re-hashed byte for byte). */
    public String toJson() {
        StringBuilder sb = new StringBuilder(256 + content.length());
        sb.append("{\"id\":\"").append(id).append("\",\"pubkey\":\"").append(pubkey)
                .append("\",\"created_at\":").append(createdAt).append(",\"kind\":").append(kind).append(",\"tags\":");
        JsonText.appendTags(sb, tags);
        sb.append(",\"content\":");
        JsonText.appendString(sb, content);
        sb.append(",\"sig\":\"").append(sig).append("\"}");
        return sb.toString();
    }

    public boolean isEphemeral() {
        return Kinds.isEphemeral(kind);
    }

    public boolean isReplaceable() {
        return kind == 0 || kind == 3 || (kind >= 10000 && kind < 20000);
    }

    public boolean isAddressable() {
        return kind >= 30000 && kind < 40000;
    }

    /** Value (index 1) of the first tag with this name, or null. */
    public String firstTagValue(String name) {
        for (List<String> t : tags) {
            if (t.size() > 1 && t.get(0).equals(name)) {
                return t.get(1);
            }
        }
        return null;
    }

    /** Values (index 1) of every tag with this name, in order. */
    public List<String> tagValues(String name) {
        List<String> out = new ArrayList<>(2);
        for (List<String> t : tags) {
            if (t.size() > 1 && t.get(0).equals(name)) {
                out.add(t.get(1));
            }
        }
        return out;
    }

    public String dTag() {
        String d = firstTagValue("d");
        return d == null ? "" : d;
    }

    @Override
    public String toString() {
        return "NostrEvent[id=" + id + ", kind=" + kind + ", pubkey=" + pubkey + ", created_at=" + createdAt + "]";
    }
}
