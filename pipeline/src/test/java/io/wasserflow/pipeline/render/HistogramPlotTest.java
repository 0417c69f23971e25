package io.wasserflow.pipeline.render;

import static io.wasserflow.pipeline.render.Pictures.assertRejected;
import static io.wasserflow.pipeline.render.Pictures.assertWhiteBackground;
import static io.wasserflow.pipeline.render.Pictures.decode;
import static io.wasserflow.pipeline.render.Pictures.near;
import static io.wasserflow.pipeline.render.Pictures.rgb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.Random;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

class HistogramPlotTest {
    /** Bars are the palette's first colour, the open-ended ones hatched with its tint. */
    private static final IntPredicate BAR = near(Charts.PALETTE[0]).or(near(Charts.lighter(Charts.PALETTE[0], 0.6)));

    /** Edges as ExperimentConfig.histogramEdges makes them: n buckets over [-c, c]. */
    private static double[] edges(double c, int n) {
        double[] e = new double[n + 1];
        for (int i = 0; i <= n; i++) e[i] = -c + 2 * c * i / n;
        return e;
    }

    /** Per-bucket counts of values on edges (le convention, +Inf last). */
    private static long[] histogram(double[] values, double[] edges) {
        long[] counts = new long[edges.length + 1];
        for (double v : values) {
            int i = 0;
            while (i < edges.length && v > edges[i]) i++;
            counts[i]++;
        }
        return counts;
    }

    /** Height in pixels of the bar columns in [x0, x1). */
    /** The first and last columns with a bar in them. */
    private static int[] barSpan(BufferedImage image) {
        int left = image.getWidth(), right = 0;
        for (int x = 0; x < image.getWidth(); x++)
            if (barHeight(image, x) > 0) {
                left = Math.min(left, x);
                right = Math.max(right, x);
            }
        return new int[] {left, right};
    }

    private static int barHeight(BufferedImage image, int x) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) if (BAR.test(rgb(image, x, y))) n++;
        return n;
    }

    @Test
    void barHeightsAreProportionalToCounts() throws Exception {
        double[] edges = edges(1, 8);
        long[] counts = {30, 2, 5, 9, 14, 20, 14, 9, 5, 40};
        BufferedImage image = decode(HistogramPlot.titled("").xLabel("value").panel("one", edges, counts).png(), "histogram-heights.png");
        assertWhiteBackground(image);
        int[] span = barSpan(image);
        int left = span[0], right = span[1];
        // ten buckets of equal width (the open-ended two as wide as their neighbours) fill the axis
        double slot = (right + 1 - left) / (double) counts.length;
        int tallest = barHeight(image, (int) (left + 9.5 * slot));
        for (int i = 0; i < counts.length; i++)
            assertEquals(tallest * counts[i] / 40.0, barHeight(image, (int) (left + (i + 0.5) * slot)), 2.0, "bucket " + i);
    }

    @Test
    void theOpenEndedBucketsAloneAreHatched() throws Exception {
        long[] counts = {30, 2, 5, 9, 14, 20, 14, 9, 5, 40};
        BufferedImage image = decode(HistogramPlot.titled("").xLabel("value").panel("one", edges(1, 8), counts).png(), "histogram-hatched.png");
        IntPredicate tint = near(Charts.lighter(Charts.PALETTE[0], 0.6)), solid = near(Charts.PALETTE[0]);
        int[] span = barSpan(image);
        int left = span[0], right = span[1];
        double slot = (right + 1 - left) / (double) counts.length;
        for (int i = 0; i < counts.length; i++) {
            int x = (int) (left + (i + 0.5) * slot), tinted = 0, plain = 0;
            for (int y = 0; y < image.getHeight(); y++) {
                tinted += tint.test(rgb(image, x, y)) ? 1 : 0;
                plain += solid.test(rgb(image, x, y)) ? 1 : 0;
            }
            if (i == 0 || i == counts.length - 1) assertTrue(tinted > plain, "bucket " + i + " is open-ended, hatched: " + tinted + " tinted, " + plain + " solid px");
            else assertEquals(0, tinted, "bucket " + i + " is solid");
        }
    }

    @Test
    void smallMultiplesSitSideBySideUnderOneTitle() throws Exception {
        // weight clipping: weights pile up at +-c (those at -c fall in the first, open-ended bucket)
        Random r = new Random(5);
        double c = 0.01;
        HistogramPlot plot = HistogramPlot.titled("Critic weights at generator step 2000").xLabel("weight").columns(3);
        for (int layer = 1; layer <= 3; layer++) {
            double[] w = new double[20_000];
            for (int i = 0; i < w.length; i++) w[i] = Math.max(-c, Math.min(c, r.nextGaussian() * c * layer));
            plot.panel("clip · layer " + layer, edges(c, 20), histogram(w, edges(c, 20)));
        }
        double[] w = new double[20_000];
        for (int i = 0; i < w.length; i++) w[i] = r.nextGaussian() * 0.004;
        plot.panel("gp · layer 1", edges(c, 20), histogram(w, edges(c, 20)));
        BufferedImage image = decode(plot.png(), "histogram-panels.png");
        assertWhiteBackground(image);
        int third = image.getWidth() / 3;
        for (int p = 0; p < 3; p++) {
            int bars = 0;
            for (int x = p * third; x < (p + 1) * third; x++) bars += barHeight(image, x) > 0 ? 1 : 0;
            assertTrue(bars > third / 2, "panel " + (p + 1) + " has bars across it: " + bars);
        }
        assertTrue(image.getHeight() > 2 * 200, "the fourth panel starts a second row");
        // the title is centred over all panels: dark text pixels near the top middle
        int dark = 0;
        for (int x = third; x < 2 * third; x++) for (int y = 0; y < 30; y++) dark += (rgb(image, x, y) & 0xff) < 100 ? 1 : 0;
        assertTrue(dark > 50, "shared title drawn");
    }

    @Test
    void anExplicitInfBoundIsTheSameAsAnImplicitOne() throws Exception {
        long[] counts = {1, 2, 3, 4};
        byte[] implicit = HistogramPlot.titled("t").panel("p", new double[] {-1, 0, 1}, counts).png();
        byte[] explicit = HistogramPlot.titled("t").panel("p", new double[] {-1, 0, 1, Double.POSITIVE_INFINITY}, counts).png();
        BufferedImage a = decode(implicit, "histogram-implicit-inf.png"), b = decode(explicit, "histogram-explicit-inf.png");
        for (int x = 0; x < a.getWidth(); x++) for (int y = 0; y < a.getHeight(); y++) assertEquals(rgb(a, x, y), rgb(b, x, y));
    }

    @Test
    void badInputIsRejected() {
        assertRejected(() -> HistogramPlot.titled("t").panel("p", new double[] {0, 1}, new long[] {1, 2}), "expected 3");
        assertRejected(() -> HistogramPlot.titled("t").panel("p", new double[] {0, 0}, new long[] {1, 2, 3}), "increasing");
        assertRejected(() -> HistogramPlot.titled("t").panel("p", new double[0], new long[] {1}), "no finite bucket bound");
        assertRejected(() -> HistogramPlot.titled("t").panel("p", new double[] {0}, new long[] {1, -2}), "negative");
        assertRejected(() -> HistogramPlot.titled("t").columns(0), "columns");
        assertRejected(() -> HistogramPlot.titled("t").png(), "no panels");
    }
}
