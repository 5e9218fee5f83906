package org.astroport.constellation.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.astroport.constellation.nostr.EventParser;
import org.astroport.constellation.nostr.EventValidator;
import org.astroport.constellation.testsupport.Fixtures;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/** Size check + strict parse + NIP-01 id + BIP-340 verification over the 324 fixture events, one thread. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ValidationBenchmark {

    static final int N = 324;

    List<String> lines;
    EventValidator validator;
    EventParser parser;

    @Setup
    public void setup() {
        lines = Fixtures.validLines();
        validator = new EventValidator();
        parser = new EventParser();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void validate(Blackhole bh) {
        for (int i = 0; i < N; i++) {
            bh.consume(validator.validate(lines.get(i)));
        }
    }

    List<org.astroport.constellation.nostr.NostrEvent> events = new java.util.ArrayList<>();
    byte[][] sigs = new byte[N][];
    byte[][] msgs = new byte[N][];
    byte[][] pubs = new byte[N][];

    /** The fixtures parsed once: the events, and their signatures, ids and keys as bytes. */
    @Setup
    public void setupEvents() {
        for (int i = 0; i < N; i++) {
            var e = ((org.astroport.constellation.nostr.ParseResult.Ok) new EventParser().parse(Fixtures.validLines().get(i))).event();
            events.add(e);
            sigs[i] = org.astroport.constellation.nostr.Hex.decode(e.sig());
            msgs[i] = org.astroport.constellation.nostr.Hex.decode(e.id());
            pubs[i] = org.astroport.constellation.nostr.Hex.decode(e.pubkey());
        }
    }

    /** The NIP-01 id alone: the canonical JSON and its sha256. */
    @Benchmark
    @OperationsPerInvocation(N)
    public void idHash(Blackhole bh) {
        for (int i = 0; i < N; i++) {
            bh.consume(org.astroport.constellation.nostr.EventIds.computeIdBytes(events.get(i)));
        }
    }

    /** What the import sink hands strfry per event (its packed record and normalised JSON). */
    @Benchmark
    @OperationsPerInvocation(N)
    public void friedLine(Blackhole bh) {
        for (int i = 0; i < N; i++) {
            bh.consume(org.astroport.constellation.sink.StrfryFriedLine.of(events.get(i), org.astroport.constellation.sink.StrfryFriedLine.Limits.DEFAULTS));
        }
    }

    /** libsecp256k1 alone: the floor under validate(). */
    @Benchmark
    @OperationsPerInvocation(N)
    public void schnorrVerifyOnly(Blackhole bh) {
        for (int i = 0; i < N; i++) {
            bh.consume(org.astroport.constellation.nostr.Schnorr.verify(sigs[i], msgs[i], pubs[i]));
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public void parseOnly(Blackhole bh) {
        for (int i = 0; i < N; i++) {
            bh.consume(parser.parse(lines.get(i)));
        }
    }
}
