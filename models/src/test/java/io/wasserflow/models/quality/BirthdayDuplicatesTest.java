package io.wasserflow.models.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.util.Rng;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Planted near-duplicates are found, and the real-data threshold is the stated quantile. */
class BirthdayDuplicatesTest {
    static double[][] gaussian(Rng rng, int n, int d) {
        double[][] x = new double[n][d];
        for (double[] r : x) for (int j = 0; j < d; j++) r[j] = rng.nextGaussian();
        return x;
    }

    @Test
    void plantedDuplicatesAreCounted() {
        Rng rng = new Rng(11);
        int n = 512, d = 32;
        List<double[][]> real = new ArrayList<>();
        for (int b = 0; b < 4; b++) real.add(gaussian(rng, n, d));
        double threshold = BirthdayDuplicates.threshold(real);
        double[][] fresh = gaussian(rng, n, d);
        int background = BirthdayDuplicates.count(fresh, threshold);
        for (int k : new int[] {1, 5, 40}) {
            double[][] x = gaussian(rng, n, d);
            int base = BirthdayDuplicates.count(x, threshold);
            // copy rows 2i into rows 2i+1 with a tiny jitter: k new pairs (the copies replace samples, not add them)
            for (int i = 0; i < k; i++) {
                int src = 2 * i + 100, dst = src + 1;
                for (int j = 0; j < d; j++) x[dst][j] = x[src][j] + 1e-3 * threshold * rng.nextGaussian() / Math.sqrt(d);
            }
            int found = BirthdayDuplicates.count(x, threshold);
            assertTrue(found >= k && found <= k + base + 2, k + " planted, " + found + " found, " + base + " before");
        }
        assertTrue(background <= 10, "a fresh real batch: " + background + " pairs");
    }

    @Test
    void aCollapsedSampleIsAllDuplicates() {
        Rng rng = new Rng(12);
        List<double[][]> real = List.of(gaussian(rng, 200, 8), gaussian(rng, 200, 8));
        double threshold = BirthdayDuplicates.threshold(real);
        double[][] collapsed = new double[10][8];
        for (double[] r : collapsed) for (int j = 0; j < 8; j++) r[j] = 1 + 1e-6 * rng.nextGaussian();
        assertEquals(45, BirthdayDuplicates.count(collapsed, threshold));
    }

    @Test
    void thresholdIsTheQuantileOfNearestDistances() {
        // points on a line at 0, 1, 3, 6, 10, ...: nearest distances 1, 1, 2, 3, 4, ...
        double[][] x = new double[101][1];
        double at = 0;
        for (int i = 0; i < x.length; i++) {
            x[i][0] = at;
            at += i + 1;
        }
        double[] nn = BirthdayDuplicates.nearestDistances(x);
        assertEquals(1, nn[0], 0);
        assertEquals(1, nn[1], 0);
        assertEquals(2, nn[2], 0);
        assertEquals(100, nn[100], 0);
        assertEquals(1, BirthdayDuplicates.threshold(List.<double[][]>of(x)), 0); // 1% of 100 -> index 1 of the sorted [1, 1, 2, ...]
        assertEquals(0, BirthdayDuplicates.count(x, 1)); // strictly closer
        assertEquals(1, BirthdayDuplicates.count(x, 1.5));
    }
}
