package org.astroport.constellation.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.astroport.constellation.nostr.EventParser;
import org.astroport.constellation.nostr.RelayMessageCodec;
import org.astroport.constellation.nostr.StationKey;
import org.astroport.constellation.relay.PeerSession;
import org.astroport.constellation.relay.SubscriptionPlanner;
import org.astroport.constellation.relay.SyncPositions;
import org.astroport.constellation.testsupport.RecordingSocket;
import org.junit.jupiter.api.Test;

/** Mutated fixture frames into the codec, the parser and a peer session: nothing throws, every frame has an outcome. */
class FrameFuzzTest {

    static final int FRAMES = Integer.getInteger("fuzz.frames", 40_000);

    @Test
    void theCodecAndTheParserNeverThrow() {
        FrameMutator mutator = new FrameMutator(20261129L, "cs-0");
        EventParser parser = new EventParser(EventParser.DEFAULT_MAX_BYTES);
        for (int i = 0; i < FRAMES; i++) {
            String frame = mutator.next();
            try {
                assertNotNull(RelayMessageCodec.decodeFromRelay(frame));
                assertNotNull(parser.parse(frame));
                int comma = frame.indexOf(",{");
                if (comma > 0) {
                    assertNotNull(parser.parse(frame.substring(comma + 1)));
                }
            } catch (RuntimeException | StackOverflowError e) {
                throw new AssertionError("frame #" + i + " threw " + e + ": " + frame, e);
            }
        }
    }

    @Test
    void aPeerSessionHandlesEveryFrame() throws Exception {
        RecordingSocket socket = new RecordingSocket("ws://127.0.0.2:7777");
        List<String> sent = socket.sent();
        AtomicLong delivered = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        PeerSession session = new PeerSession("fuzz", "ws://127.0.0.2:7777", "ws://127.0.0.2:7777", new PeerSession.Wants() {
            public List<Integer> kinds() {
                return List.of(0, 1, 3, 4, 5, 7);
            }

            public List<String> authors() {
                return null;
            }
        }, new SubscriptionPlanner(SubscriptionPlanner.Limits.strfryDefaults()),
                StationKey.load(org.astroport.constellation.testsupport.Fixtures.dir().resolve("zen/game/secret.nostr")), Clock.systemUTC(),
                new PeerSession.Timing(600, 3600, 500, 1000, 20), SyncPositions.inMemory(), new PeerSession.Delivery() {
                    public void deliver(String eventJson, String subscriptionId, boolean live) {
                        delivered.incrementAndGet();
                    }

                    public void refused(String reason, String detail) {
                        refused.incrementAndGet();
                    }

                    public void checkpoint(long cycle, Map<String, Long> candidate) {
                    }
                });
        session.onOpen(socket);
        FrameMutator mutator = new FrameMutator(1129L, "cs-0");
        for (int i = 0; i < FRAMES / 4; i++) {
            String frame = mutator.next();
            try {
                session.onFrame(socket, frame);
                session.tick();
            } catch (RuntimeException e) {
                throw new AssertionError("frame #" + i + " threw " + e + ": " + frame, e);
            }
        }
        System.out.println("peer session fuzz: " + FRAMES / 4 + " frames, " + delivered + " events delivered, " + refused + " refused, "
                + sent.size() + " frames sent back");
        assertEquals(true, delivered.get() > 0 && refused.get() > 0, "the mutations reach both outcomes");
    }
}
