package io.wasserflow.pipeline.render;

import static io.wasserflow.pipeline.render.Pictures.assertRejected;
import static io.wasserflow.pipeline.render.Pictures.assertWhiteBackground;
import static io.wasserflow.pipeline.render.Pictures.count;
import static io.wasserflow.pipeline.render.Pictures.decode;
import static io.wasserflow.pipeline.render.Pictures.meanRow;
import static io.wasserflow.pipeline.render.Pictures.near;
import static io.wasserflow.pipeline.render.Pictures.rgb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.function.IntPredicate;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.plot.Marker;
import org.jfree.chart.ui.Layer;
import org.junit.jupiter.api.Test;

class LinePlotTest {
    /** Columns left of the legend: the plot area and the y axis. */
    private static int plotColumns(BufferedImage image) {
        return image.getWidth() - 150;
    }

    private static double[] steps(int from, int n, int every) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = from + i * every;
        return x;
    }

    private static double[] constant(int n, double v) {
        double[] y = new double[n];
        java.util.Arrays.fill(y, v);
        return y;
    }

    /** Runs of at least minLength consecutive pixels of a colour in row y, left of the legend. */
    private static List<int[]> runs(BufferedImage image, IntPredicate colour, int y, int minLength) {
        List<int[]> runs = new ArrayList<>();
        int start = -1;
        for (int x = 0; x <= plotColumns(image); x++) {
            boolean on = x < plotColumns(image) && colour.test(rgb(image, x, y));
            if (on && start < 0) start = x;
            if (!on && start >= 0) {
                if (x - start >= minLength) runs.add(new int[] {start, x});
                start = -1;
            }
        }
        return runs;
    }

    @Test
    void twoSeriesShowTheirColoursAndAConstantOneIsAHorizontalRun() throws Exception {
        Random r = new Random(1);
        double[] x = steps(0, 200, 10), w = new double[200];
        for (int i = 0; i < w.length; i++) w[i] = 1.5 * Math.exp(-i / 40.0) + 0.3 + 0.05 * r.nextGaussian();
        LinePlot plot = LinePlot.titled("Wasserstein estimate").xLabel("generator step").yLabel("W estimate")
                .series("clip c=0.01", x, w).series("gp lambda=10", x, constant(200, 0.8));
        byte[] png = plot.png();
        BufferedImage image = decode(png, "line-two-series.png");
        assertEquals(800, image.getWidth());
        assertEquals(480, image.getHeight());
        assertWhiteBackground(image);
        IntPredicate clip = near(Charts.color(0)), gp = near(Charts.color(1));
        assertTrue(count(image, clip, 0, plotColumns(image)) > 300, "the first series is drawn in the first colour");
        int row = (int) Math.round(meanRow(image, gp, 0, plotColumns(image)));
        List<int[]> runs = runs(image, gp, row, 50);
        assertEquals(1, runs.size(), "one unbroken horizontal run in row " + row);
        assertTrue(runs.get(0)[1] - runs.get(0)[0] > image.getWidth() / 2, "the constant spans the plot: " + (runs.get(0)[1] - runs.get(0)[0]) + " px");
        for (int y = 0; y < image.getHeight(); y++)
            if (Math.abs(y - row) > 1) assertEquals(0, runs(image, gp, y, 3).size(), "no other row holds the constant's colour: " + y);
        // the legend, right of the plot, names each series beside a stroke of its colour
        assertTrue(count(image, clip, plotColumns(image), image.getWidth()) > 20, "the first series in the legend");
        assertTrue(count(image, gp, plotColumns(image), image.getWidth()) > 20, "the second series in the legend");
        List<String> names = new ArrayList<>();
        LegendItemCollection items = plot.chart().getXYPlot().getLegendItems();
        for (int i = 0; i < items.getItemCount(); i++) names.add(items.get(i).getLabel());
        assertEquals(List.of("clip c=0.01", "gp lambda=10"), names);
    }

    @Test
    void logAxisPutsThousandthAndThousandSymmetricAroundOne() throws Exception {
        double[] x = steps(0, 100, 1);
        BufferedImage image = decode(LinePlot.titled("log scale").logY(1e-6).series("1e-3", x, constant(100, 1e-3))
                .series("1", x, constant(100, 1)).series("1e3", x, constant(100, 1e3)).png(), "line-log.png");
        double low = meanRow(image, near(Charts.color(0)), 0, plotColumns(image));
        double one = meanRow(image, near(Charts.color(1)), 0, plotColumns(image));
        double high = meanRow(image, near(Charts.color(2)), 0, plotColumns(image));
        assertTrue(low > one + 50 && one > high + 50, "1e-3 below 1 below 1e3: rows " + low + ", " + one + ", " + high);
        assertEquals(low - one, one - high, 1.0, "a decade is a decade");
    }

    @Test
    void zerosAreDrawnAtTheFloor() throws Exception {
        // float32 gradients underflow to exactly 0; negatives cannot be drawn on a log axis either
        double[] ones = constant(100, 1), zeros = constant(50, 0), floor = constant(50, 1e-12);
        zeros[10] = -3;
        LinePlot plot = LinePlot.titled("vanishing gradient").yLabel("gradient norm").logY(1e-12)
                .series("norm", steps(0, 100, 1), ones).series("zeros", steps(0, 50, 1), zeros).series("floor", steps(50, 50, 1), floor);
        BufferedImage image = decode(plot.png(), "line-floor.png");
        double one = meanRow(image, near(Charts.color(0)), 0, plotColumns(image));
        double zero = meanRow(image, near(Charts.color(1)), 0, plotColumns(image));
        double atFloor = meanRow(image, near(Charts.color(2)), 0, plotColumns(image));
        assertEquals(atFloor, zero, 1.0, "zeros sit on the floor");
        assertTrue(zero > one + 100, "the floor is far below 1");
        // the floor is marked as such: a dashed line along the plot labelled "≤ floor", its label's dark text just above the zeros' line
        Rectangle2D area = dataArea(plot);
        int text = 0;
        for (int x = (int) area.getX() + 2; x < area.getX() + 60; x++)
            for (int y = (int) zero - 16; y < zero - 2; y++) text += neutral(rgb(image, x, y)) ? 1 : 0;
        assertTrue(text > 20, "the floor's label: " + text + " px of grey text");
        assertEquals(List.of("≤ floor"), floorMarks(plot));
        assertEquals(List.of(), floorMarks(LinePlot.titled("above the floor").logY(1e-12).series("norm", steps(0, 100, 1), ones)), "none when nothing was raised to it");
    }

    private static Rectangle2D dataArea(LinePlot plot) {
        ChartRenderingInfo info = new ChartRenderingInfo();
        plot.chart().createBufferedImage(800, 480, info);
        return info.getPlotInfo().getDataArea();
    }

    /** Labels of the horizontal lines marked on the plot. */
    private static List<String> floorMarks(LinePlot plot) {
        Collection<?> marks = plot.chart().getXYPlot().getRangeMarkers(Layer.BACKGROUND);
        return marks == null ? List.of() : marks.stream().map(m -> ((Marker) m).getLabel()).toList();
    }

    /** Grey text or line: no colour, darker than the grid. */
    private static boolean neutral(int rgb) {
        int r = rgb >> 16 & 0xff, g = rgb >> 8 & 0xff, b = rgb & 0xff;
        return Math.abs(r - g) < 4 && Math.abs(g - b) < 4 && r < 180;
    }

    @Test
    void nonFiniteValuesLeaveGaps() throws Exception {
        double[] y = constant(100, 2);
        for (int i = 40; i < 60; i++) y[i] = Double.NaN;
        y[80] = Double.POSITIVE_INFINITY;
        BufferedImage image = decode(LinePlot.titled("gaps").series("with gaps", steps(0, 100, 1), y)
                .series("other", steps(0, 100, 1), constant(100, 1)).png(), "line-gaps.png");
        IntPredicate colour = near(Charts.color(0));
        int row = (int) Math.round(meanRow(image, colour, 0, plotColumns(image)));
        List<int[]> runs = runs(image, colour, row, 2);
        assertEquals(3, runs.size(), "NaN and +Inf split the line in three");
        assertTrue(runs.get(1)[0] - runs.get(0)[1] > 2 * (runs.get(2)[0] - runs.get(1)[1]), "20 missing points leave a wider gap than 1");
    }

    @Test
    void categoricalAxisPlacesLayersEvenly() throws Exception {
        // the WGAN-GP paper's Figure 1: gradient norm per critic layer, explode/vanish under clipping
        int layers = 12;
        String[] names = new String[layers];
        for (int i = 0; i < layers; i++) names[i] = Integer.toString(i + 1);
        LinePlot plot = LinePlot.titled("Gradient norm per critic layer").xLabel("critic layer").yLabel("gradient norm")
                .logY(1e-12).categories(names);
        double[] gp = constant(layers, 0.5);
        for (double c : new double[] {0.1, 0.01, 0.001}) {
            double[] y = new double[layers];
            for (int i = 0; i < layers; i++) y[i] = Math.pow(c * 10 * (c == 0.1 ? 3 : 1), layers - i) * 0.5;
            plot.series("weight clipping c=" + c, y);
        }
        plot.series("gradient penalty", gp);
        BufferedImage image = decode(plot.png(), "line-figure1.png");
        plot.write(Pictures.DIR.resolve("line-figure1-written.png"));
        assertTrue(Files.size(Pictures.DIR.resolve("line-figure1-written.png")) > 1000, "write() stores the PNG");

        // markers (7 px) are taller than the 2 px line: find their columns in the penalty's row
        IntPredicate colour = near(Charts.color(3));
        int row = (int) Math.round(meanRow(image, colour, 0, image.getWidth() / 2)); // left of the long legend
        List<Double> centres = new ArrayList<>();
        int start = -1;
        for (int x = 0; x <= plotColumns(image); x++) {
            boolean tall = x < plotColumns(image) && colour.test(rgb(image, x, row - 2)) && colour.test(rgb(image, x, row + 2));
            if (tall && start < 0) start = x;
            if (!tall && start >= 0) {
                centres.add((start + x - 1) / 2.0);
                start = -1;
            }
        }
        assertEquals(layers, centres.size(), "one marker per layer: " + centres);
        double spacing = (centres.get(layers - 1) - centres.get(0)) / (layers - 1);
        for (int i = 0; i < layers; i++) assertEquals(centres.get(0) + i * spacing, centres.get(i), 1.0, "layer " + (i + 1));
    }

    @Test
    void badInputIsRejected() {
        assertRejected(() -> LinePlot.titled("t").series("empty", new double[0], new double[0]), "empty");
        assertRejected(() -> LinePlot.titled("t").series("s", new double[3], new double[4]), "3 x values and 4 y values");
        assertRejected(() -> LinePlot.titled("t").png(), "no series");
        assertRejected(() -> LinePlot.titled("t").logY(0), "floor");
        assertRejected(() -> LinePlot.titled("t").categories("a", "b").series("s", new double[] {1, 2, 3}).png(), "categorical");
    }
}
