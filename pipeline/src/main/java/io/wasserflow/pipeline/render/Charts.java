package io.wasserflow.pipeline.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.TickUnits;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.Range;

/**
 * The house style of every figure, applied to JFreeChart's charts: white, antialiased, SansSerif,
 * the Tableau 10 palette, a framed plot area with light grid lines, and the ranges and tick labels
 * the figures share. Off-screen only: figures are rendered on TaskManagers and in the CLI, where
 * there is no display.
 */
final class Charts {
    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    /** Tableau 10, the default colour cycle of matplotlib: familiar to readers of ML papers. */
    static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};
    static final Color TEXT = new Color(0x222222), FRAME = new Color(0x444444), GRID = new Color(0xe3e3e3), MINOR_GRID = new Color(0xf3f3f3);
    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16), LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13),
            TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 11), LEGEND = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    /**
     * Space around a tick label, which JFreeChart counts when it thins the ticks: labelled ticks
     * end up about 45 px apart up the y axis and 80 px along the x axis, as in matplotlib.
     */
    private static final RectangleInsets VERTICAL_SPACING = new RectangleInsets(16, 4, 16, 4), HORIZONTAL_SPACING = new RectangleInsets(3, 24, 3, 24);
    /** The typographic minus sign, as in printed figures. */
    static final char MINUS = '\u2212';

    private Charts() {}

    static Color color(int i) {
        return PALETTE[i % PALETTE.length];
    }

    static Color lighter(Color c, double towardsWhite) {
        return new Color((int) Math.round(c.getRed() + (255 - c.getRed()) * towardsWhite),
                (int) Math.round(c.getGreen() + (255 - c.getGreen()) * towardsWhite), (int) Math.round(c.getBlue() + (255 - c.getBlue()) * towardsWhite));
    }

    /** A chart of plot under title (none when empty), styled; its legend, if any, is left to the caller. */
    static JFreeChart chart(String title, XYPlot plot, boolean legend) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlinePaint(FRAME);
        plot.setOutlineStroke(new BasicStroke(1f));
        plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        plot.setDomainGridlineStroke(new BasicStroke(1f));
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        plot.setDomainMinorGridlinePaint(MINOR_GRID);
        plot.setRangeMinorGridlinePaint(MINOR_GRID);
        plot.setDomainMinorGridlineStroke(new BasicStroke(1f));
        plot.setRangeMinorGridlineStroke(new BasicStroke(1f));
        for (int i = 0; i < plot.getDomainAxisCount(); i++) axis(plot.getDomainAxis(i), HORIZONTAL_SPACING);
        for (int i = 0; i < plot.getRangeAxisCount(); i++) axis(plot.getRangeAxis(i), VERTICAL_SPACING);
        JFreeChart chart = new JFreeChart(title == null || title.isEmpty() ? null : title, TITLE, plot, legend);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setPadding(new RectangleInsets(8, 10, 8, 16));
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        chart.getRenderingHints().put(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        chart.getRenderingHints().put(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        if (chart.getTitle() != null) title(chart.getTitle());
        LegendTitle l = chart.getLegend();
        if (l != null) {
            l.setItemFont(LEGEND);
            l.setItemPaint(TEXT);
            l.setFrame(BlockBorder.NONE);
            l.setBackgroundPaint(Color.WHITE);
        }
        return chart;
    }

    static TextTitle title(TextTitle t) {
        t.setPaint(TEXT);
        t.setPadding(new RectangleInsets(4, 0, 8, 0));
        return t;
    }

    private static void axis(ValueAxis a, RectangleInsets spacing) {
        if (a == null) return;
        a.setTickLabelInsets(spacing);
        a.setLabelFont(LABEL);
        a.setLabelPaint(TEXT);
        a.setTickLabelFont(TICK);
        a.setTickLabelPaint(TEXT);
        a.setAxisLineVisible(false); // the plot's outline is the frame
        a.setTickMarkPaint(FRAME);
        a.setTickMarkOutsideLength(5);
        a.setTickMarkInsideLength(0);
        a.setMinorTickMarkOutsideLength(3);
    }

    /** A linear axis over range, its ticks at 1, 2 or 5 x 10^k labelled to the step's precision. */
    static NumberAxis linear(String label, Range range) {
        NumberAxis a = new NumberAxis(label == null || label.isEmpty() ? null : label);
        a.setNumberFormatOverride(new StepFormat(a));
        a.setAutoRangeIncludesZero(false);
        a.setRange(range);
        return a;
    }

    /** A log10 axis over range: labels 10 with a superscript exponent at whole decades, minor ticks at 2..9 within them on short axes. */
    static LogAxis log(String label, Range range) {
        LogAxis a = new LogAxis(label == null || label.isEmpty() ? null : label);
        DecimalFormat exponent = new DecimalFormat("0", DecimalFormatSymbols.getInstance(Locale.ROOT));
        exponent.setNegativePrefix(String.valueOf(MINUS));
        TickUnits decades = new TickUnits();
        for (int stride : new int[] {1, 2, 3, 4, 5, 10, 20, 50, 100}) decades.add(new NumberTickUnit(stride, exponent, stride == 1 ? 9 : 1));
        a.setStandardTickUnits(decades);
        a.setSmallestValue(Double.MIN_NORMAL);
        a.setMinorTickMarksVisible(fewDecades(range));
        a.setRange(range);
        return a;
    }

    /** Whether a log axis over range is short enough (6 decades at most) for minor ticks at 2..9 x 10^k to stay legible. */
    static boolean fewDecades(Range range) {
        return Math.log10(range.getUpperBound() / range.getLowerBound()) <= 6 + 1e-6;
    }

    /** [min, max] widened by pad (a share of the span) on each side; a single value gets a range around it, no value [0, 1]. */
    static Range linearRange(double min, double max, double pad) {
        if (!(min <= max)) return new Range(0, 1);
        if (min == max) {
            double h = min == 0 ? 1 : Math.abs(min) * 0.1;
            min -= h;
            max += h;
        }
        double p = (max - min) * pad;
        return new Range(min - p, max + p);
    }

    /**
     * [min, max] (both positive) widened by pad of the span in decades, and further to whole decades
     * when fewer than two powers of ten would be in view, so that every log axis has two labels.
     */
    static Range logRange(double min, double max, double pad) {
        if (!(min <= max)) return new Range(1, 10);
        double a = Math.log10(min), b = Math.log10(max);
        if (a == b) {
            a -= 0.5;
            b += 0.5;
        }
        double p = (b - a) * pad;
        a -= p;
        b += p;
        if (Math.floor(b + 1e-9) - Math.ceil(a - 1e-9) < 1) {
            a = Math.floor(a);
            b = Math.ceil(b);
        }
        // a hair beyond, so that a bound on a whole decade keeps its tick despite rounding in log10
        return new Range(Math.pow(10, a - 1e-9), Math.pow(10, b + 1e-9));
    }

    static byte[] png(JFreeChart chart, int width, int height) {
        return png(chart.createBufferedImage(width, height, BufferedImage.TYPE_INT_RGB, null));
    }

    static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("PNG encoding failed", e); // in-memory stream: does not happen
        }
        return out.toByteArray();
    }

    /** A white RGB image with the charts' rendering hints, for figures made of several charts. */
    static Graphics2D canvas(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        return g;
    }

    /** Writes png to file, creating its folder. */
    static void write(byte[] png, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.write(file, png);
    }

    /**
     * Tick labels written to the precision of the axis' current step: fixed-point for ordinary
     * magnitudes, m×10ⁿ otherwise, with a typographic minus and no "−0". JFreeChart's own labels
     * follow the JVM's locale, print a hyphen, and fall back to 1E-6 for small steps.
     */
    static final class StepFormat extends NumberFormat {
        private static final String SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹";
        private final NumberAxis axis;

        StepFormat(NumberAxis axis) {
            this.axis = axis;
        }

        @Override
        public StringBuffer format(double v, StringBuffer to, FieldPosition pos) {
            // one notation per axis: an axis reaching a million writes all its labels as m×10ⁿ
            double reach = Math.max(Math.abs(axis.getLowerBound()), Math.abs(axis.getUpperBound()));
            return to.append(label(v, axis.getTickUnit().getSize(), reach >= 1e6));
        }

        @Override
        public StringBuffer format(long v, StringBuffer to, FieldPosition pos) {
            return format((double) v, to, pos);
        }

        @Override
        public Number parse(String source, ParsePosition pos) {
            throw new UnsupportedOperationException("tick labels are only written");
        }

        /** v written to the precision of step, as m×10ⁿ when scientific or the magnitudes call for it. */
        static String label(double v, double step, boolean scientific) {
            if (Math.abs(v) < step * 1e-6) v = 0;
            double a = Math.abs(v);
            int stepExp = (int) Math.floor(Math.log10(step) + 1e-9);
            scientific |= step < 1e-4 || step >= 1e6;
            if (v == 0 && scientific) return "0";
            if (v == 0 || !scientific && a >= 1e-4 && a < 1e6)
                return minus(new BigDecimal(v).setScale(Math.max(0, -stepExp), java.math.RoundingMode.HALF_EVEN).toPlainString());
            int e = (int) Math.floor(Math.log10(a) + 1e-9);
            String mantissa = new BigDecimal(v / Math.pow(10, e)).setScale(Math.max(0, e - stepExp), java.math.RoundingMode.HALF_EVEN).toPlainString();
            String base = mantissa.equals("1") ? "10" : mantissa.equals("-1") ? "-10" : mantissa + "×10";
            return minus(base) + superscript(e);
        }

        private static String superscript(int e) {
            StringBuilder s = new StringBuilder(e < 0 ? "⁻" : "");
            for (char d : Integer.toString(Math.abs(e)).toCharArray()) s.append(SUPERSCRIPTS.charAt(d - '0'));
            return s.toString();
        }

        private static String minus(String s) {
            return s.replace('-', MINUS);
        }
    }
}
