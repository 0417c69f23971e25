package io.wasserflow.pipeline.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
        Canvas.write(png(), file);
    }

    public byte[] png() {
        if (series.isEmpty()) throw new IllegalArgumentException("line plot '" + title + "' has no series");
        boolean log = !Double.isNaN(floor);
        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY, yMin = xMin, yMax = xMax;
        boolean clamped = false;
        for (Series s : series)
            for (int i = 0; i < s.x.length; i++) {
                if (categories != null && (s.x[i] < 1 || s.x[i] > categories.size() || s.x[i] != Math.rint(s.x[i])))
                    throw new IllegalArgumentException("series '" + s.name + "' has x = " + s.x[i] + ", not a position 1.." + categories.size() + " of the categorical axis");
                double v = shown(s.y[i]);
                if (!Double.isFinite(s.x[i]) || Double.isNaN(v)) continue;
                clamped |= log && v == floor;
                xMin = Math.min(xMin, s.x[i]);
                xMax = Math.max(xMax, s.x[i]);
                yMin = Math.min(yMin, v);
                yMax = Math.max(yMax, v);
            }
        Axis x = categories != null ? Axis.categories(categories) : Axis.linear(xMin, xMax, 0.02);
        Axis y = log ? Axis.log(yMin, yMax, 0.05) : Axis.linear(yMin, yMax, 0.05);

        double legendWidth = 48 + series.stream().mapToDouble(s -> Canvas.width(Canvas.LEGEND, s.name)).max().orElse(0);
        Canvas c = new Canvas(width, height);
        Frame frame = Frame.layout(new Rectangle2D.Double(0, 0, width - legendWidth, height), title, xLabel, yLabel, x, y);
        frame.draw(c);
        Rectangle2D area = frame.area;
        frame.clip(c);
        if (clamped) {
            double p = Math.round(y.px(floor)) + 0.5;
            c.g.setColor(Canvas.FRAME);
            c.g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {3, 3}, 0));
            c.g.draw(new Line2D.Double(area.getX(), p, area.getMaxX(), p));
            c.text(Canvas.TICK, Canvas.FRAME, "≤ floor", area.getX() + 4, p - 2, 0, 1);
        }
        for (int k = 0; k < series.size(); k++) draw(c, series.get(k), k, x, y);
        c.g.setClip(null);
        legend(c, area.getMaxX() + 14, area.getY() + 4);
        return c.png();
    }

    /** The y value as drawn: the floor for values <= floor on a log axis, NaN (a gap) for non-finite ones. */
    private double shown(double v) {
        if (!Double.isNaN(floor) && !Double.isNaN(v) && v <= floor) return floor;
        return Double.isFinite(v) ? v : Double.NaN;
    }

    private void draw(Canvas c, Series s, int k, Axis x, Axis y) {
        Path2D.Double path = new Path2D.Double();
        boolean down = false, markers = categories != null || s.x.length <= MARKER_LIMIT;
        for (int i = 0; i < s.x.length; i++) {
            double v = shown(s.y[i]);
            if (Double.isNaN(v) || !Double.isFinite(s.x[i])) {
                down = false;
                continue;
            }
            double px = x.px(s.x[i]), py = y.px(v);
            if (down) path.lineTo(px, py);
            else path.moveTo(px, py);
            boolean alone = !down && (i + 1 == s.x.length || Double.isNaN(shown(s.y[i + 1])));
            if (markers || alone) dot(c, Canvas.color(k), px, py);
            down = true;
        }
        c.g.setColor(Canvas.color(k));
        c.g.setStroke(stroke(k));
        c.g.draw(path);
    }

    private static void dot(Canvas c, Color color, double x, double y) {
        c.g.setColor(color);
        c.g.fill(new Ellipse2D.Double(x - 3.5, y - 3.5, 7, 7));
    }

    /** Solid lines for the first ten series, then the palette again with dashes. */
    private static BasicStroke stroke(int k) {
        float[] dash = DASHES[k / Canvas.PALETTE.length % DASHES.length];
        return new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, dash, 0);
    }

    private void legend(Canvas c, double left, double top) {
        double row = Canvas.height(Canvas.LEGEND) + 6;
        for (int k = 0; k < series.size(); k++) {
            double y = top + k * row + row / 2;
            c.g.setColor(Canvas.color(k));
            c.g.setStroke(stroke(k));
            c.g.draw(new Line2D.Double(left, y, left + 24, y));
            if (categories != null || series.get(k).x.length <= MARKER_LIMIT) dot(c, Canvas.color(k), left + 12, y);
            c.text(Canvas.LEGEND, Canvas.TEXT, series.get(k).name, left + 30, y, 0, 0.5);
        }
    }
}
