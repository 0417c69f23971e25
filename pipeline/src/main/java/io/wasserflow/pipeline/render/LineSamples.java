package io.wasserflow.pipeline.render;

/** Samples on the line (1-D data) as a PNG: histograms of the generated and the real values, side by side on the same buckets. */
public final class LineSamples {
    static final int BUCKETS = 40;

    private LineSamples() {}

    public static byte[] png(double[] fake, double[] real, String title) {
        double[] bounds = edges(fake, real);
        return HistogramPlot.titled(title).xLabel("x").columns(2)
                .panel("generated", bounds, counts(fake, bounds)).panel("real", bounds, counts(real, bounds)).png();
    }

    /**
     * BUCKETS + 1 bucket upper bounds over the finite values of both samples, half a bucket beyond
     * each end, so that every finite value lies above the first edge and at or below the last (none
     * in the open-ended buckets); one unit around a single value.
     */
    static double[] edges(double[] fake, double[] real) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double[] a : new double[][] {fake, real})
            for (double v : a)
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
        if (!(hi > lo)) {
            double c = Double.isFinite(lo) ? lo : 0;
            lo = c - 0.5;
            hi = c + 0.5;
        }
        double pad = (hi - lo) / (2 * BUCKETS);
        lo -= pad;
        hi += pad;
        double[] bounds = new double[BUCKETS + 1];
        for (int i = 0; i <= BUCKETS; i++) bounds[i] = lo + (hi - lo) * i / BUCKETS;
        return bounds;
    }

    /** Counts per bucket (upper bounds inclusive), the first for values at or below the first edge, the last for values above the top one or not finite. */
    static long[] counts(double[] values, double[] bounds) {
        long[] c = new long[bounds.length + 1];
        for (double v : values) {
            int i = 0;
            while (i < bounds.length && !(v <= bounds[i])) i++;
            c[i]++;
        }
        return c;
    }
}
