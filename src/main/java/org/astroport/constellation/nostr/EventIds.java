package org.astroport.constellation.nostr;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/** NIP-01 event ids: sha256 over {@code [0,pubkey,created_at,kind,tags,content]} as JSON.stringify writes it. */
public final class EventIds {

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });
    private static final ThreadLocal<JsonBytes> BUFFER = ThreadLocal.withInitial(() -> new JsonBytes(1024));

    private EventIds() {
    }

    /** The exact text that is hashed, in UTF-8 (hashed from the buffer: no String, no copy). */
    private static JsonBytes canonical(JsonBytes b, String pubkey, long createdAt, int kind, List<List<String>> tags, String content) {
        b.verbatim("[0,\"").verbatim(pubkey).verbatim("\",").number(createdAt).ascii(',').number(kind).ascii(',');
        b.tags(tags, false).ascii(',').string(content, false);
        return b.ascii(']');
    }

    public static byte[] computeIdBytes(String pubkey, long createdAt, int kind, List<List<String>> tags, String content) {
        JsonBytes b = canonical(BUFFER.get().reset(), pubkey, createdAt, kind, tags, content);
        MessageDigest sha256 = SHA256.get();
        sha256.update(b.array(), 0, b.length());
        if (b.oversized()) {
            BUFFER.remove();
        }
        return sha256.digest();
    }

    public static byte[] computeIdBytes(NostrEvent e) {
        return computeIdBytes(e.pubkey(), e.createdAt(), e.kind(), e.tags(), e.content());
    }

    public static String computeId(NostrEvent e) {
        return Hex.encode(computeIdBytes(e));
    }
}
