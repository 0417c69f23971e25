package io.wasserflow.pipeline.render;

import java.awt.Color;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.Range;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Generated 2-D points over the true distribution, for the toy sets (8 and 25 Gaussians, Swiss
 * roll): the real points as a light grey cloud whose translucent dots add up to the density,
 * the samples as coloured dots on top, on equal axis scales so circles stay circles.
 */
public final class Scatter {
    static final Color REAL = new Color(0x9a9a9a), SAMPLE = Charts.PALETTE[0];
    /** The legend's dots are opaque, whatever the translucency of the cloud. */
    private static final Shape LEGEND_DOT = new Ellipse2D.Double(-4, -4, 8, 8);
    /** Side of the square plot area in pixels. */
    private static final int SIDE = 560;
    /**
     * Samples further than this many real-data spans beyond the real data do not widen the view;
     * they are counted in the legend instead: a diverged generator must not shrink the true density to a dot.
     */
    private static final double REACH = 1.0;

    private Scatter() {}

    /** samples and realPoints are rows {x, y}; realPoints may be empty, non-finite samples are counted in the legend. */
    public static byte[] png(double[][] samples, double[][] realPoints, String title) {
        if (samples == null || samples.length == 0) throw new IllegalArgumentException("scatter needs at least one sample");
        if (realPoints == null) realPoints = new double[0][];
        check(samples, "sample");
        check(realPoints, "real point");
        double[] real = bounds(realPoints, null), view = bounds(samples, null);
        if (real != null) {
            double reach = REACH * Math.max(real[2] - real[0], real[3] - real[1]);
            double[] near = bounds(samples, new double[] {real[0] - reach, real[1] - reach, real[2] + reach, real[3] + reach});
            view = near == null ? real : new double[] {
                    Math.min(near[0], real[0]), Math.min(near[1], real[1]), Math.max(near[2], real[2]), Math.max(near[3], real[3])};
        }
        if (view == null) view = new double[] {0, 0, 1, 1}; // nothing finite to show
        double half = Math.max(view[2] - view[0], view[3] - view[1]) / 2, cx = (view[0] + view[2]) / 2, cy = (view[1] + view[3]) / 2;
        if (half == 0) half = cx == 0 && cy == 0 ? 1 : 0.1 * Math.max(Math.abs(cx), Math.abs(cy));
        // both axes span the same length over a square area: equal scales
        Range xRange = Charts.linearRange(cx - half, cx + half, 0.05), yRange = Charts.linearRange(cy - half, cy + half, 0.05);

        XYSeries cloud = new XYSeries("real", false, true), drawn = new XYSeries("generated", false, true);
        for (double[] p : realPoints) if (finite(p)) cloud.add(p[0], p[1]);
        int nonFinite = 0, outside = 0;
        for (double[] p : samples) {
            if (!finite(p)) nonFinite++;
            else if (!xRange.contains(p[0]) || !yRange.contains(p[1])) outside++;
            else drawn.add(p[0], p[1]);
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(cloud);
        data.addSeries(drawn);
        XYLineAndShapeRenderer dots = new XYLineAndShapeRenderer(false, true);
        dots.setDrawOutlines(false);
        // translucent enough that overlapping dots build up a density, opaque enough to see a few hundred points
        dots.setSeriesPaint(0, translucent(REAL, Math.max(0.05, Math.min(0.5, 1000.0 / Math.max(1, realPoints.length)))));
        dots.setSeriesShape(0, new Ellipse2D.Double(-2, -2, 4, 4));
        dots.setSeriesPaint(1, translucent(SAMPLE, 0.8));
        dots.setSeriesShape(1, new Ellipse2D.Double(-3, -3, 6, 6));
        XYPlot plot = new XYPlot(data, Charts.linear(null, xRange), Charts.linear(null, yRange), dots);
        plot.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD); // the samples over the real cloud

        String note = (outside > 0 ? ", " + outside + " outside the view" : "") + (nonFinite > 0 ? ", " + nonFinite + " non-finite" : "");
        LegendItemCollection legend = new LegendItemCollection();
        if (realPoints.length > 0) legend.add(new LegendItem("real (" + realPoints.length + ")", null, null, null, LEGEND_DOT, REAL));
        legend.add(new LegendItem("generated (" + samples.length + note + ")", null, null, null, LEGEND_DOT, SAMPLE));
        plot.setFixedLegendItems(legend);
        JFreeChart chart = Charts.chart(title, plot, true);
        chart.getLegend().setPosition(RectangleEdge.TOP);

        // the same step on both axes; then the y axis' labels fix the left margin, and the width makes the plot area square
        int height = SIDE + 100;
        chart.createBufferedImage(2 * SIDE, height);
        NumberAxis x = (NumberAxis) plot.getDomainAxis(), y = (NumberAxis) plot.getRangeAxis();
        NumberTickUnit step = x.getTickUnit().getSize() >= y.getTickUnit().getSize() ? x.getTickUnit() : y.getTickUnit();
        x.setTickUnit(step);
        y.setTickUnit(step);
        ChartRenderingInfo trial = new ChartRenderingInfo();
        chart.createBufferedImage(2 * SIDE, height, trial);
        Rectangle2D area = trial.getPlotInfo().getDataArea();
        int width = (int) Math.round(2 * SIDE - area.getWidth() + area.getHeight());
        return Charts.png(chart, width, height);
    }

    private static Color translucent(Color c, double alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), (int) Math.round(255 * alpha));
    }

    private static void check(double[][] points, String what) {
        for (int i = 0; i < points.length; i++)
            if (points[i] == null || points[i].length != 2)
                throw new IllegalArgumentException("scatter " + what + " " + i + " has " + (points[i] == null ? "no" : points[i].length) + " coordinates, expected 2");
    }

    /** {xMin, yMin, xMax, yMax} of the finite points inside limit (another such box; null: anywhere), or null when there are none. */
    private static double[] bounds(double[][] points, double[] limit) {
        double[] b = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (double[] p : points)
            if (finite(p) && (limit == null || p[0] >= limit[0] && p[1] >= limit[1] && p[0] <= limit[2] && p[1] <= limit[3])) {
                b[0] = Math.min(b[0], p[0]);
                b[1] = Math.min(b[1], p[1]);
                b[2] = Math.max(b[2], p[0]);
                b[3] = Math.max(b[3], p[1]);
            }
        return b[0] <= b[2] ? b : null;
    }

    private static boolean finite(double[] p) {
        return Double.isFinite(p[0]) && Double.isFinite(p[1]);
    }
}
