package io.wasserflow.pipeline.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Histograms of samples on the line, generated beside real, on one set of buckets. */
class LineSamplesTest {
    @Test
    void everyFiniteValueFallsInAnInnerBucketAndNoneIsLost() throws Exception {
        double[][][] cases = {{{-2, -1.5, -2.5}, {2, 2.5, 1.5}}, {{1, 1}, {1, 1}}, {{0, Double.NaN}, {3}}};
        for (double[][] ab : cases) {
            double[] bounds = LineSamples.edges(ab[0], ab[1]);
            assertEquals(LineSamples.BUCKETS + 1, bounds.length);
            for (double[] sample : ab) {
                long[] c = LineSamples.counts(sample, bounds);
                long finite = Arrays.stream(sample).filter(Double::isFinite).count();
                assertEquals(0, c[0], Arrays.toString(sample) + ": none at or below the first edge");
                assertEquals(sample.length - finite, c[c.length - 1], Arrays.toString(sample) + ": only non-finite values beyond the last");
                assertEquals(sample.length, Arrays.stream(c).sum());
            }
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(LineSamples.png(ab[0], ab[1], "title")));
            assertTrue(img.getWidth() > 300 && img.getHeight() > 150, img.getWidth() + "x" + img.getHeight());
        }
    }
}
