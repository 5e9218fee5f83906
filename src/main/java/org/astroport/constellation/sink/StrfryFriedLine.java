package org.astroport.constellation.sink;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.astroport.constellation.nostr.Hex;
import org.astroport.constellation.nostr.JsonBytes;
import org.astroport.constellation.nostr.NostrEvent;

/**
 * An event as {@code strfry import --fried} takes it: strfry's normalised JSON (keys in its order, its
 * escaping) with a {@code "fried"} field holding the hex of its packed index record, the one
 * {@code strfry export --fried} writes. strfry then stores the event without parsing or re-serialising
 * it: 100,000 events cost it about 1 CPU second instead of 13 (its JSON parser and a thread hand-off per
 * line), which on a 2-core station is most of what the import sink cost.
 * <p>
 * The packed record follows strfry's {@code nostrJsonToPackedEvent} (src/events.cpp, src/PackedEvent.h):
 * id, pubkey, created_at, kind, expiration (8 bytes each, little-endian), then one entry per indexed
 * tag (name byte, length byte, value; {@code e} and {@code p} values as 32 bytes; values over 255 bytes
 * not indexed; a virtual empty {@code d} first for replaceable kinds, last for addressable ones). Only
 * events whose record is unambiguous are fried: an {@code expiration} tag, an {@code a} tag on a
 * deletion, an {@code e}/{@code p} value that is not 64 hex digits, or a tag over strfry's limits makes
 * {@link #of} return null, and such an event goes through strfry's own parser, which decides. The sink
 * also checks this class against the strfry it runs before using it ({@link StrfryFriedCheck}).
 */
public final class StrfryFriedLine {

    /** strfry's constants.h: longer tag values are stored but not indexed. */
    static final int MAX_INDEXED_TAG_VAL_SIZE = 255;

    /** strfry's events.maxNumTags and events.maxTagValSize (its defaults 2000 and 1024), which its parser enforces. */
    public record Limits(int maxNumTags, int maxTagValSize) {
        public static final Limits DEFAULTS = new Limits(2000, 1024);
    }

    private static final ThreadLocal<JsonBytes> BUFFER = ThreadLocal.withInitial(() -> new JsonBytes(4096));

    private StrfryFriedLine() {
    }

    /** The fried line in UTF-8 (no newline), or null when the event must go through strfry's parser. */
    public static byte[] of(NostrEvent e, Limits limits) {
        List<List<String>> tags = e.tags();
        if (tags.size() > limits.maxNumTags() || e.createdAt() < 0 || e.kind() < 0) {
            return null;
        }
        long kind = e.kind();
        int packedTags = 0;
        for (List<String> tag : tags) {
            String name = tag.get(0);
            String value = tag.size() >= 2 ? tag.get(1) : "";
            if (name.equals("expiration") || kind == 5 && name.equals("a")) {
                return null;
            }
            if (!isSingleByte(name)) {
                continue;
            }
            int bytes = StrfryImportSink.utf8Length(value);
            if (bytes > limits.maxTagValSize()) {
                return null;
            }
            if (name.equals("e") || name.equals("p")) {
                if (!isHex64(value)) {
                    return null;
                }
                packedTags += 2 + 32;
            } else if (bytes <= MAX_INDEXED_TAG_VAL_SIZE) {
                packedTags += 2 + bytes;
            }
        }
        boolean replaceable = kind == 0 || kind == 3 || kind == 41 || kind >= 10_000 && kind < 20_000;
        boolean addressable = kind >= 30_000 && kind < 40_000;
        boolean ephemeral = kind >= 20_000 && kind < 30_000;
        byte[] packed = new byte[88 + packedTags + (replaceable ? 2 : 0) + (addressable ? 2 : 0)];
        Hex.decodeInto(e.id(), packed, 0);
        Hex.decodeInto(e.pubkey(), packed, 32);
        littleEndian(e.createdAt(), packed, 64);
        littleEndian(kind, packed, 72);
        littleEndian(ephemeral ? 1 : 0, packed, 80);
        int at = 88;
        if (replaceable) {
            at = tag(packed, at, 'd', new byte[0]);
        }
        for (List<String> tag : tags) {
            String name = tag.get(0);
            if (!isSingleByte(name)) {
                continue;
            }
            String value = tag.size() >= 2 ? tag.get(1) : "";
            if (name.equals("e") || name.equals("p")) {
                packed[at] = (byte) name.charAt(0);
                packed[at + 1] = 32;
                Hex.decodeInto(value, packed, at + 2);
                at += 34;
            } else {
                byte[] v = value.getBytes(StandardCharsets.UTF_8);
                if (v.length <= MAX_INDEXED_TAG_VAL_SIZE) {
                    at = tag(packed, at, name.charAt(0), v);
                }
            }
        }
        if (addressable) {
            tag(packed, at, 'd', new byte[0]);
        }
        // strfry's normalised form: its keys sorted, as tao::json writes an object; tao::json escapes DEL too
        JsonBytes line = BUFFER.get().reset();
        line.verbatim("{\"content\":").string(e.content(), true)
                .verbatim(",\"created_at\":").number(e.createdAt()).verbatim(",\"id\":\"").verbatim(e.id()).verbatim("\",\"kind\":").number(kind)
                .verbatim(",\"pubkey\":\"").verbatim(e.pubkey()).verbatim("\",\"sig\":\"").verbatim(e.sig()).verbatim("\",\"tags\":")
                .tags(tags, true).verbatim(",\"fried\":\"").hex(packed).verbatim("\"}");
        byte[] out = line.toByteArray();
        if (line.oversized()) {
            BUFFER.remove();
        }
        return out;
    }

    private static int tag(byte[] packed, int at, char name, byte[] value) {
        packed[at] = (byte) name;
        packed[at + 1] = (byte) value.length;
        System.arraycopy(value, 0, packed, at + 2, value.length);
        return at + 2 + value.length;
    }

    /** strfry indexes a tag whose name is one byte long (in UTF-8): one ASCII character. */
    private static boolean isSingleByte(String name) {
        return name.length() == 1 && name.charAt(0) < 0x80;
    }

    /** strfry's from_hex takes either case. */
    private static boolean isHex64(String s) {
        return s.length() == 64 && Hex.isLowerHex64(s.toLowerCase(java.util.Locale.ROOT));
    }

    private static void littleEndian(long v, byte[] out, int at) {
        for (int k = 0; k < 8; k++) {
            out[at + k] = (byte) (v >>> (8 * k));
        }
    }
}
