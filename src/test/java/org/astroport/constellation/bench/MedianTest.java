package org.astroport.constellation.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class MedianTest {

    @Test
    void anOddCountGivesItsMiddleValueWhateverTheOrder() {
        assertEquals(12.1, Median.of(12.2, 12.0, 12.1, 12.2, 12.0));
        assertEquals(7.0, Median.of(7.0));
    }

    @Test
    void anEvenCountGivesTheMeanOfItsTwoMiddleValues() {
        // strfry router finished 2 of 5 mirror rounds (2026-12-03): 14.0 and 15.7 s
        assertEquals(14.85, Median.of(15.7, 14.0), 1e-9);
        assertEquals(250.0, Median.of(List.of(300L, 200L, 100L, 400L)), 1e-9);
    }

    @Test
    void noValuesGiveNoMedian() {
        assertTrue(Double.isNaN(Median.of()));
    }
}
