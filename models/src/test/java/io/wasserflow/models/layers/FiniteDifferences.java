package io.wasserflow.models.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.util.Rng;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Central finite differences in double precision, and the relative error of SCIENCE.md:
 * |a - b| / max(|a|, |b|, 1e-8).
 */
public final class FiniteDifferences {
    private FiniteDifferences() {}

    /**
     * The step of the fourth-order stencil. Its truncation error is O(h^4) (about 1e-20 here) and its
     * round-off about 1.5 eps |f| / h, so a larger step than the usual 1e-6 of a two-point difference
     * resolves small gradient entries ten times better.
     */
    public static final double STEP = 1e-5;
    public static final double TOLERANCE = 1e-5;

    /** max |f| over the latest stencil, for the round-off bound. */
    static double lastMagnitude;

    /** Entries accepted by the round-off bound rather than the relative error (reported by the tests). */
    public static int judgedByRoundOff;

    /** Units in the last place of the loss's own evaluation error allowed in each stencil value. */
    static final double ROUND_OFF_ULPS = 8;

    /**
     * The one stated loosening of the 1e-5 relative error: where the true derivative is zero or
     * tiny (the output bias under the Wasserstein term, whose two means cancel it exactly), the
     * difference can resolve nothing below the round-off of its stencil, (18 / 12h) times the
     * error of each loss value; an entry whose analytic and numeric values agree within that is
     * accepted.
     */
    /** Standard normal draws from {@code rng} in float64, row-major, in the given shape. */
    public static INDArray randn(Rng rng, long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextGaussian();
        return Nd4j.create(v, shape, 'c');
    }

    static double roundOff(double magnitude) {
        return ROUND_OFF_ULPS * Math.ulp(magnitude) * 18 / (12 * STEP);
    }

    public static double relativeError(double a, double b) {
        return Math.abs(a - b) / Math.max(Math.max(Math.abs(a), Math.abs(b)), 1e-8);
    }

    /**
     * d f / d x[i] by the fourth-order central difference
     * (f(x-2h) - 8 f(x-h) + 8 f(x+h) - f(x+2h)) / 12h, x perturbed in place and restored.
     */
    public static double derivative(INDArray x, long i, Supplier<Double> f) {
        double orig = x.getDouble(i);
        double[] at = new double[4];
        double[] offsets = {-2, -1, 1, 2};
        for (int k = 0; k < 4; k++) {
            x.putScalar(i, orig + offsets[k] * STEP);
            at[k] = f.get();
        }
        x.putScalar(i, orig);
        lastMagnitude = Math.max(Math.max(Math.abs(at[0]), Math.abs(at[1])), Math.max(Math.abs(at[2]), Math.abs(at[3])));
        // differences first: an entry f does not depend on gives exactly zero
        return (8 * (at[2] - at[1]) - (at[3] - at[0])) / (12 * STEP);
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
            if (err >= TOLERANCE && Math.abs(a - numeric) <= roundOff(lastMagnitude)) {
                judgedByRoundOff++;
                continue;
            }
            worst = Math.max(worst, err);
            final long idx = i;
            double mag = lastMagnitude;
            assertTrue(err < TOLERANCE, () -> what + "[" + idx + "]: analytic " + a + " vs numeric " + numeric + " (relative error " + err + ", |f| " + mag + ")");
        }
        return worst;
    }

    /**
     * Pre-activations must stay this far from a kink: the stencil moves one weight by at most 2h = 2e-5,
     * which moves a pre-activation by 2e-5 times an input activation (below 5 in these tests).
     */
    public static final double KINK_MARGIN = 2e-4;

    /** The smallest |pre-activation| at any ReLU or LeakyReLU for these inputs. */
    public static double closestKink(io.wasserflow.models.nets.Network critic, INDArray... inputs) {
        double min = Double.MAX_VALUE;
        for (INDArray x : inputs) {
            for (Layer l : critic.layers()) {
                if (l instanceof Relu || l instanceof LeakyRelu) min = Math.min(min, org.nd4j.linalg.ops.transforms.Transforms.abs(x, true).minNumber().doubleValue());
                x = l.forward(x);
            }
        }
        return min;
    }

}
