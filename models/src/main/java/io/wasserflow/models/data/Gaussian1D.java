package io.wasserflow.models.data;

import io.wasserflow.models.util.Rng;

/**
 * The real distribution of the WGAN paper's Figure 2 (SCIENCE.md, part two): N(mu_r, s) on the line,
 * streamed as 1x1x1 points. The paper's fake, N(mu_f, s) with the same s, is the fixed generator of
 * the {@code wgan-figure2} preset; {@link #FAKE_MEAN} is its suggested mean, 8 s below the real one,
 * far enough apart that a trained discriminator saturates at both modes.
 */
public final class Gaussian1D {
    /** The name used on the command line and in configs. */
    public static final String ID = "gaussian-1d";
    /** mu_r and s: the real mode at +2 with standard deviation 0.5. */
    public static final double REAL_MEAN = 2, STD = 0.5;
    /** mu_f: the fake mode at -2, 8 s from the real one. */
    public static final double FAKE_MEAN = -2;

    private Gaussian1D() {}

    /** n draws of N(REAL_MEAN, STD). */
    public static double[] sample(Rng rng, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = REAL_MEAN + STD * rng.nextGaussian();
        return out;
    }
}
