package io.wasserflow.pipeline.render;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.TexturePaint;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.Range;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;

/**
 * Histograms as bars, one small multiple per experiment or layer under a shared title: the
 * picture of weight clipping's weights crowding at +-c. Buckets follow Prometheus's "le"
 * convention, as {@code WeightHistogram} and the {@code wasserflow_weight} metric do: counts[i]
 * holds values in (upperBounds[i-1], upperBounds[i]], and a final +Inf bucket those above every
 * bound. The two open-ended buckets are drawn hatched, as wide as their neighbours. Each panel is
 * a chart of its own; they are tiled by hand, as JFreeChart's combined plots share an axis and
 * these panels must not (each has its own edges and counts).
 */
public final class HistogramPlot {
    private static final int PANEL_WIDTH = 340, PANEL_HEIGHT = 250;
    /** Under the title: what the hatching marks. */
    static final String NOTE = "hatched: the open-ended buckets beyond the outer edges";

    private record Panel(String name, double[] bounds, long[] counts) {}

    private final String title;
    private String xLabel = "";
    private int columns = 4;
    private final List<Panel> panels = new ArrayList<>();

    private HistogramPlot(String title) {
        this.title = title == null ? "" : title;
    }

    public static HistogramPlot titled(String title) {
        return new HistogramPlot(title);
    }

    /** The label under every panel's x axis, e.g. "weight". */
    public HistogramPlot xLabel(String label) {
        xLabel = label == null ? "" : label;
        return this;
    }

    /** Panels a row (default 4). */
    public HistogramPlot columns(int columns) {
        if (columns < 1) throw new IllegalArgumentException("histogram plot needs columns >= 1, got " + columns);
        this.columns = columns;
        return this;
    }

    /**
     * A panel: finite increasing upperBounds (a trailing +Inf may be given or left implicit) and
     * one count per bucket, not cumulative, the +Inf bucket last.
     */
    public HistogramPlot panel(String name, double[] upperBounds, long[] counts) {
        if (name == null || upperBounds == null || counts == null) throw new IllegalArgumentException("histogram panel needs a name, upper bounds and counts");
        double[] bounds = upperBounds.length > 0 && upperBounds[upperBounds.length - 1] == Double.POSITIVE_INFINITY
                ? Arrays.copyOf(upperBounds, upperBounds.length - 1) : upperBounds.clone();
        if (bounds.length == 0) throw new IllegalArgumentException("histogram '" + name + "' has no finite bucket bound");
        for (int i = 0; i < bounds.length; i++)
            if (!Double.isFinite(bounds[i]) || i > 0 && bounds[i] <= bounds[i - 1])
                throw new IllegalArgumentException("histogram '" + name + "' bucket bounds must be finite and increasing, got " + bounds[i] + " at index " + i);
        if (counts.length != bounds.length + 1)
            throw new IllegalArgumentException("histogram '" + name + "' has " + counts.length + " counts for " + bounds.length + " finite bounds, expected " + (bounds.length + 1) + " (the last for +Inf)");
        for (long n : counts) if (n < 0) throw new IllegalArgumentException("histogram '" + name + "' has a negative count " + n);
        panels.add(new Panel(name, bounds, counts.clone()));
        return this;
    }

    public void write(Path file) throws IOException {
        Charts.write(png(), file);
    }

    public byte[] png() {
        if (panels.isEmpty()) throw new IllegalArgumentException("histogram plot '" + title + "' has no panels");
        int cols = Math.min(columns, panels.size()), rows = (panels.size() + cols - 1) / cols;
        TextTitle heading = Charts.title(new TextTitle(title, Charts.TITLE)), note = Charts.title(new TextTitle(NOTE, Charts.TICK));
        BufferedImage image = new BufferedImage(cols * PANEL_WIDTH + 8, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D measure = image.createGraphics();
        double top = 6 + (title.isEmpty() ? 0 : heading.arrange(measure).getHeight()) + note.arrange(measure).getHeight();
        measure.dispose();
        image = new BufferedImage(cols * PANEL_WIDTH + 8, (int) Math.ceil(top) + rows * PANEL_HEIGHT + 4, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Charts.canvas(image);
        double y = 6;
        if (!title.isEmpty()) {
            heading.draw(g, new Rectangle2D.Double(0, y, image.getWidth(), heading.arrange(g).getHeight()));
            y += heading.arrange(g).getHeight();
        }
        note.draw(g, new Rectangle2D.Double(0, y, image.getWidth(), note.arrange(g).getHeight()));
        for (int i = 0; i < panels.size(); i++)
            chart(panels.get(i)).draw(g, new Rectangle2D.Double(4 + (i % cols) * PANEL_WIDTH, Math.ceil(top) + (i / cols) * PANEL_HEIGHT, PANEL_WIDTH, PANEL_HEIGHT));
        g.dispose();
        return Charts.png(image);
    }

    /** One panel: its buckets as bars on their edges, the open-ended two (series 1) hatched. */
    private JFreeChart chart(Panel p) {
        double[] b = p.bounds;
        int n = b.length;
        // the open-ended buckets get the width of their neighbours (of 1 when there is a single bound)
        double first = n > 1 ? b[1] - b[0] : 1, last = n > 1 ? b[n - 1] - b[n - 2] : 1;
        XYIntervalSeries inRange = new XYIntervalSeries("in range"), beyond = new XYIntervalSeries("open-ended");
        for (int i = 0; i <= n; i++) {
            if (p.counts[i] == 0) continue;
            double lo = i == 0 ? b[0] - first : b[i - 1], hi = i == n ? b[n - 1] + last : b[i];
            (i == 0 || i == n ? beyond : inRange).add((lo + hi) / 2, lo, hi, p.counts[i], 0, p.counts[i]);
        }
        XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
        data.addSeries(inRange);
        data.addSeries(beyond);
        long max = Arrays.stream(p.counts).max().orElse(0);
        NumberAxis x = Charts.linear(xLabel, new Range(b[0] - first, b[n - 1] + last)), y = Charts.linear(null, new Range(0, Math.max(1, max) * 1.06));
        y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        Color colour = Charts.PALETTE[0];
        XYBarRenderer bars = new XYBarRenderer();
        bars.setBarPainter(new StandardXYBarPainter());
        bars.setShadowVisible(false);
        bars.setSeriesPaint(0, colour);
        bars.setSeriesPaint(1, hatch(colour));
        // about a pixel of white between neighbouring bars (the plot area is some 80 px narrower than the panel), unless they are too thin to spare it
        double barWidth = (PANEL_WIDTH - 80.0) / (n + 1);
        bars.setMargin(barWidth > 4 ? 1 / barWidth : 0);
        JFreeChart chart = Charts.chart(p.name, new XYPlot(data, x, y, bars), false);
        chart.getTitle().setFont(Charts.LABEL);
        return chart;
    }

    /** Diagonal stripes of colour on its light tint: the open-ended buckets. */
    private static TexturePaint hatch(Color colour) {
        BufferedImage tile = new BufferedImage(6, 6, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = tile.createGraphics();
        g.setColor(Charts.lighter(colour, 0.6));
        g.fillRect(0, 0, 6, 6);
        for (int i = 0; i < 6; i++) {
            tile.setRGB(i, 5 - i, colour.getRGB());
            tile.setRGB((i + 1) % 6, 5 - i, colour.getRGB());
        }
        g.dispose();
        return new TexturePaint(tile, new Rectangle(0, 0, 6, 6));
    }
}
