package org.astroport.constellation.bench;

import java.util.Arrays;
import java.util.Collection;

/**
 * The median of a few benchmark rounds. With an even count it is the mean of the two middle values:
 * taking the upper one, as the benchmarks once did, favoured whichever side had fewer finished runs
 * (strfry router's stalled rounds are left out, so its count is often even).
 */
final class Median {

    private Median() {
    }

    static double of(double... values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    static double of(Collection<? extends Number> values) {
        return of(values.stream().mapToDouble(Number::doubleValue).toArray());
    }
}
