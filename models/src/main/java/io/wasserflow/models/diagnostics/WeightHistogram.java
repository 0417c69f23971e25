package io.wasserflow.models.diagnostics;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The weights of one layer counted on fixed bucket edges: counts[i] holds the weights w with
 * upperBounds[i-1] < w <= upperBounds[i] (Prometheus's "le" convention), and the last entry of
 * counts those above every edge (the +Inf bucket). Every weight is counted once.
 * <p>
 * The outer edges are the range [lo, hi] (for a clipped critic, [-c, c]): a weight at either end,
 * compared in the weights' own precision, is inside it and counts in the first or the last bucket
 * within. A float32 weight clipped to c is c rounded to float, which lies just above or below the
 * double edge (0.1f > 0.1); and a weight exactly at lo would by the "le" rule alone fall into the
 * open-ended bucket below the range.
 */
public record WeightHistogram(String network, String layer, double[] upperBounds, long[] counts, double sum) {
    public static WeightHistogram of(String network, String layer, INDArray weights, double[] upperBounds) {
        int n = upperBounds.length;
        long[] counts = new long[n + 1];
        double sum = 0, first = upperBounds[0], width = n > 1 ? (upperBounds[n - 1] - first) / (n - 1) : 1;
        double lo = inPrecision(first, weights), hi = inPrecision(upperBounds[n - 1], weights);
        for (double w : Norms.hostValues(weights)) {
            if (Double.isFinite(w)) sum += w; // a NaN or infinite weight is counted (+Inf bucket or an end), never summed: one would poison the series' _sum
            int i; // the first edge >= w, or n (the +Inf bucket); guessed for even edges, then made exact
            if (Double.isNaN(w)) i = n;
            else if (n > 1 && (w == lo || w == first)) i = 1;
            else if (n > 1 && (w == hi || w == upperBounds[n - 1])) i = n - 1;
            else {
                i = w <= first ? 0 : (int) Math.min(n, Math.ceil((w - first) / width));
                while (i > 0 && upperBounds[i - 1] >= w) i--;
                while (i < n && upperBounds[i] < w) i++;
            }
            counts[i]++;
        }
        return new WeightHistogram(network, layer, upperBounds.clone(), counts, sum);
    }

    /** An edge as the weights' data type holds it: a float32 weight clipped to c is (float) c. */
    private static double inPrecision(double edge, INDArray weights) {
        DataType t = weights.dataType();
        if (t == DataType.DOUBLE) return edge;
        if (t == DataType.FLOAT) return (float) edge;
        return Nd4j.scalar(t, edge).getDouble(0); // half precision: rounded by the backend's own cast
    }

    public long total() {
        long t = 0;
        for (long c : counts) t += c;
        return t;
    }
}
