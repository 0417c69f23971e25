package io.wasserflow.pipeline.render;

import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.Composite;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;

/**
 * Generated 2-D points over the true distribution, for the toy sets (8 and 25 Gaussians, Swiss
 * roll): the real points as a light grey cloud whose translucent dots add up to the density,
 * the samples as coloured dots on top, on equal axis scales so circles stay circles.
 */
public final class Scatter {
    static final Color REAL = new Color(0x9a9a9a), SAMPLE = Canvas.PALETTE[0];
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
        Axis x = Axis.linear(cx - half, cx + half, 0.05), y = Axis.linear(cy - half, cy + half, 0.05);

        // the y axis' labels fix the left margin; the width then makes the plot area square
        double headroom = Canvas.height(Canvas.LEGEND) + 8;
        Rectangle2D trial = Frame.layout(new Rectangle2D.Double(0, 0, 10 * SIDE, SIDE + 100), title, "", "", x, y, headroom, true).area;
        int width = (int) Math.round(trial.getX() + trial.getHeight() + 16), height = SIDE + 100;
        Canvas c = new Canvas(width, height);
        Frame frame = Frame.layout(new Rectangle2D.Double(0, 0, width, height), title, "", "", x, y, headroom, true);
        frame.draw(c);
        frame.clip(c);
        Composite opaque = c.g.getComposite();
        // translucent enough that overlapping dots build up a density, opaque enough to see a few hundred points
        c.g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, (float) Math.max(0.05, Math.min(0.5, 1000.0 / Math.max(1, realPoints.length)))));
        c.g.setColor(REAL);
        for (double[] p : realPoints) if (finite(p)) c.g.fill(new Ellipse2D.Double(x.px(p[0]) - 2, y.px(p[1]) - 2, 4, 4));
        c.g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.8f));
        c.g.setColor(SAMPLE);
        int nonFinite = 0, outside = 0;
        for (double[] p : samples) {
            if (!finite(p)) nonFinite++;
            else if (!frame.area.contains(x.px(p[0]), y.px(p[1]))) outside++;
            else c.g.fill(new Ellipse2D.Double(x.px(p[0]) - 3, y.px(p[1]) - 3, 6, 6));
        }
        c.g.setComposite(opaque);
        c.g.setClip(null);
        String note = (outside > 0 ? ", " + outside + " outside the view" : "") + (nonFinite > 0 ? ", " + nonFinite + " non-finite" : "");
        String generated = "generated (" + samples.length + note + ")";
        if (realPoints.length == 0) legend(c, frame.area, new String[] {generated}, new Color[] {SAMPLE});
        else legend(c, frame.area, new String[] {"real (" + realPoints.length + ")", generated}, new Color[] {REAL, SAMPLE});
        return c.png();
    }

    /** The entries in one line under the title. */
    private static void legend(Canvas c, Rectangle2D area, String[] labels, Color[] colours) {
        double total = 0;
        for (String s : labels) total += 14 + Canvas.width(Canvas.LEGEND, s) + 18;
        double x = area.getCenterX() - (total - 18) / 2, y = area.getY() - 8 - Canvas.height(Canvas.LEGEND) / 2;
        for (int i = 0; i < labels.length; i++) {
            c.g.setColor(colours[i]);
            c.g.fill(new Ellipse2D.Double(x, y - 4, 8, 8));
            c.text(Canvas.LEGEND, Canvas.TEXT, labels[i], x + 14, y, 0, 0.5);
            x += 14 + Canvas.width(Canvas.LEGEND, labels[i]) + 18;
        }
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
