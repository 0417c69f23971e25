package io.wasserflow.models.diagnostics;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The weights of one layer counted on fixed bucket edges: counts[i] holds the weights w with
 * upperBounds[i-1] < w <= upperBounds[i] (Prometheus's "le" convention), and the last entry of
 * counts those above every edge (the +Inf bucket). Every weight is counted once.
 */
public record WeightHistogram(String network, String layer, double[] upperBounds, long[] counts, double sum) {
    public static WeightHistogram of(String network, String layer, INDArray weights, double[] upperBounds) {
        int n = upperBounds.length;
        long[] counts = new long[n + 1];
        double sum = 0, first = upperBounds[0], width = n > 1 ? (upperBounds[n - 1] - first) / (n - 1) : 1;
        for (double w : Norms.hostValues(weights)) {
            if (Double.isFinite(w)) sum += w; // a NaN or infinite weight is counted (+Inf bucket or an end), never summed: one would poison the series' _sum
            int i; // the first edge >= w, or n (the +Inf bucket); guessed for even edges, then made exact
            if (Double.isNaN(w)) i = n;
            else {
                i = w <= first ? 0 : (int) Math.min(n, Math.ceil((w - first) / width));
                while (i > 0 && upperBounds[i - 1] >= w) i--;
                while (i < n && upperBounds[i] < w) i++;
            }
            counts[i]++;
        }
        return new WeightHistogram(network, layer, upperBounds.clone(), counts, sum);
    }

    public long total() {
        long t = 0;
        for (long c : counts) t += c;
        return t;
    }
}
