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

/**
 * Histograms as bars, one small multiple per experiment or layer under a shared title: the
 * picture of weight clipping's weights crowding at +-c. Buckets follow Prometheus's "le"
 * convention, as {@code WeightHistogram} and the {@code wasserflow_weight} metric do: counts[i]
 * holds values in (upperBounds[i-1], upperBounds[i]], and a final +Inf bucket those above every
 * bound. The two open-ended buckets are drawn hatched, as wide as their neighbours.
 */
public final class HistogramPlot {
    private static final int PANEL_WIDTH = 340, PANEL_HEIGHT = 250;

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
        Canvas.write(png(), file);
    }

    public byte[] png() {
        if (panels.isEmpty()) throw new IllegalArgumentException("histogram plot '" + title + "' has no panels");
        int cols = Math.min(columns, panels.size()), rows = (panels.size() + cols - 1) / cols;
        int top = title.isEmpty() ? 4 : (int) Math.round(Canvas.height(Canvas.TITLE) + 16);
        Canvas c = new Canvas(cols * PANEL_WIDTH + 8, top + rows * PANEL_HEIGHT + 4);
        c.text(Canvas.TITLE, Canvas.TEXT, title, c.image.getWidth() / 2.0, 12, 0.5, 0);
        for (int i = 0; i < panels.size(); i++)
            draw(c, panels.get(i), new Rectangle2D.Double(4 + (i % cols) * PANEL_WIDTH, top + (i / cols) * PANEL_HEIGHT, PANEL_WIDTH, PANEL_HEIGHT));
        return c.png();
    }

    private void draw(Canvas c, Panel p, Rectangle2D box) {
        double[] b = p.bounds;
        int n = b.length;
        // the open-ended buckets get the width of their neighbours (of 1 when there is a single bound)
        double first = n > 1 ? b[1] - b[0] : 1, last = n > 1 ? b[n - 1] - b[n - 2] : 1;
        long max = Arrays.stream(p.counts).max().orElse(0);
        Axis x = Axis.linear(b[0] - first, b[n - 1] + last, 0), y = Axis.linear(0, Math.max(1, max) * 1.06, 0);
        double nameHeight = Canvas.height(Canvas.LABEL) + 4;
        Frame frame = Frame.layout(box, "", xLabel, "", x, y, nameHeight, false);
        frame.draw(c);
        c.text(Canvas.LABEL, Canvas.TEXT, p.name, frame.area.getCenterX(), frame.area.getY() - 6, 0.5, 1);
        Color colour = Canvas.PALETTE[0];
        TexturePaint hatch = hatch(colour);
        frame.clip(c);
        for (int i = 0; i <= n; i++) {
            if (p.counts[i] == 0) continue;
            double lo = i == 0 ? b[0] - first : b[i - 1], hi = i == n ? b[n - 1] + last : b[i];
            double left = x.px(lo), right = x.px(hi), height = y.px(0) - y.px(p.counts[i]);
            // a hairline of white between neighbouring bars, unless the bars are too thin to spare it
            double gap = right - left > 4 ? 0.5 : 0;
            Rectangle2D bar = new Rectangle2D.Double(left + gap, y.px(p.counts[i]), right - left - 2 * gap, height);
            c.g.setPaint(i == 0 || i == n ? hatch : colour);
            c.g.fill(bar);
        }
        c.g.setClip(null);
    }

    /** Diagonal stripes of colour on its light tint: the open-ended buckets. */
    private static TexturePaint hatch(Color colour) {
        BufferedImage tile = new BufferedImage(6, 6, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = tile.createGraphics();
        g.setColor(Frame.lighter(colour, 0.6));
        g.fillRect(0, 0, 6, 6);
        for (int i = 0; i < 6; i++) {
            tile.setRGB(i, 5 - i, colour.getRGB());
            tile.setRGB((i + 1) % 6, 5 - i, colour.getRGB());
        }
        g.dispose();
        return new TexturePaint(tile, new Rectangle(0, 0, 6, 6));
    }
}
