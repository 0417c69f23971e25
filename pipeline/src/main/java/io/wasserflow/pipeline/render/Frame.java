package io.wasserflow.pipeline.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.util.List;

/**
 * The furniture of one chart in a given box: title, plot area, grid, ticks, tick labels and axis
 * labels. {@link #layout} fits the plot area to the labels and places both axes on it; data is
 * then drawn inside {@link #area}, clipped to it.
 */
final class Frame {
    private static final double TICK_LENGTH = 5, MINOR_TICK_LENGTH = 3;
    /** Pixels per labelled tick we aim for: about 45 px apart vertically, 80 px horizontally. */
    private static final double Y_TICK_SPACING = 45, X_TICK_SPACING = 80;

    final Rectangle2D area;
    private final String title, xLabel, yLabel;
    private final double headroom;
    private final Axis x, y;
    private final List<Axis.Tick> xTicks, yTicks;

    private Frame(Rectangle2D area, String title, double headroom, String xLabel, String yLabel, Axis x, Axis y, List<Axis.Tick> xTicks, List<Axis.Tick> yTicks) {
        this.area = area;
        this.title = title;
        this.headroom = headroom;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.x = x;
        this.y = y;
        this.xTicks = xTicks;
        this.yTicks = yTicks;
    }

    /** Lays out a chart in outer (labels may be null or empty); the plot area has whole-pixel edges. */
    static Frame layout(Rectangle2D outer, String title, String xLabel, String yLabel, Axis x, Axis y) {
        return layout(outer, title, xLabel, yLabel, x, y, 0, false);
    }

    /**
     * As above, leaving headroom px free between the title and the plot area (for a legend line);
     * with sameStep both axes aim for the same tick spacing, so equal scales get equal steps.
     */
    static Frame layout(Rectangle2D outer, String title, String xLabel, String yLabel, Axis x, Axis y, double headroom, boolean sameStep) {
        double tickHeight = Canvas.height(Canvas.TICK) + 3, labelHeight = Canvas.height(Canvas.LABEL);
        double top = Math.round(outer.getY() + headroom + (empty(title) ? 14 : 24 + Canvas.height(Canvas.TITLE)));
        double bottom = Math.round(outer.getMaxY() - TICK_LENGTH - 4 - tickHeight - (empty(xLabel) ? 8 : 14 + labelHeight));
        y.place(bottom, top);
        int yTarget = (int) ((bottom - top) / (sameStep ? X_TICK_SPACING : Y_TICK_SPACING));
        List<Axis.Tick> yTicks = y.ticks(yTarget);
        double yTickWidth = yTicks.stream().filter(Axis.Tick::labelled).mapToDouble(Canvas::width).max().orElse(0);
        double left = Math.round(outer.getX() + 10 + (empty(yLabel) ? 0 : labelHeight + 10) + yTickWidth + 4 + TICK_LENGTH);
        double right = Math.round(outer.getMaxX() - 16);
        x.place(left, right);
        List<Axis.Tick> xTicks = null;
        // categories (short layer names) may sit closer than numbers: start from all of them
        int xTarget = x.categorical() ? x.ticks(2).size() : sameStep ? yTarget : (int) ((right - left) / X_TICK_SPACING);
        for (int target = xTarget; target >= 2; target--)
            if (fits(xTicks = x.ticks(target), x)) break;
        return new Frame(new Rectangle2D.Double(left, top, right - left, bottom - top), title, headroom, xLabel, yLabel, x, y, xTicks, yTicks);
    }

    /** Whether neighbouring labelled ticks leave at least 12 px between their labels. */
    private static boolean fits(List<Axis.Tick> ticks, Axis axis) {
        Axis.Tick previous = null;
        for (Axis.Tick t : ticks) {
            if (!t.labelled()) continue;
            if (previous != null && axis.px(t.value()) - axis.px(previous.value()) < (Canvas.width(t) + Canvas.width(previous)) / 2 + 12) return false;
            previous = t;
        }
        return true;
    }

    /** Draws grid, frame, ticks and labels; call before the data so the grid stays behind it. */
    void draw(Canvas c) {
        double l = area.getX(), t = area.getY(), r = area.getMaxX(), b = area.getMaxY();
        c.g.setStroke(new BasicStroke(1f));
        for (Axis.Tick tick : yTicks) {
            double p = Math.round(y.px(tick.value())) + 0.5;
            c.g.setColor(tick.labelled() ? Canvas.GRID : Canvas.MINOR_GRID);
            if (tick.labelled() || y.log) c.g.draw(new Line2D.Double(l, p, r, p));
            c.g.setColor(Canvas.FRAME);
            c.g.draw(new Line2D.Double(l - (tick.labelled() ? TICK_LENGTH : MINOR_TICK_LENGTH), p, l, p));
            if (tick.labelled()) c.tick(tick, l - TICK_LENGTH - 4, p, 1, 0.5);
        }
        for (Axis.Tick tick : xTicks) {
            double p = Math.round(x.px(tick.value())) + 0.5;
            c.g.setColor(tick.labelled() ? Canvas.GRID : Canvas.MINOR_GRID);
            if (tick.labelled() || x.log) c.g.draw(new Line2D.Double(p, t, p, b));
            c.g.setColor(Canvas.FRAME);
            c.g.draw(new Line2D.Double(p, b, p, b + (tick.labelled() ? TICK_LENGTH : MINOR_TICK_LENGTH)));
            if (tick.labelled()) c.tick(tick, p, b + TICK_LENGTH + 3, 0.5, 0);
        }
        c.g.setColor(Canvas.FRAME);
        c.g.draw(new Rectangle2D.Double(l - 0.5, t - 0.5, r - l + 1, b - t + 1));
        c.text(Canvas.TITLE, Canvas.TEXT, title, (l + r) / 2, t - 12 - headroom, 0.5, 1);
        c.text(Canvas.LABEL, Canvas.TEXT, xLabel, (l + r) / 2, b + TICK_LENGTH + Canvas.height(Canvas.TICK) + 12, 0.5, 0);
        double yTickWidth = yTicks.stream().filter(Axis.Tick::labelled).mapToDouble(Canvas::width).max().orElse(0);
        c.verticalText(Canvas.LABEL, Canvas.TEXT, yLabel, l - TICK_LENGTH - 4 - yTickWidth - 8 - Canvas.height(Canvas.LABEL) / 2, (t + b) / 2);
    }

    /** Restricts drawing to the plot area (undo with {@code c.g.setClip(null)}). */
    void clip(Canvas c) {
        c.g.setClip(area);
    }

    static Color lighter(Color c, double towardsWhite) {
        return new Color((int) Math.round(c.getRed() + (255 - c.getRed()) * towardsWhite),
                (int) Math.round(c.getGreen() + (255 - c.getGreen()) * towardsWhite), (int) Math.round(c.getBlue() + (255 - c.getBlue()) * towardsWhite));
    }

    private static boolean empty(String s) {
        return s == null || s.isEmpty();
    }
}
