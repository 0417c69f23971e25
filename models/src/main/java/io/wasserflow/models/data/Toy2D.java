package io.wasserflow.models.data;

import io.wasserflow.models.util.Rng;
import java.util.Locale;

/**
 * The 2-D toy distributions of the WGAN-GP reference code (gan_toy.py), point for point:
 * scales, noise and normalisations as in SCIENCE.md.
 */
public enum Toy2D {
    EIGHT_GAUSSIANS("8gaussians", 0.02 / 1.414, eightCentres()),
    TWENTY_FIVE_GAUSSIANS("25gaussians", 0.05 / 2.828, gridCentres()),
    SWISS_ROLL("swissroll", Double.NaN, new double[0][]);

    /** The name used on the command line and in configs. */
    public final String id;
    /** Standard deviation of each mode after normalisation (NaN for the swiss roll, which has no modes). */
    public final double modeStd;
    /** Mode centres after normalisation. */
    private final double[][] centres;

    Toy2D(String id, double modeStd, double[][] centres) {
        this.id = id;
        this.modeStd = modeStd;
        this.centres = centres;
    }

    public double[][] centres() {
        double[][] c = new double[centres.length][];
        for (int i = 0; i < c.length; i++) c[i] = centres[i].clone();
        return c;
    }

    public static Toy2D byId(String id) {
        for (Toy2D t : values()) if (t.id.equals(id.toLowerCase(Locale.ROOT))) return t;
        return null;
    }

    /** n points, row-major (x0, y0, x1, y1, ...). */
    public double[] sample(Rng rng, int n) {
        double[] out = new double[2 * n];
        switch (this) {
            case EIGHT_GAUSSIANS, TWENTY_FIVE_GAUSSIANS -> {
                for (int i = 0; i < n; i++) {
                    double[] c = centres[rng.nextInt(centres.length)];
                    out[2 * i] = c[0] + modeStd * rng.nextGaussian();
                    out[2 * i + 1] = c[1] + modeStd * rng.nextGaussian();
                }
            }
            case SWISS_ROLL -> {
                // sklearn.datasets.make_swiss_roll(noise=0.25): t = 1.5 pi (1 + 2 u); x = t cos t, z = t sin t;
                // the reference keeps coordinates 0 and 2 and divides by 7.5.
                for (int i = 0; i < n; i++) {
                    double t = 1.5 * Math.PI * (1 + 2 * rng.nextDouble());
                    double x = t * Math.cos(t) + 0.25 * rng.nextGaussian();
                    rng.nextGaussian(); // the y coordinate's noise, drawn and dropped as in make_swiss_roll
                    double z = t * Math.sin(t) + 0.25 * rng.nextGaussian();
                    out[2 * i] = x / 7.5;
                    out[2 * i + 1] = z / 7.5;
                }
            }
        }
        return out;
    }

    private static double[][] eightCentres() {
        double r = 1 / Math.sqrt(2);
        double[][] unit = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {r, r}, {r, -r}, {-r, r}, {-r, -r}};
        double[][] c = new double[8][];
        for (int i = 0; i < 8; i++) c[i] = new double[] {2 * unit[i][0] / 1.414, 2 * unit[i][1] / 1.414};
        return c;
    }

    private static double[][] gridCentres() {
        double[][] c = new double[25][];
        int k = 0;
        for (int x = -2; x <= 2; x++)
            for (int y = -2; y <= 2; y++) c[k++] = new double[] {2.0 * x / 2.828, 2.0 * y / 2.828};
        return c;
    }
}
