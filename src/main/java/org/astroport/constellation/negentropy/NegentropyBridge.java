package org.astroport.constellation.negentropy;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reconciles two relays with each other through their server sides (NIP-77), so that neither set is
 * listed here: the station's own strfry answers for our side from its index, as {@code strfry sync}
 * reads its own database (listing 100,000 events with {@code strfry scan} took longer than the whole
 * reconciliation). Each side's answer is passed to the other as its next query. The one thing a server
 * cannot be passed is an id list: it would answer with its own, and the other with its own, forever.
 * So an id list is held here and passed on as its fingerprint; the other side then matches (the same
 * set), answers with its id list for exactly that range (the two are compared here: what each lacks),
 * or splits the range further. An empty id list is passed on as one, which the other side answers
 * with all its ids of the range at once (everything there is lacking on the empty side), not range by
 * range down to where they are few (an empty local store and 20,000 remote events: 3 messages, not 6).
 */
public final class NegentropyBridge {

    /**
     * One relay's server side. Several messages may be sent before their answers are read: a relay answers
     * them in the order they came (the first message opens the reconciliation).
     */
    public interface Server<E extends Exception> {
        void send(byte[] message) throws E;

        /** The answer to the oldest message sent and not yet answered. */
        byte[] next() throws E, NegentropyException;

        /** A server side in this process, which answers each message as it is sent. */
        static <E extends Exception> Server<E> answering(Answerer<E> answerer) {
            return new Server<>() {
                // a message it refused is refused when its answer is read
                private final Deque<Object> answers = new ArrayDeque<>();

                @Override
                public void send(byte[] message) throws E {
                    try {
                        answers.add(answerer.answer(message));
                    } catch (NegentropyException e) {
                        answers.add(e);
                    }
                }

                @Override
                public byte[] next() throws NegentropyException {
                    Object a = answers.remove();
                    if (a instanceof NegentropyException e) {
                        throw e;
                    }
                    return (byte[]) a;
                }
            };
        }
    }

    /** Answers a message at once. */
    @FunctionalInterface
    public interface Answerer<E extends Exception> {
        byte[] answer(byte[] message) throws E, NegentropyException;
    }

    /** need: ids only the remote side has; have: ids only the local side has (empty unless wanted); messages sent to each, the opening included. */
    public record Result(List<String> need, List<String> have, int remoteMessages, int localMessages) {
    }

    // a relay that keeps splitting ranges forever must not keep us forever
    static final int MAX_MESSAGES = 10_000;
    /**
     * Ranges (other than skips) per message. A server answers a range's fingerprint with at most 31 ids or a split
     * in 16 (~1 KB either way), so 450 of them are answered within strfry's 500,000 bytes for a NIP-77 answer: a
     * message is not cut short there and then sent again from where its answer stopped (two more rounds each time).
     */
    static final int MAX_RANGES = 450;
    /** Messages sent to a side before the first of their answers is read (each answer is at most ~500 KB). */
    static final int IN_FLIGHT = 4;
    private static final byte[] NO_ID = new byte[0];

    private final int frameSizeLimit;
    // sets: a side whose answer is cut short at its frame limit covers the rest with one fingerprint, and ranges
    // already compared in it are compared again (the reference client reports those twice)
    private final Set<String> need = new LinkedHashSet<>();
    private final Set<String> have = new LinkedHashSet<>();

    private final boolean wantHave;

    /**
     * @param frameSizeLimit bytes per message we send (at least 4096)
     * @param wantHave whether to learn what only the local side has (to send it up). Without it, a range the
     *        remote has nothing in is skipped, not asked of our relay: its ids there are all "have", and a
     *        station's relay holds far more than any one peer (a gap close in LiveSyncBench: 184 messages, most
     *        of them our relay's ids passed to us a frame at a time)
     */
    public NegentropyBridge(int frameSizeLimit, boolean wantHave) {
        if (frameSizeLimit < 4096) {
            throw new IllegalArgumentException("frame size limit must be at least 4096 bytes, not " + frameSizeLimit);
        }
        this.frameSizeLimit = frameSizeLimit;
        this.wantHave = wantHave;
    }

    /**
     * What both sides are opened with: the whole range with a fingerprint no set has (all zeros), so each
     * answers with its own split of its items.
     */
    public static byte[] opening() {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(Negentropy.PROTOCOL_VERSION);
        Varint.write(o, 0); // infinity
        Varint.write(o, 0);
        Varint.write(o, Negentropy.MODE_FINGERPRINT);
        o.writeBytes(new byte[NegentropyItems.FINGERPRINT_SIZE]);
        return o.toByteArray();
    }

    /**
     * Runs the exchange from the remote's answer to {@link #opening()} (the local side must have been
     * opened too) until neither side has anything left to say.
     */
    public <E extends Exception> Result reconcile(byte[] remoteOpeningAnswer, Server<E> local, Server<E> remote) throws E, NegentropyException {
        List<Range> message = decode(remoteOpeningAnswer);
        boolean fromRemote = true;
        List<Held> heldLocal = List.of();
        List<Held> heldRemote = List.of();
        int[] sent = new int[2]; // to the local side, to the remote
        while (true) {
            List<Held> mine = new ArrayList<>();
            List<Range> out = pass(message, fromRemote, fromRemote ? heldLocal : heldRemote, mine);
            if (fromRemote) {
                heldRemote = mine;
                heldLocal = List.of();
            } else {
                heldLocal = mine;
                heldRemote = List.of();
            }
            if (out.isEmpty()) {
                return new Result(List.copyOf(need), wantHave ? List.copyOf(have) : List.of(), sent[1] + 1, sent[0] + 1); // and the opening each
            }
            message = send(out, fromRemote ? local : remote, sent, fromRemote ? 0 : 1);
            fromRemote = !fromRemote;
            if (sent[0] + sent[1] > MAX_MESSAGES) {
                throw new NegentropyException("no end to the reconciliation after " + MAX_MESSAGES + " messages");
            }
        }
    }

    /** An id list one side sent (empty or not), held until the other side answers the range it covers. */
    private record Held(Range lower, Range upper, byte[] ids) {
    }

    /**
     * One side's message, made fit for the other: its id lists held here (or, answering ours, compared), all
     * else as it came. Both messages run in the order of their bounds, so their ranges are matched in one walk.
     */
    private List<Range> pass(List<Range> message, boolean fromRemote, List<Held> theirs, List<Held> mine) {
        List<Range> out = new ArrayList<>();
        Range lower = Range.START;
        int h = 0;
        for (Range r : message) {
            if (r.mode == Negentropy.MODE_ID_LIST) {
                while (h < theirs.size() && Range.compareBounds(theirs.get(h).upper(), r) < 0) {
                    h++;
                }
                byte[] other = null;
                // what they held (passed on as its fingerprint, or as an empty list) answered with this side's list for exactly that range
                if (h < theirs.size() && Range.compareBounds(theirs.get(h).upper(), r) == 0 && Range.compareBounds(theirs.get(h).lower(), lower) == 0) {
                    other = theirs.get(h).ids();
                    h++;
                }
                if (other != null) {
                    compare(fromRemote ? r.payload : other, fromRemote ? other : r.payload);
                    out.add(Range.skip(r));
                } else if (fromRemote && r.payload.length == 0 && !wantHave) {
                    out.add(Range.skip(r)); // nothing there to need
                } else {
                    mine.add(new Held(lower, r, r.payload));
                    out.add(r.payload.length == 0 ? r
                            : Range.fingerprint(r, NegentropyItems.fingerprintOf(r.payload)));
                }
            } else {
                out.add(r);
            }
            lower = r;
        }
        // skips at the end say nothing
        while (!out.isEmpty() && out.get(out.size() - 1).mode == Negentropy.MODE_SKIP) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    private void compare(byte[] remoteIds, byte[] localIds) {
        Set<IdKey> remote = new LinkedHashSet<>();
        for (int at = 0; at < remoteIds.length; at += NegentropyItems.ID_SIZE) {
            remote.add(IdKey.of(remoteIds, at));
        }
        for (int at = 0; at < localIds.length; at += NegentropyItems.ID_SIZE) {
            IdKey id = IdKey.of(localIds, at);
            if (!remote.remove(id)) {
                have.add(id.hex());
            }
        }
        remote.forEach(id -> need.add(id.hex()));
    }

    /**
     * Sends the ranges in messages within the frame limit (each after the first opens with a skip up to
     * where it starts), {@link #IN_FLIGHT} at a time without waiting for each answer, and joins the answers.
     * An answer that reaches the end of the space before the last message's was cut by the server's own frame
     * limit: its last fingerprint covers what is left, so the answers to the messages after it are read and
     * dropped, and the rest is not sent.
     */
    private <E extends Exception> List<Range> send(List<Range> ranges, Server<E> to, int[] sent, int which) throws E, NegentropyException {
        List<byte[]> messages = frames(ranges);
        List<Range> joined = new ArrayList<>();
        int sentHere = 0;
        for (int k = 0; k < messages.size(); k++) {
            while (sentHere < messages.size() && sentHere < k + IN_FLIGHT) {
                to.send(messages.get(sentHere++));
                sent[which]++;
            }
            List<Range> answer = decode(to.next());
            for (Range r : answer) {
                if (!joined.isEmpty() && Range.compareBounds(r, joined.get(joined.size() - 1)) < 0) {
                    throw new NegentropyException("answer ranges out of order");
                }
                joined.add(r);
            }
            if (!answer.isEmpty() && answer.get(answer.size() - 1).timestamp == Negentropy.INFINITY) {
                for (int rest = k + 1; rest < sentHere; rest++) {
                    to.next(); // covered by the cut answer's last fingerprint
                }
                break;
            }
        }
        return joined;
    }

    /** The ranges as messages within the frame limit and {@link #MAX_RANGES}, each after the first opening with a skip up to where it starts. */
    private List<byte[]> frames(List<Range> ranges) {
        List<byte[]> messages = new ArrayList<>();
        int i = 0;
        Range lower = Range.START;
        while (i < ranges.size()) {
            Encoder e = new Encoder();
            if (lower != Range.START) {
                e.add(Range.skip(lower));
            }
            int first = i;
            int answered = 0;
            while (i < ranges.size() && (i == first || (e.size() + Range.MAX_ENCODED <= frameSizeLimit - 200 && answered < MAX_RANGES))) {
                if (ranges.get(i).mode != Negentropy.MODE_SKIP) {
                    answered++;
                }
                e.add(ranges.get(i));
                i++;
            }
            lower = ranges.get(i - 1);
            messages.add(e.bytes());
        }
        return messages;
    }

    /** A range as it stands in a message: its upper bound (absolute), its mode, its fingerprint or ids. */
    static final class Range {
        static final Range START = new Range(0, NO_ID, Negentropy.MODE_SKIP, NO_ID);
        // a bound (two varints and a 32-byte prefix), a mode and a fingerprint: what a range other than an id list takes
        static final int MAX_ENCODED = 10 + 1 + NegentropyItems.ID_SIZE + 1 + NegentropyItems.FINGERPRINT_SIZE;

        final long timestamp;
        final byte[] idPrefix;
        final int mode;
        final byte[] payload;

        Range(long timestamp, byte[] idPrefix, int mode, byte[] payload) {
            this.timestamp = timestamp;
            this.idPrefix = idPrefix;
            this.mode = mode;
            this.payload = payload;
        }

        static Range skip(Range upTo) {
            return new Range(upTo.timestamp, upTo.idPrefix, Negentropy.MODE_SKIP, NO_ID);
        }

        static Range fingerprint(Range upTo, byte[] fingerprint) {
            return new Range(upTo.timestamp, upTo.idPrefix, Negentropy.MODE_FINGERPRINT, fingerprint);
        }

        /** Bounds in the protocol's order: timestamp, then the id prefix as if padded with zeros. */
        static int compareBounds(Range a, Range b) {
            int c = Long.compare(a.timestamp, b.timestamp);
            if (c != 0) {
                return c;
            }
            for (int k = 0; k < NegentropyItems.ID_SIZE; k++) {
                int x = k < a.idPrefix.length ? a.idPrefix[k] & 0xff : 0;
                int y = k < b.idPrefix.length ? b.idPrefix[k] & 0xff : 0;
                if (x != y) {
                    return Integer.compare(x, y);
                }
            }
            return 0;
        }
    }

    /** A message's ranges with absolute bounds; checked as {@link Negentropy} checks what it reads. */
    static List<Range> decode(byte[] message) throws NegentropyException {
        Negentropy.Reader in = new Negentropy.Reader(message);
        int version = in.readByte();
        if (version != Negentropy.PROTOCOL_VERSION) {
            throw new NegentropyException("relay speaks negentropy protocol version " + (version - 0x60) + ", we speak 1", version);
        }
        List<Range> out = new ArrayList<>();
        long last = 0;
        while (in.remaining() > 0) {
            long t = Negentropy.readTimestamp(in, last);
            last = t;
            int prefixLength = (int) in.readVarint();
            if (prefixLength < 0 || prefixLength > NegentropyItems.ID_SIZE) {
                throw new NegentropyException("bound id prefix of " + prefixLength + " bytes (at most 32)");
            }
            byte[] prefix = in.readBytes(prefixLength);
            long mode = in.readVarint();
            byte[] payload;
            if (mode == Negentropy.MODE_SKIP) {
                payload = NO_ID;
            } else if (mode == Negentropy.MODE_FINGERPRINT) {
                payload = in.readBytes(NegentropyItems.FINGERPRINT_SIZE);
            } else if (mode == Negentropy.MODE_ID_LIST) {
                long count = in.readVarint();
                if (count * NegentropyItems.ID_SIZE > in.remaining()) {
                    throw new NegentropyException("id list of " + count + " ids is longer than the message");
                }
                payload = in.readBytes((int) count * NegentropyItems.ID_SIZE);
            } else {
                throw new NegentropyException("unexpected range mode " + mode);
            }
            out.add(new Range(t, prefix, (int) mode, payload));
        }
        return out;
    }

    /** Writes ranges as a message: timestamps as deltas from the bound before, infinity as 0. */
    private static final class Encoder {
        private final ByteArrayOutputStream o = new ByteArrayOutputStream();
        private long last;

        Encoder() {
            o.write(Negentropy.PROTOCOL_VERSION);
        }

        void add(Range r) {
            Negentropy.writeTimestamp(o, r.timestamp, last);
            last = r.timestamp;
            Varint.write(o, r.idPrefix.length);
            o.writeBytes(r.idPrefix);
            Varint.write(o, r.mode);
            if (r.mode == Negentropy.MODE_ID_LIST) {
                Varint.write(o, r.payload.length / NegentropyItems.ID_SIZE);
            }
            o.writeBytes(r.payload);
        }

        int size() {
            return o.size();
        }

        byte[] bytes() {
            return o.toByteArray();
        }
    }
}
