package io.wasserflow.pipeline.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.font.FontRenderContext;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.chart.ui.VerticalAlignment;
import org.jfree.data.Range;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A multi-series line chart as a PNG, for Wasserstein estimates over steps and per-layer gradient
 * norms. Non-finite values leave gaps. On a log y axis ({@link #logY}) values at or below the floor
 * are drawn at the floor, since float32 gradients underflow to exactly 0. With {@link #categories}
 * x is categorical: positions 1..L under the given names, as in the WGAN-GP paper's Figure 1
 * (gradient norm per critic layer, one line per experiment).
 *
 * <pre>LinePlot.titled("Wasserstein estimate").xLabel("generator step").series("clip", steps, w).write(file)</pre>
 */
public final class LinePlot {
    /** Series with at most this many points get a marker at every point, so short series stay legible. */
    private static final int MARKER_LIMIT = 40;
    private static final float[][] DASHES = {null, {7, 4}, {2, 3}, {9, 3, 2, 3}};

    private record Series(String name, double[] x, double[] y) {}

    /** A series' key in the chart: its place, so that two series may share a name; the legend shows the name. */
    private record Key(int index, String name) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            return Integer.compare(index, o.index);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final String title;
    private String xLabel = "", yLabel = "";
    private double floor = Double.NaN;
    private List<String> categories;
    private int width = 800, height = 480;
    private final List<Series> series = new ArrayList<>();

    private LinePlot(String title) {
        this.title = title == null ? "" : title;
    }

    public static LinePlot titled(String title) {
        return new LinePlot(title);
    }

    public LinePlot xLabel(String label) {
        xLabel = label == null ? "" : label;
        return this;
    }

    public LinePlot yLabel(String label) {
        yLabel = label == null ? "" : label;
        return this;
    }

    /** A log10 y axis; values <= floor (zeros and negatives too) are drawn at floor. */
    public LinePlot logY(double floor) {
        if (!(floor > 0) || Double.isInfinite(floor)) throw new IllegalArgumentException("log axis floor must be positive and finite, got " + floor);
        this.floor = floor;
        return this;
    }

    /** A categorical x axis: position i (1-based) is labelled tickLabels[i - 1]; series x values must be positions. */
    public LinePlot categories(String... tickLabels) {
        if (tickLabels.length == 0) throw new IllegalArgumentException("categorical axis needs at least one tick label");
        categories = List.of(tickLabels);
        return this;
    }

    /** Image size in pixels (default 800 x 480). */
    public LinePlot size(int width, int height) {
        if (width < 200 || height < 150) throw new IllegalArgumentException("line plot must be at least 200x150 px, got " + width + "x" + height);
        this.width = width;
        this.height = height;
        return this;
    }

    public LinePlot series(String name, double[] x, double[] y) {
        if (name == null || x == null || y == null) throw new IllegalArgumentException("series needs a name, x and y");
        if (x.length == 0) throw new IllegalArgumentException("series '" + name + "' is empty");
        if (x.length != y.length) throw new IllegalArgumentException("series '" + name + "' has " + x.length + " x values and " + y.length + " y values");
        series.add(new Series(name, x.clone(), y.clone()));
        return this;
    }

    /** A series at x = 1, 2, ..., y.length: layer indices on a categorical axis. */
    public LinePlot series(String name, double[] y) {
        if (y == null) throw new IllegalArgumentException("series needs a name, x and y");
        double[] x = new double[y.length];
        Arrays.setAll(x, i -> i + 1);
        return series(name, x, y);
    }

    public void write(Path file) throws IOException {
        Charts.write(png(), file);
    }

    public byte[] png() {
        return Charts.png(chart(), width, height);
    }

    /** The chart as drawn: the series over their axes, the floor marked where values were raised to it, the legend on the right. */
    JFreeChart chart() {
        if (series.isEmpty()) throw new IllegalArgumentException("line plot '" + title + "' has no series");
        boolean log = !Double.isNaN(floor);
        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY, yMin = xMin, yMax = xMax;
        boolean clamped = false;
        XYSeriesCollection data = new XYSeriesCollection();
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            XYSeries drawn = new XYSeries(new Key(k, s.name), false, true);
            for (int i = 0; i < s.x.length; i++) {
                if (categories != null && (s.x[i] < 1 || s.x[i] > categories.size() || s.x[i] != Math.rint(s.x[i])))
                    throw new IllegalArgumentException("series '" + s.name + "' has x = " + s.x[i] + ", not a position 1.." + categories.size() + " of the categorical axis");
                double v = shown(s.y[i]);
                if (!Double.isFinite(s.x[i]) || Double.isNaN(v)) {
                    drawn.add(Double.NaN, Double.NaN); // a gap
                    continue;
                }
                // a symbol axis numbers its categories from 0
                drawn.add(categories != null ? s.x[i] - 1 : s.x[i], v);
                clamped |= log && v == floor;
                xMin = Math.min(xMin, s.x[i]);
                xMax = Math.max(xMax, s.x[i]);
                yMin = Math.min(yMin, v);
                yMax = Math.max(yMax, v);
            }
            data.addSeries(drawn);
        }
        ValueAxis x;
        if (categories != null) {
            SymbolAxis symbols = new SymbolAxis(xLabel.isEmpty() ? null : xLabel, categories.toArray(String[]::new));
            symbols.setGridBandsVisible(false);
            symbols.setRange(-0.5, categories.size() - 0.5);
            x = symbols;
        } else x = Charts.linear(xLabel, Charts.linearRange(xMin, xMax, 0.02));
        ValueAxis y = log ? Charts.log(yLabel, Charts.logRange(yMin, yMax, 0.05)) : Charts.linear(yLabel, Charts.linearRange(yMin, yMax, 0.05));

        XYPlot plot = new XYPlot(data, x, y, renderer());
        plot.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD); // later series on top, as listed
        plot.setRangeMinorGridlinesVisible(log && Charts.fewDecades(y.getRange()));
        if (clamped) {
            ValueMarker at = new ValueMarker(floor, Charts.FRAME, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {3, 3}, 0));
            at.setLabel("≤ floor");
            at.setLabelFont(Charts.TICK);
            at.setLabelPaint(Charts.FRAME);
            at.setLabelBackgroundColor(new Color(255, 255, 255, 0));
            at.setLabelOffset(new RectangleInsets(2, 4, 2, 4));
            at.setLabelAnchor(RectangleAnchor.TOP_LEFT);
            at.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
            plot.addRangeMarker(0, at, Layer.BACKGROUND);
        }
        JFreeChart chart = Charts.chart(title, plot, true);
        chart.getLegend().setPosition(RectangleEdge.RIGHT);
        chart.getLegend().setVerticalAlignment(VerticalAlignment.TOP);
        if (categories != null) verticalWhenCrowded((SymbolAxis) x);
        return chart;
    }

    /** Layer names turned upright when side by side, 12 px apart, they would take more than the plot's share of the width. */
    private void verticalWhenCrowded(SymbolAxis x) {
        FontRenderContext frc = new FontRenderContext(null, true, true);
        double widest = categories.stream().mapToDouble(s -> Charts.TICK.getStringBounds(s, frc).getWidth()).max().orElse(0);
        x.setVerticalTickLabels(categories.size() * (widest + 12) > width * 0.7);
    }

    /**
     * Lines in palette order (dashed after the first ten), a 7 px dot at every point of short or
     * categorical series and at points that stand alone between gaps, which a line cannot show.
     */
    private XYLineAndShapeRenderer renderer() {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true) {
            @Override
            public boolean getItemShapeVisible(int s, int i) {
                return markers(series.get(s)) || alone(series.get(s), i);
            }
        };
        r.setDrawSeriesLineAsPath(true);
        r.setDrawOutlines(false);
        r.setLegendLine(new Line2D.Double(-12, 0, 12, 0));
        for (int k = 0; k < series.size(); k++) {
            r.setSeriesPaint(k, Charts.color(k));
            r.setSeriesStroke(k, stroke(k));
            r.setSeriesShape(k, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
        }
        return r;
    }

    private boolean markers(Series s) {
        return categories != null || s.x.length <= MARKER_LIMIT;
    }

    private boolean alone(Series s, int i) {
        return drawable(s, i) && !drawable(s, i - 1) && !drawable(s, i + 1);
    }

    private boolean drawable(Series s, int i) {
        return i >= 0 && i < s.x.length && Double.isFinite(s.x[i]) && !Double.isNaN(shown(s.y[i]));
    }

    /** The y value as drawn: the floor for values <= floor on a log axis, NaN (a gap) for non-finite ones. */
    private double shown(double v) {
        if (!Double.isNaN(floor) && !Double.isNaN(v) && v <= floor) return floor;
        return Double.isFinite(v) ? v : Double.NaN;
    }

    /** Solid lines for the first ten series, then the palette again with dashes. */
    private static BasicStroke stroke(int k) {
        float[] dash = DASHES[k / Charts.PALETTE.length % DASHES.length];
        return new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, dash, 0);
    }
}
