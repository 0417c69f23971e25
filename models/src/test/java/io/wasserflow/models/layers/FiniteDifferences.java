package io.wasserflow.models.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Central finite differences in double precision, and the relative error of SCIENCE.md:
 * |a - b| / max(|a|, |b|, 1e-8).
 */
public final class FiniteDifferences {
    private FiniteDifferences() {}

    public static final double STEP = 1e-6;
    public static final double TOLERANCE = 1e-5;

    public static double relativeError(double a, double b) {
        return Math.abs(a - b) / Math.max(Math.max(Math.abs(a), Math.abs(b)), 1e-8);
    }

    /** d f / d x[i] by central differences, x perturbed in place and restored. */
    public static double derivative(INDArray x, long i, Supplier<Double> f) {
        double orig = x.getDouble(i);
        x.putScalar(i, orig + STEP);
        double plus = f.get();
        x.putScalar(i, orig - STEP);
        double minus = f.get();
        x.putScalar(i, orig);
        return (plus - minus) / (2 * STEP);
    }

    /**
     * Checks the analytic gradient of f with respect to x at the given entries (all when
     * entries is null) and returns the worst relative error.
     */
    public static double check(String what, INDArray x, INDArray analytic, long[] entries, Supplier<Double> f) {
        double worst = 0;
        long n = entries == null ? x.length() : entries.length;
        for (long j = 0; j < n; j++) {
            long i = entries == null ? j : entries[(int) j];
            double numeric = derivative(x, i, f);
            double a = analytic.getDouble(i);
            double err = relativeError(a, numeric);
            worst = Math.max(worst, err);
            final long idx = i;
            assertTrue(err < TOLERANCE, () -> what + "[" + idx + "]: analytic " + a + " vs numeric " + numeric + " (relative error " + err + ")");
        }
        return worst;
    }
}
