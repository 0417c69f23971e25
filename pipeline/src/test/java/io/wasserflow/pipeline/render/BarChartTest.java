package io.wasserflow.pipeline.render;

import static io.wasserflow.pipeline.render.Pictures.assertRejected;
import static io.wasserflow.pipeline.render.Pictures.assertWhiteBackground;
import static io.wasserflow.pipeline.render.Pictures.decode;
import static io.wasserflow.pipeline.render.Pictures.near;
import static io.wasserflow.pipeline.render.Pictures.rgb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

class BarChartTest {
    static final List<String> CLASSES = List.of("a", "b", "c", "d");

    /** Heights in pixels of the runs of columns of a colour, left to right: one entry a bar. */
    private static List<Integer> bars(BufferedImage image, IntPredicate colour) {
        List<Integer> out = new ArrayList<>();
        int run = 0, height = 0;
        for (int x = 0; x < image.getWidth(); x++) {
            int h = 0;
            for (int y = 0; y < image.getHeight(); y++) if (colour.test(rgb(image, x, y))) h++;
            if (h > 3) { // a bar column, not a legend swatch's edge
                run++;
                height = Math.max(height, h);
            } else if (run > 0) {
                if (run > 4) out.add(height);
                run = 0;
                height = 0;
            }
        }
        return out;
    }

    @Test
    void eachSeriesHasOneBarPerCategoryOfItsValuesHeight() throws Exception {
        BufferedImage image = decode(BarChart.titled("classes", CLASSES).yLabel("share").series("one", new double[] {0.1, 0.4, 0.2, 0.3})
                .series("two", new double[] {0.0, 0.0, 1.0, 0.0}).png(), "bars.png");
        assertWhiteBackground(image);
        List<Integer> one = bars(image, near(Charts.PALETTE[0])), two = bars(image, near(Charts.PALETTE[1]));
        // left to right: the categories, then perhaps the legend swatches right of the plot
        assertTrue(one.size() >= 4, one.toString());
        assertTrue(two.size() >= 1, two.toString());
        int tallest = two.get(0); // the only bar of series two: a share of 1
        double[] expected = {0.1, 0.4, 0.2, 0.3};
        for (int i = 0; i < 4; i++) assertEquals(expected[i] * tallest, one.get(i), 3.0, "bar " + i + " of " + one);
    }

    @Test
    void badSeriesAreRejected() {
        assertRejected(() -> BarChart.titled("t", CLASSES).series("s", new double[] {1, 2}), "2 values for 4 categories");
        assertRejected(() -> BarChart.titled("t", CLASSES).png(), "no series");
        assertRejected(() -> BarChart.titled("t", List.of()), "at least one category");
    }
}
