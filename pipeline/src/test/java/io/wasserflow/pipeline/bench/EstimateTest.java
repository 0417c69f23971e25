package io.wasserflow.pipeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The bench's figures are medians with a distribution-free 95% interval: the interval must cover as it says. */
class EstimateTest {
    @Test
    void medianAndOrderStatistics() {
        List<Double> v = new ArrayList<>();
        for (int i = 99; i >= 1; i--) v.add((double) i); // unsorted on purpose
        PipelineBench.Estimate e = PipelineBench.Estimate.of(v);
        assertEquals(50, e.median());
        assertEquals(99, e.samples());
        // ranks 40 and 60 of 99: P(Binomial(99, 1/2) < 40) = 2.2%, < 41: 3.5%
        assertEquals(40, e.low());
        assertEquals(60, e.high());
        // too few samples for 95%: the whole range
        assertEquals(1, PipelineBench.Estimate.of(List.of(1.0, 2.0, 3.0)).low());
        assertEquals(3, PipelineBench.Estimate.of(List.of(1.0, 2.0, 3.0)).high());
        assertEquals(2.5, PipelineBench.Estimate.of(List.of(4.0, 1.0, 3.0, 2.0)).median());
    }

    @Test
    void theIntervalCoversTheTrueMedianAboutNineteenTimesInTwenty() {
        Random rng = new Random(7);
        for (int n : new int[] {15, 40, 120}) {
            int covered = 0, trials = 4000;
            for (int t = 0; t < trials; t++) {
                List<Double> v = new ArrayList<>();
                for (int i = 0; i < n; i++) v.add(Math.exp(rng.nextGaussian())); // skewed, true median 1
                PipelineBench.Estimate e = PipelineBench.Estimate.of(v);
                if (e.low() <= 1 && 1 <= e.high()) covered++;
            }
            double coverage = (double) covered / trials;
            assertTrue(coverage >= 0.94 && coverage <= 0.99, n + " samples: the interval covered the median in " + coverage + " of the trials");
        }
    }
}
