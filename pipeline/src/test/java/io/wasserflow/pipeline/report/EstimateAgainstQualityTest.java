package io.wasserflow.pipeline.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Spearman's rank correlation and the pairing of the estimate with the quality measurements. */
class EstimateAgainstQualityTest {
    @Test
    void spearmanMatchesScipy() {
        // scipy.stats.spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]).statistic (the tie at 7 takes rank 3.5)
        assertEquals(0.8207826816681233, EstimateAgainstQuality.spearman(new double[] {1, 2, 3, 4, 5}, new double[] {5, 6, 7, 8, 7}), 1e-12);
        assertEquals(-1, EstimateAgainstQuality.spearman(new double[] {1, 2, 3, 4}, new double[] {40, 30, 20, 10}), 1e-15);
        assertEquals(1, EstimateAgainstQuality.spearman(new double[] {0.1, 5, 7}, new double[] {1, 100, 1e4}), 1e-15);
        assertTrue(Double.isNaN(EstimateAgainstQuality.spearman(new double[] {1, 2}, new double[] {2, 1})), "two pairs say nothing");
        assertTrue(Double.isNaN(EstimateAgainstQuality.spearman(new double[] {1, 1, 1}, new double[] {1, 2, 3})), "a constant series");
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, EstimateAgainstQuality.ranks(new double[] {-3, 0, 0, 9}), 0);
    }

    @Test
    void stagesAreEvenlySpacedFromFirstToLast() {
        List<Long> steps = List.of(10L, 20L, 30L, 40L, 50L, 60L, 70L, 80L, 90L, 100L);
        assertEquals(List.of(10L, 40L, 70L, 100L), EstimateAgainstQuality.stages(steps, 4));
        assertEquals(List.of(100L), EstimateAgainstQuality.stages(steps, 1));
        assertEquals(List.of(10L, 20L), EstimateAgainstQuality.stages(List.of(20L, 10L), 6), "fewer steps than stages: each once, in order");
        assertEquals(List.of(), EstimateAgainstQuality.stages(List.of(), 6));
    }

    @Test
    void theEstimateIsTheMedianSinceThePreviousSamplesStep() {
        ExperimentMetrics.Series w = new ExperimentMetrics.Series(), atCritic = new ExperimentMetrics.Series(), atGenerator = new ExperimentMetrics.Series();
        double[] estimates = {9, 1, 5, 3, 7, 100, 2, 4};
        for (int i = 0; i < estimates.length; i++) w.add(i + 1, estimates[i]);
        // quality measured after critic steps 3, 5 and 8 (generator steps 10, 20, 30)
        atCritic.add(3, 0.5);
        atCritic.add(5, 0.4);
        atCritic.add(8, 0.3);
        atGenerator.add(10, 0.5);
        atGenerator.add(20, 0.4);
        atGenerator.add(30, 0.3);
        EstimateAgainstQuality.Paired p = EstimateAgainstQuality.pair(w, atCritic, atGenerator);
        assertArrayEquals(new double[] {10, 20, 30}, p.generatorSteps(), 0);
        assertArrayEquals(new double[] {5, 5, 4}, p.estimate(), 0, "medians of {9, 1, 5}, {3, 7} and {100, 2, 4}");
        assertArrayEquals(new double[] {0.5, 0.4, 0.3}, p.quality(), 0);
    }
}
