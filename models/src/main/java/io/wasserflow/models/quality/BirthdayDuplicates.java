package io.wasserflow.models.quality;

import java.util.Arrays;
import java.util.List;

/**
 * The birthday-paradox test (Arora and Zhang, 2017; SCIENCE.md): in a sample of size s, pairs of
 * near-duplicates suggest a support of about s^2. "Near" is calibrated on real data: the distance
 * below which a given share (1%) of real samples have their nearest neighbour within a real batch
 * of the same size. Real batches then hold a handful of such pairs, and a collapsing generator many.
 */
public final class BirthdayDuplicates {
    private BirthdayDuplicates() {}

    /** The share of real nearest-neighbour distances that fall below the threshold. */
    public static final double REAL_QUANTILE = 0.01;

    static double squaredDistance(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            double d = a[j] - b[j];
            s += d * d;
        }
        return s;
    }

    /** Each row's Euclidean distance to its nearest other row. */
    public static double[] nearestDistances(double[][] x) {
        int n = x.length;
        double[] best = new double[n];
        Arrays.fill(best, Double.POSITIVE_INFINITY);
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) {
                double d = squaredDistance(x[i], x[j]);
                if (d < best[i]) best[i] = d;
                if (d < best[j]) best[j] = d;
            }
        for (int i = 0; i < n; i++) best[i] = Math.sqrt(best[i]);
        return best;
    }

    /** The {@link #REAL_QUANTILE} quantile of the nearest-neighbour distances pooled over real batches (all of one size). */
    public static double threshold(List<double[][]> realBatches) {
        double[] pooled = new double[0];
        for (double[][] b : realBatches) {
            double[] nn = nearestDistances(b);
            int at = pooled.length;
            pooled = Arrays.copyOf(pooled, at + nn.length);
            System.arraycopy(nn, 0, pooled, at, nn.length);
        }
        Arrays.sort(pooled);
        return pooled[(int) Math.floor(REAL_QUANTILE * (pooled.length - 1))];
    }

    /** Pairs i < j closer than the threshold. */
    public static int count(double[][] x, double threshold) {
        double t2 = threshold * threshold;
        int pairs = 0;
        for (int i = 0; i < x.length; i++)
            for (int j = i + 1; j < x.length; j++)
                if (squaredDistance(x[i], x[j]) < t2) pairs++;
        return pairs;
    }
}
