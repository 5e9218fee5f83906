package org.astroport.constellation.negentropy;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Negentropy protocol v1 (range-based set reconciliation; hoytech/negentropy, NIP-77), either role.
 * The client {@link #initiate()}s and then {@link #reconcile}s each reply until it returns null,
 * learning the ids it has that the server lacks ("have") and those it needs. The server answers each
 * message with {@link #respond}. Messages are split so that none exceeds the frame size limit; the
 * rest is left to the next round.
 */
public final class Negentropy {

    public static final int PROTOCOL_VERSION = 0x61;
    public static final int DEFAULT_FRAME_SIZE_LIMIT = 60_000;
    static final long INFINITY = Long.MAX_VALUE;
    static final int MODE_SKIP = 0;
    static final int MODE_FINGERPRINT = 1;
    static final int MODE_ID_LIST = 2;
    private static final int BUCKETS = 16;
    private static final byte[] NO_ID = new byte[0];

    private final NegentropyItems items;
    private final int frameSizeLimit;
    private long lastTimestampIn;
    private long lastTimestampOut;

    /** @param frameSizeLimit bytes per message (0: unlimited; else at least 4096) */
    public Negentropy(NegentropyItems items, int frameSizeLimit) {
        if (frameSizeLimit != 0 && frameSizeLimit < 4096) {
            throw new IllegalArgumentException("frame size limit must be 0 (none) or at least 4096 bytes, not " + frameSizeLimit);
        }
        this.items = items;
        this.frameSizeLimit = frameSizeLimit;
    }

    /** The client's first message. */
    public byte[] initiate() {
        lastTimestampOut = 0;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(PROTOCOL_VERSION);
        splitRange(0, items.size(), INFINITY, NO_ID, out);
        return out.toByteArray();
    }

    /** Client side: processes the server's reply; returns the next message, or null when reconciliation is complete. */
    public byte[] reconcile(byte[] reply, List<String> have, List<String> need) throws NegentropyException {
        byte[] next = process(reply, true, have, need);
        return next.length == 1 ? null : next;
    }

    /** Server side: the reply to a client's message (a lone version byte when we cannot speak its version). */
    public byte[] respond(byte[] query) throws NegentropyException {
        return process(query, false, null, null);
    }

    private byte[] process(byte[] message, boolean initiator, List<String> have, List<String> need) throws NegentropyException {
        Reader in = new Reader(message);
        lastTimestampIn = 0;
        lastTimestampOut = 0;
        ByteArrayOutputStream full = new ByteArrayOutputStream();
        full.write(PROTOCOL_VERSION);
        int version = in.readByte();
        if (version < 0x60 || version > 0x6f) {
            throw new NegentropyException("invalid negentropy protocol version byte 0x" + Integer.toHexString(version));
        }
        if (version != PROTOCOL_VERSION) {
            if (initiator) {
                throw new NegentropyException("peer speaks negentropy protocol version " + (version - 0x60) + ", we speak 1", version);
            }
            return full.toByteArray();
        }
        int size = items.size();
        long prevTimestamp = 0;
        byte[] prevId = NO_ID;
        int prevIndex = 0;
        boolean skip = false;
        while (in.remaining() > 0) {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            long boundTimestamp = decodeTimestamp(in);
            int prefixLength = (int) in.readVarint();
            if (prefixLength > NegentropyItems.ID_SIZE) {
                throw new NegentropyException("bound id prefix of " + prefixLength + " bytes (at most 32)");
            }
            byte[] boundId = in.readBytes(prefixLength);
            long mode = in.readVarint();
            int lower = prevIndex;
            int upper = items.lowerBound(prevIndex, size, boundTimestamp, boundId);
            if (mode == MODE_SKIP) {
                skip = true;
            } else if (mode == MODE_FINGERPRINT) {
                byte[] theirs = in.readBytes(NegentropyItems.FINGERPRINT_SIZE);
                if (Arrays.equals(theirs, items.fingerprint(lower, upper))) {
                    skip = true;
                } else {
                    if (skip) {
                        skip = false;
                        encodeBound(o, prevTimestamp, prevId);
                        Varint.write(o, MODE_SKIP);
                    }
                    splitRange(lower, upper, boundTimestamp, boundId, o);
                }
            } else if (mode == MODE_ID_LIST) {
                long count = in.readVarint();
                if (count * NegentropyItems.ID_SIZE > in.remaining()) {
                    throw new NegentropyException("id list of " + count + " ids is longer than the message");
                }
                // in the peer's order, so what we need is fetched in the order it listed it
                Set<IdKey> theirs = new LinkedHashSet<>();
                for (long i = 0; i < count; i++) {
                    theirs.add(in.readId());
                }
                if (initiator) {
                    skip = true;
                    for (int i = lower; i < upper; i++) {
                        IdKey id = items.idKey(i);
                        if (!theirs.remove(id)) {
                            have.add(id.hex());
                        }
                    }
                    theirs.forEach(id -> need.add(id.hex()));
                } else {
                    if (skip) {
                        skip = false;
                        encodeBound(o, prevTimestamp, prevId);
                        Varint.write(o, MODE_SKIP);
                    }
                    // all our ids in the range, as many as fit; the range ends where we stopped
                    ByteArrayOutputStream ids = new ByteArrayOutputStream();
                    int n = 0;
                    long endTimestamp = boundTimestamp;
                    byte[] endId = boundId;
                    for (int i = lower; i < upper; i++) {
                        if (exceeded(full.size() + ids.size())) {
                            endTimestamp = items.timestamp(i);
                            endId = items.id(i);
                            upper = i;
                            break;
                        }
                        items.writeId(i, ids);
                        n++;
                    }
                    encodeBound(o, endTimestamp, endId);
                    Varint.write(o, MODE_ID_LIST);
                    Varint.write(o, n);
                    o.writeBytes(ids.toByteArray());
                    full.writeBytes(o.toByteArray());
                    o.reset();
                }
            } else {
                throw new NegentropyException("unexpected range mode " + mode);
            }
            if (exceeded(full.size() + o.size())) {
                // the rest of the space is left to the next round, as one fingerprint
                byte[] remaining = items.fingerprint(upper, size);
                encodeBound(full, INFINITY, NO_ID);
                Varint.write(full, MODE_FINGERPRINT);
                full.writeBytes(remaining);
                break;
            }
            full.writeBytes(o.toByteArray());
            prevIndex = upper;
            prevTimestamp = boundTimestamp;
            prevId = boundId;
        }
        return full.toByteArray();
    }

    private boolean exceeded(int n) {
        return frameSizeLimit != 0 && n > frameSizeLimit - 200;
    }

    private void splitRange(int lower, int upper, long upperTimestamp, byte[] upperId, ByteArrayOutputStream o) {
        int count = upper - lower;
        if (count < BUCKETS * 2) {
            encodeBound(o, upperTimestamp, upperId);
            Varint.write(o, MODE_ID_LIST);
            Varint.write(o, count);
            for (int i = lower; i < upper; i++) {
                items.writeId(i, o);
            }
            return;
        }
        int perBucket = count / BUCKETS;
        int withExtra = count % BUCKETS;
        int curr = lower;
        for (int b = 0; b < BUCKETS; b++) {
            int bucketSize = perBucket + (b < withExtra ? 1 : 0);
            byte[] fp = items.fingerprint(curr, curr + bucketSize);
            curr += bucketSize;
            if (curr == upper) {
                encodeBound(o, upperTimestamp, upperId);
            } else {
                // the shortest bound that separates the two neighbouring items
                long prevTs = items.timestamp(curr - 1);
                long currTs = items.timestamp(curr);
                if (prevTs != currTs) {
                    encodeBound(o, currTs, NO_ID);
                } else {
                    int shared = items.sharedPrefix(curr - 1, curr);
                    encodeBound(o, currTs, Arrays.copyOf(items.id(curr), Math.min(NegentropyItems.ID_SIZE, shared + 1)));
                }
            }
            Varint.write(o, MODE_FINGERPRINT);
            o.writeBytes(fp);
        }
    }

    private void encodeBound(ByteArrayOutputStream o, long timestamp, byte[] idPrefix) {
        writeTimestamp(o, timestamp, lastTimestampOut);
        lastTimestampOut = timestamp;
        Varint.write(o, idPrefix.length);
        o.writeBytes(idPrefix);
    }

    private long decodeTimestamp(Reader in) throws NegentropyException {
        lastTimestampIn = readTimestamp(in, lastTimestampIn);
        return lastTimestampIn;
    }

    /** A bound's timestamp as a message holds it: 0 for infinity, else one more than its distance from the bound before. */
    static void writeTimestamp(ByteArrayOutputStream o, long timestamp, long previous) {
        Varint.write(o, timestamp == INFINITY ? 0 : timestamp - previous + 1);
    }

    /** {@link #writeTimestamp} read back; after infinity, every bound of the message is infinity. */
    static long readTimestamp(Reader in, long previous) throws NegentropyException {
        long encoded = in.readVarint();
        if (encoded == 0 || previous == INFINITY) {
            return INFINITY;
        }
        long t = previous + encoded - 1;
        if (t < previous) {
            throw new NegentropyException("timestamp overflow");
        }
        return t;
    }

    /** Bounds-checked reading of a message. */
    static final class Reader {
        private final byte[] b;
        private int pos;

        Reader(byte[] b) {
            this.b = b;
        }

        int remaining() {
            return b.length - pos;
        }

        int readByte() throws NegentropyException {
            if (pos >= b.length) {
                throw new NegentropyException("message ends early");
            }
            return b[pos++] & 0xff;
        }

        long readVarint() throws NegentropyException {
            long n = 0;
            for (int i = 0; i < 9; i++) {
                int d = readByte();
                n = (n << 7) | (d & 0x7f);
                if ((d & 0x80) == 0) {
                    return n;
                }
            }
            throw new NegentropyException("varint longer than 9 bytes");
        }

        IdKey readId() throws NegentropyException {
            if (remaining() < NegentropyItems.ID_SIZE) {
                throw new NegentropyException("message ends early (wanted " + NegentropyItems.ID_SIZE + " bytes, " + remaining() + " left)");
            }
            IdKey id = IdKey.of(b, pos);
            pos += NegentropyItems.ID_SIZE;
            return id;
        }

        byte[] readBytes(int n) throws NegentropyException {
            if (n < 0 || n > remaining()) {
                throw new NegentropyException("message ends early (wanted " + n + " bytes, " + remaining() + " left)");
            }
            byte[] out = Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }
    }
}
