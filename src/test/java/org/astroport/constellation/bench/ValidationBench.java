package org.astroport.constellation.bench;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * mvn -B -Pbench test -Dtest=ValidationBench : events/s per core for validation. -Dbench.jvm="..." adds options
 * to the forked JVM (-XX:TieredStopAtLevel=1: C1 only, as the launcher runs the daemon); -Dbench.include=REGEX
 * picks benchmarks (e.g. 'idHash|friedLine'); -Dbench.prof=gc adds the bytes allocated per event.
 */
@Tag("bench")
class ValidationBench {

    @Test
    void run() throws Exception {
        var opts = new OptionsBuilder()
                .include(ValidationBenchmark.class.getName() + "\\.(" + System.getProperty("bench.include", ".*") + ")$")
                .forks(1)
                .threads(1)
                .warmupIterations(3).warmupTime(TimeValue.seconds(2))
                .measurementIterations(5).measurementTime(TimeValue.seconds(2))
                .jvmArgsAppend(jvmArgs());
        if (System.getProperty("bench.prof") != null) {
            opts.addProfiler(System.getProperty("bench.prof")); // gc: bytes allocated per event, which the machine's load does not move
        }
        var built = opts.build();
        for (RunResult r : new Runner(built).run()) {
            System.out.printf("BENCH %s: %.0f events/s (± %.0f) on one thread%n", r.getParams().getBenchmark(),
                    r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError());
            r.getSecondaryResults().forEach((name, result) -> System.out.printf("BENCH   %s: %.1f %s%n", name, result.getScore(), result.getScoreUnit()));
        }
    }

    private static String[] jvmArgs() {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("-Dfixtures.dir=" + System.getProperty("fixtures.dir")));
        String extra = System.getProperty("bench.jvm", "").trim();
        if (!extra.isEmpty()) {
            args.addAll(java.util.List.of(extra.split("\\s+")));
        }
        return args.toArray(String[]::new);
    }
}
