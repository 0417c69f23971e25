package io.wasserflow.models.diagnostics;

import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.util.Rng;
import java.util.Arrays;

/**
 * Sample quality on the 2-D toy sets (SCIENCE.md, "Judging sample quality beyond the critic"):
 * modes reached, the share of high-quality samples, and a sliced W1 to fresh real samples.
 *
 * @param modes modes holding at least {@link #MODE_SHARE} of the samples within {@link #MODE_RADIUS} of their centre
 * @param modesWithHighQuality modes holding at least one high-quality sample
 * @param highQualityShare share of samples within 3 standard deviations of some mode
 * @param slicedW1 sliced Wasserstein-1 distance to an equally large real sample
 */
public record ToyQuality(int modes, int totalModes, int modesWithHighQuality, double highQualityShare, double slicedW1) {
    /** The mode criterion: at least 2% of the samples within 0.1 of the centre. */
    public static final double MODE_RADIUS = 0.1, MODE_SHARE = 0.02;
    static final int SLICES = 64;

    /** @param xy samples row-major (x0, y0, x1, y1, ...) */
    public static ToyQuality of(Toy2D data, double[] xy, Rng rng) {
        int n = xy.length / 2;
        double[][] centres = data.centres();
        int[] near = new int[centres.length];
        boolean[] hq = new boolean[centres.length];
        int highQuality = 0;
        double hqRadius = 3 * data.modeStd;
        for (int i = 0; i < n; i++) {
            double bestD = Double.MAX_VALUE;
            int best = -1;
            for (int m = 0; m < centres.length; m++) {
                double dx = xy[2 * i] - centres[m][0], dy = xy[2 * i + 1] - centres[m][1];
                double d = Math.sqrt(dx * dx + dy * dy);
                if (d < bestD) { bestD = d; best = m; }
            }
            if (best < 0) continue;
            if (bestD <= MODE_RADIUS) near[best]++;
            if (bestD <= hqRadius) { highQuality++; hq[best] = true; }
        }
        int modes = 0, hqModes = 0;
        for (int m = 0; m < centres.length; m++) {
            if (near[m] >= MODE_SHARE * n) modes++;
            if (hq[m]) hqModes++;
        }
        double w1 = slicedW1(xy, data.sample(rng, n), rng);
        return new ToyQuality(modes, centres.length, hqModes, n == 0 ? 0 : (double) highQuality / n, w1);
    }

    /** Mean over random directions of the exact 1-D W1 between the projections (sorted differences). */
    public static double slicedW1(double[] a, double[] b, Rng rng) {
        int n = a.length / 2;
        double total = 0;
        double[] pa = new double[n], pb = new double[n];
        for (int s = 0; s < SLICES; s++) {
            double angle = Math.PI * rng.nextDouble(), cx = Math.cos(angle), cy = Math.sin(angle);
            for (int i = 0; i < n; i++) {
                pa[i] = cx * a[2 * i] + cy * a[2 * i + 1];
                pb[i] = cx * b[2 * i] + cy * b[2 * i + 1];
            }
            Arrays.sort(pa);
            Arrays.sort(pb);
            double w = 0;
            for (int i = 0; i < n; i++) w += Math.abs(pa[i] - pb[i]);
            total += w / n;
        }
        return total / SLICES;
    }

    /** The exact W1 between two equally large samples on the line: the mean difference of their sorted values. */
    public static double w1OnTheLine(double[] a, double[] b) {
        if (a.length != b.length || a.length == 0) throw new IllegalArgumentException("W1 on the line needs two samples of one size, got " + a.length + " and " + b.length);
        double[] sa = a.clone(), sb = b.clone();
        Arrays.sort(sa);
        Arrays.sort(sb);
        double w = 0;
        for (int i = 0; i < sa.length; i++) w += Math.abs(sa[i] - sb[i]);
        return w / sa.length;
    }

    @Override public String toString() {
        return String.format("%d/%d modes (%d with a high-quality sample), %.1f%% high quality, sliced W1 %.4f",
                modes, totalModes, modesWithHighQuality, 100 * highQualityShare, slicedW1);
    }
}
