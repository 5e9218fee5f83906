package org.astroport.constellation.bench;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** mvn -B -Pbench test -Dtest=ValidationBench : events/s per core for validation. */
@Tag("bench")
class ValidationBench {

    @Test
    void run() throws Exception {
        var opts = new OptionsBuilder()
                .include(ValidationBenchmark.class.getName())
                .forks(1)
                .threads(1)
                .warmupIterations(3).warmupTime(TimeValue.seconds(2))
                .measurementIterations(5).measurementTime(TimeValue.seconds(2))
                .jvmArgsAppend("-Dfixtures.dir=" + System.getProperty("fixtures.dir"))
                .build();
        for (RunResult r : new Runner(opts).run()) {
            System.out.printf("BENCH %s: %.0f events/s (± %.0f) on one thread%n", r.getParams().getBenchmark(),
                    r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError());
        }
    }
}
