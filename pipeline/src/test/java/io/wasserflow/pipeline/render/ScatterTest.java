package io.wasserflow.pipeline.render;

import static io.wasserflow.pipeline.render.Pictures.assertRejected;
import static io.wasserflow.pipeline.render.Pictures.assertWhiteBackground;
import static io.wasserflow.pipeline.render.Pictures.decode;
import static io.wasserflow.pipeline.render.Pictures.rgb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.util.Rng;
import java.awt.image.BufferedImage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScatterTest {
    private static double[][] points(Toy2D toy, long seed, int n) {
        double[] flat = toy.sample(new Rng(seed), n);
        double[][] p = new double[n][];
        for (int i = 0; i < n; i++) p[i] = new double[] {flat[2 * i], flat[2 * i + 1]};
        return p;
    }

    private static boolean sample(int rgb) {
        int r = rgb >> 16 & 0xff, g = rgb >> 8 & 0xff, b = rgb & 0xff;
        return b - r > 60 && b - g > 30;
    }

    private static boolean grey(int rgb) {
        int r = rgb >> 16 & 0xff, g = rgb >> 8 & 0xff, b = rgb & 0xff;
        return Math.abs(r - g) < 3 && Math.abs(g - b) < 3 && r < 235 && r > 120;
    }

    /** Centres of the connected blobs of sample-coloured pixels below the legend line. */
    private static List<double[]> blobs(BufferedImage image, int top) {
        boolean[][] seen = new boolean[image.getWidth()][image.getHeight()];
        List<double[]> centres = new ArrayList<>();
        for (int x0 = 0; x0 < image.getWidth(); x0++)
            for (int y0 = top; y0 < image.getHeight(); y0++) {
                if (seen[x0][y0] || !sample(rgb(image, x0, y0))) continue;
                double sx = 0, sy = 0;
                int n = 0;
                ArrayDeque<int[]> todo = new ArrayDeque<>(List.of(new int[] {x0, y0}));
                seen[x0][y0] = true;
                while (!todo.isEmpty()) {
                    int[] p = todo.pop();
                    sx += p[0];
                    sy += p[1];
                    n++;
                    for (int[] d : new int[][] {{1, 0}, {-1, 0}, {0, 1}, {0, -1}}) {
                        int x = p[0] + d[0], y = p[1] + d[1];
                        if (x >= 0 && y >= top && x < image.getWidth() && y < image.getHeight() && !seen[x][y] && sample(rgb(image, x, y))) {
                            seen[x][y] = true;
                            todo.push(new int[] {x, y});
                        }
                    }
                }
                centres.add(new double[] {sx / n, sy / n});
            }
        return centres;
    }

    @Test
    void samplesAreDrawnOverTheRealCloud() throws Exception {
        double[][] real = points(Toy2D.EIGHT_GAUSSIANS, 1, 5000);
        // a generator that found five of the eight modes, a little too wide
        double[][] centres = Toy2D.EIGHT_GAUSSIANS.centres(), samples = new double[256][];
        Rng rng = new Rng(2);
        for (int i = 0; i < samples.length; i++) {
            double[] c = centres[i % 5];
            samples[i] = new double[] {c[0] + 0.08 * rng.nextGaussian(), c[1] + 0.08 * rng.nextGaussian()};
        }
        BufferedImage image = decode(Scatter.png(samples, real, "8gaussians, generator step 5000"), "scatter-8gaussians.png");
        assertWhiteBackground(image);
        int greys = 0, blues = 0;
        for (int x = 0; x < image.getWidth(); x++)
            for (int y = 0; y < image.getHeight(); y++) {
                if (grey(rgb(image, x, y))) greys++;
                if (sample(rgb(image, x, y))) blues++;
            }
        assertTrue(greys > 1000, "the real cloud shows: " + greys + " grey pixels");
        assertTrue(blues > 1000, "the samples show: " + blues + " sample pixels");
    }

    @Test
    void axesHaveEqualScales() throws Exception {
        double[][] samples = {{0, 0}, {2, 0}, {0, 1}};
        BufferedImage image = decode(Scatter.png(samples, new double[0][], "equal scales"), "scatter-equal-scales.png");
        List<double[]> blobs = blobs(image, 70); // below the title and legend
        assertEquals(3, blobs.size(), "three separate dots");
        blobs.sort((a, b) -> Double.compare(a[0] + 3 * a[1], b[0] + 3 * b[1]));
        double[] origin = blobs.stream().filter(b -> b[1] > blobs.get(0)[1] + 10).min((a, b) -> Double.compare(a[0], b[0])).orElseThrow();
        double[] right = blobs.stream().max((a, b) -> Double.compare(a[0], b[0])).orElseThrow();
        double[] up = blobs.stream().min((a, b) -> Double.compare(a[1], b[1])).orElseThrow();
        assertEquals(origin[1], right[1], 1.0, "(2, 0) level with the origin");
        assertEquals(origin[0], up[0], 1.0, "(0, 1) above the origin");
        assertEquals(right[0] - origin[0], 2 * (origin[1] - up[1]), 2.0, "2 units across are twice 1 unit up");
    }

    @Test
    void divergedSamplesDoNotShrinkTheTrueDensity() throws Exception {
        double[][] real = points(Toy2D.TWENTY_FIVE_GAUSSIANS, 3, 3000);
        double[][] samples = points(Toy2D.TWENTY_FIVE_GAUSSIANS, 4, 200);
        samples[0] = new double[] {1e6, -1e6};
        samples[1] = new double[] {Double.NaN, 0};
        BufferedImage image = decode(Scatter.png(samples, real, "25gaussians with outliers"), "scatter-outliers.png");
        int left = image.getWidth(), right = 0;
        for (int x = 0; x < image.getWidth(); x++)
            for (int y = 0; y < image.getHeight(); y++)
                if (grey(rgb(image, x, y))) {
                    left = Math.min(left, x);
                    right = Math.max(right, x);
                }
        assertTrue(right - left > image.getWidth() * 0.7, "the real cloud spans most of the picture: " + (right - left) + " px");
    }

    @Test
    void badInputIsRejected() {
        assertRejected(() -> Scatter.png(new double[0][], new double[0][], "t"), "at least one sample");
        assertRejected(() -> Scatter.png(new double[][] {{1, 2, 3}}, new double[0][], "t"), "sample 0 has 3 coordinates");
        assertRejected(() -> Scatter.png(new double[][] {{1, 2}}, new double[][] {{1}}, "t"), "real point 0");
    }
}
