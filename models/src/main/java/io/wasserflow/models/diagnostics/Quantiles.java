package io.wasserflow.models.diagnostics;

import java.util.Arrays;

/** Quantiles with linear interpolation between order statistics (NumPy's default). */
public final class Quantiles {
    private Quantiles() {}

    public static final double[] FIVE = {0, 0.1, 0.5, 0.9, 1};

    public static double[] of(double[] values, double[] qs) {
        double[] v = values.clone();
        Arrays.sort(v);
        double[] out = new double[qs.length];
        for (int i = 0; i < qs.length; i++) {
            double pos = qs[i] * (v.length - 1);
            int lo = (int) Math.floor(pos), hi = Math.min(lo + 1, v.length - 1);
            out[i] = v[lo] + (pos - lo) * (v[hi] - v[lo]);
        }
        return out;
    }
}
