package io.wasserflow.pipeline.render;

import io.wasserflow.models.diagnostics.CriticLandscape;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Paint;
import java.awt.geom.Ellipse2D;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.VectorRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.Range;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.VectorSeries;
import org.jfree.data.xy.VectorSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The critic's landscape on 2-D data, as the WGAN-GP toy code draws it: D as a filled map over the
 * plane (a colour scale beside it), its gradient field as arrows on a coarser grid (all scaled by
 * one factor, so their lengths compare), the real points in grey and the generated ones on top.
 */
public final class Landscape {
    private static final int SIDE = 560;
    /** Arrows on every k-th grid point along each axis. */
    private static final int ARROW_EVERY = 4;

    private Landscape() {}

    public static byte[] png(CriticLandscape l, double[][] real, double[][] fake, String title) {
        int n = l.xs().length;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double v : l.values()) if (Double.isFinite(v)) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        if (!(lo < hi)) { // a flat or non-finite critic still gets a picture
            lo = Double.isFinite(lo) ? lo - 1 : -1;
            hi = lo + 2;
        }
        double[][] cells = new double[3][n * n];
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++) {
                int k = j * n + i;
                cells[0][k] = l.xs()[i];
                cells[1][k] = l.ys()[j];
                cells[2][k] = l.values()[k];
            }
        DefaultXYZDataset map = new DefaultXYZDataset();
        map.addSeries("D", cells);
        XYBlockRenderer blocks = new XYBlockRenderer();
        double w = (l.xs()[n - 1] - l.xs()[0]) / (n - 1), h = (l.ys()[n - 1] - l.ys()[0]) / (n - 1);
        blocks.setBlockWidth(w);
        blocks.setBlockHeight(h);
        Scale scale = new Scale(lo, hi);
        blocks.setPaintScale(scale);

        // arrows: the largest finite gradient drawn as 1.5 arrow spacings
        double largest = 0;
        for (int k = 0; k < n * n; k++) if (Double.isFinite(l.dx()[k]) && Double.isFinite(l.dy()[k])) largest = Math.max(largest, Math.hypot(l.dx()[k], l.dy()[k]));
        double length = largest == 0 ? 0 : 1.5 * ARROW_EVERY * Math.min(w, h) / largest;
        VectorSeries field = new VectorSeries("grad D");
        for (int j = ARROW_EVERY / 2; j < n; j += ARROW_EVERY)
            for (int i = ARROW_EVERY / 2; i < n; i += ARROW_EVERY) {
                int k = j * n + i;
                if (Double.isFinite(l.dx()[k]) && Double.isFinite(l.dy()[k]))
                    field.add(l.xs()[i], l.ys()[j], length * l.dx()[k], length * l.dy()[k]);
            }
        VectorSeriesCollection arrows = new VectorSeriesCollection();
        arrows.addSeries(field);
        VectorRenderer arrowRenderer = new VectorRenderer();
        arrowRenderer.setSeriesPaint(0, new Color(0x222222));
        arrowRenderer.setSeriesStroke(0, new BasicStroke(1.2f));

        XYSeries realSeries = new XYSeries("real", false, true), fakeSeries = new XYSeries("generated", false, true);
        Range xr = new Range(l.xs()[0] - w / 2, l.xs()[n - 1] + w / 2), yr = new Range(l.ys()[0] - h / 2, l.ys()[n - 1] + h / 2);
        for (double[] p : real) if (xr.contains(p[0]) && yr.contains(p[1])) realSeries.add(p[0], p[1]);
        for (double[] p : fake) if (xr.contains(p[0]) && yr.contains(p[1])) fakeSeries.add(p[0], p[1]);
        XYSeriesCollection points = new XYSeriesCollection();
        points.addSeries(realSeries);
        points.addSeries(fakeSeries);
        XYLineAndShapeRenderer dots = new XYLineAndShapeRenderer(false, true);
        dots.setDrawOutlines(true);
        dots.setUseOutlinePaint(true);
        dots.setSeriesPaint(0, new Color(255, 255, 255, 200));
        dots.setSeriesOutlinePaint(0, new Color(0x555555));
        dots.setSeriesShape(0, new Ellipse2D.Double(-2.5, -2.5, 5, 5));
        dots.setSeriesPaint(1, new Color(0xff7f0e));
        dots.setSeriesOutlinePaint(1, new Color(0x7f3f07));
        dots.setSeriesShape(1, new Ellipse2D.Double(-3, -3, 6, 6));

        NumberAxis x = Charts.linear(null, xr), y = Charts.linear(null, yr);
        XYPlot plot = new XYPlot(map, x, y, blocks);
        plot.setDataset(1, arrows);
        plot.setRenderer(1, arrowRenderer);
        plot.setDataset(2, points);
        plot.setRenderer(2, dots);
        plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD); // map, then arrows, then points
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        LegendItemCollection legend = new LegendItemCollection();
        legend.add(new LegendItem("real (" + realSeries.getItemCount() + ")", null, null, null, new Ellipse2D.Double(-4, -4, 8, 8), Color.WHITE,
                new BasicStroke(1f), new Color(0x555555)));
        legend.add(new LegendItem("generated (" + fakeSeries.getItemCount() + ")", null, null, null, new Ellipse2D.Double(-4, -4, 8, 8), new Color(0xff7f0e)));
        legend.add(new LegendItem("∇D (longest " + String.format(java.util.Locale.ROOT, "%.3g", largest) + ")", new Color(0x222222)));
        plot.setFixedLegendItems(legend);
        JFreeChart chart = Charts.chart(title, plot, true);
        chart.getLegend().setPosition(RectangleEdge.TOP);
        NumberAxis scaleAxis = Charts.linear("D(x)", new Range(lo, hi));
        PaintScaleLegend bar = new PaintScaleLegend(scale, scaleAxis);
        bar.setPosition(RectangleEdge.RIGHT);
        bar.setStripWidth(14);
        bar.setMargin(4, 8, 4, 8);
        chart.addSubtitle(bar);
        return Charts.png(chart, SIDE + 190, SIDE + 100);
    }

    /** A perceptually even blue-to-yellow scale (viridis' end points and middle), clamped at its ends. */
    static final class Scale implements PaintScale {
        private static final Color[] STOPS = {new Color(0x440154), new Color(0x3b528b), new Color(0x21918c), new Color(0x5ec962), new Color(0xfde725)};
        private final double lo, hi;

        Scale(double lo, double hi) {
            this.lo = lo;
            this.hi = hi;
        }

        @Override public double getLowerBound() { return lo; }

        @Override public double getUpperBound() { return hi; }

        @Override public Paint getPaint(double v) {
            if (!Double.isFinite(v)) return Color.LIGHT_GRAY;
            double t = Math.max(0, Math.min(1, (v - lo) / (hi - lo))) * (STOPS.length - 1);
            int i = Math.min(STOPS.length - 2, (int) t);
            double f = t - i;
            Color a = STOPS[i], b = STOPS[i + 1];
            return new Color((int) Math.round(a.getRed() + f * (b.getRed() - a.getRed())), (int) Math.round(a.getGreen() + f * (b.getGreen() - a.getGreen())),
                    (int) Math.round(a.getBlue() + f * (b.getBlue() - a.getBlue())));
        }
    }
}
