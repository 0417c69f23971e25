package io.wasserflow.models.diagnostics;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The weights of one layer counted on fixed bucket edges: counts[i] holds the weights w with
 * upperBounds[i-1] < w <= upperBounds[i] (Prometheus's "le" convention), and the last entry of
 * counts those above every edge (the +Inf bucket). Every weight is counted once.
 */
public record WeightHistogram(String network, String layer, double[] upperBounds, long[] counts, double sum) {
    public static WeightHistogram of(String network, String layer, INDArray weights, double[] upperBounds) {
        long[] counts = new long[upperBounds.length + 1];
        double sum = 0;
        for (double w : weights.dup().data().asDouble()) {
            sum += w;
            int lo = 0, hi = upperBounds.length; // first edge >= w
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (upperBounds[mid] >= w) hi = mid; else lo = mid + 1;
            }
            counts[lo]++;
        }
        return new WeightHistogram(network, layer, upperBounds.clone(), counts, sum);
    }

    public long total() {
        long t = 0;
        for (long c : counts) t += c;
        return t;
    }
}
