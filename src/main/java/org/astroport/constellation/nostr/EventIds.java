package org.astroport.constellation.nostr;

import java.nio.charset.StandardCharsets;
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
    private static final ThreadLocal<StringBuilder> BUFFER = ThreadLocal.withInitial(() -> new StringBuilder(1024));

    private EventIds() {
    }

    /** The exact text that is hashed. */
    public static String canonical(String pubkey, long createdAt, int kind, List<List<String>> tags, String content) {
        StringBuilder sb = BUFFER.get();
        sb.setLength(0);
        sb.append("[0,\"").append(pubkey).append("\",").append(createdAt).append(',').append(kind).append(',');
        JsonText.appendTags(sb, tags);
        sb.append(',');
        JsonText.appendString(sb, content);
        sb.append(']');
        String out = sb.toString();
        if (sb.capacity() > 256 * 1024) {
            BUFFER.remove(); // do not pin a huge buffer per thread after one big event
        }
        return out;
    }

    public static byte[] computeIdBytes(String pubkey, long createdAt, int kind, List<List<String>> tags, String content) {
        return SHA256.get().digest(canonical(pubkey, createdAt, kind, tags, content).getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] computeIdBytes(NostrEvent e) {
        return computeIdBytes(e.pubkey(), e.createdAt(), e.kind(), e.tags(), e.content());
    }

    public static String computeId(NostrEvent e) {
        return Hex.encode(computeIdBytes(e));
    }
}
