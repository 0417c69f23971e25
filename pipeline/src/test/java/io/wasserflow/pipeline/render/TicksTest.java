package io.wasserflow.pipeline.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Graphics2D;
import java.awt.font.TextAttribute;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.text.AttributedCharacterIterator;
import java.util.List;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.axis.ValueTick;
import org.jfree.chart.ui.RectangleEdge;
import org.junit.jupiter.api.Test;

/** The y axis' ticks as a line plot draws them: where they sit and what their labels read. */
class TicksTest {
    /** A labelled tick: its value, its text, and the superscript part of that text (empty when none). */
    record Label(double value, String text, String superscript) {}

    private static JFreeChart chart(double lo, double hi, boolean log) {
        LinePlot plot = LinePlot.titled("ticks").series("s", new double[] {0, 1}, new double[] {lo, hi});
        return (log ? plot.logY(1e-12) : plot).chart();
    }

    /** The labelled ticks of the chart's y axis, drawn at 800 x 480. */
    private static List<Label> labels(JFreeChart chart) {
        ChartRenderingInfo info = new ChartRenderingInfo();
        BufferedImage image = chart.createBufferedImage(800, 480, info);
        Graphics2D g = image.createGraphics();
        ValueAxis y = chart.getXYPlot().getRangeAxis();
        List<?> ticks = y.refreshTicks(g, new AxisState(), info.getPlotInfo().getDataArea(), RectangleEdge.LEFT);
        g.dispose();
        return ticks.stream().map(ValueTick.class::cast).filter(t -> t.getTickType() == TickType.MAJOR).map(TicksTest::label).toList();
    }

    /** The values of the y axis' minor ticks, if it draws them. */
    private static List<Double> minorTicks(JFreeChart chart) {
        ChartRenderingInfo info = new ChartRenderingInfo();
        BufferedImage image = chart.createBufferedImage(800, 480, info);
        Graphics2D g = image.createGraphics();
        ValueAxis y = chart.getXYPlot().getRangeAxis();
        if (!y.isMinorTickMarksVisible()) return List.of();
        List<?> ticks = y.refreshTicks(g, new AxisState(), info.getPlotInfo().getDataArea(), RectangleEdge.LEFT);
        g.dispose();
        return ticks.stream().map(ValueTick.class::cast).filter(t -> t.getTickType() == TickType.MINOR).map(ValueTick::getValue).toList();
    }

    private static Label label(ValueTick t) {
        if (!(t instanceof LogTick log)) return new Label(t.getValue(), t.getText(), "");
        StringBuilder text = new StringBuilder(), superscript = new StringBuilder();
        AttributedCharacterIterator it = log.getAttributedLabel().getIterator();
        for (char c = it.first(); c != AttributedCharacterIterator.DONE; c = it.next()) {
            text.append(c);
            if (TextAttribute.SUPERSCRIPT_SUPER.equals(it.getAttribute(TextAttribute.SUPERSCRIPT))) superscript.append(c);
        }
        return new Label(t.getValue(), text.toString(), superscript.toString());
    }

    private static double range(JFreeChart chart, boolean upper) {
        ValueAxis y = chart.getXYPlot().getRangeAxis();
        return upper ? y.getUpperBound() : y.getLowerBound();
    }

    @Test
    void linearTicksAreOneTwoOrFiveTimesAPowerOfTen() {
        for (double[] r : new double[][] {{0, 0.93}, {-3.7, 12.2}, {1234, 98765}, {-2e-6, 3e-6}, {0.2, 0.2004}}) {
            JFreeChart chart = chart(r[0], r[1], false);
            List<Label> ticks = labels(chart);
            assertTrue(ticks.size() >= 2 && ticks.size() <= 12, ticks.size() + " ticks on " + r[0] + ".." + r[1]);
            double step = ticks.get(1).value() - ticks.get(0).value();
            double mantissa = step / Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
            assertTrue(List.of(1.0, 2.0, 5.0).stream().anyMatch(m -> Math.abs(m - mantissa) < 1e-6), "step " + step);
            for (Label t : ticks) {
                assertTrue(t.value() >= range(chart, false) - 1e-12 && t.value() <= range(chart, true) + 1e-12, "tick " + t.value() + " in range");
                assertEquals(0, Math.abs(Math.IEEEremainder(t.value(), step)), step * 1e-6, "tick " + t.value() + " a multiple of " + step);
            }
        }
    }

    @Test
    void labelsAreWrittenToTheStepsPrecision() {
        assertEquals(List.of("\u22121.0", "\u22120.5", "0.0", "0.5", "1.0"),
                List.of(-1.0, -0.5, 1e-17, 0.5, 1.0).stream().map(v -> Charts.StepFormat.label(v, 0.5, false)).toList());
        assertEquals("2×10⁻⁶", Charts.StepFormat.label(2e-6, 1e-6, false));
        assertEquals("10⁻⁶", Charts.StepFormat.label(1e-6, 1e-6, false));
        assertEquals("0", Charts.StepFormat.label(0, 1e-9, false), "zero without nine decimals");
        assertEquals("5×10⁵", Charts.StepFormat.label(5e5, 5e5, true), "beside 1.0×10⁶ on the same axis");
        assertEquals("1.0×10⁶", Charts.StepFormat.label(1e6, 5e5, true));
        // and on the figure: the labels drawn are those, a typographic minus on the negative ones, one notation per axis
        for (double[] r : new double[][] {{-1, 1}, {-2e-6, 3e-6}, {1234, 98765}, {0, 1.4e6}}) {
            List<Label> ticks = labels(chart(r[0], r[1], false));
            double step = ticks.get(1).value() - ticks.get(0).value();
            for (Label t : ticks) {
                assertEquals(Charts.StepFormat.label(t.value(), step, r[1] >= 1e6), t.text(), "tick at " + t.value());
                boolean scientific = (r[1] >= 1e6 || step < 1e-4) && t.value() != 0;
                assertEquals(scientific, t.text().matches(".*[⁰¹²³⁴⁵⁶⁷⁸⁹]"), t.text() + ": the axis' notation");
                assertTrue(!t.text().contains("-") && (t.value() >= -step * 1e-6 || t.text().startsWith("\u2212")), t.text());
            }
        }
    }

    @Test
    void logTicksAreLabelledAtPowersOfTen() {
        List<Label> ticks = labels(chart(1e-12, 1e3, true));
        assertTrue(ticks.size() >= 4 && ticks.size() <= 8, ticks.size() + " labels over 15 decades: " + ticks);
        for (Label t : ticks) {
            double k = Math.log10(t.value());
            assertEquals(Math.rint(k), k, 1e-9, "power of ten");
            String exponent = Integer.toString((int) Math.rint(k)).replace('-', '\u2212');
            assertEquals("10" + exponent, t.text());
            assertEquals(exponent, t.superscript(), "the exponent is a superscript");
        }
        assertEquals(ticks.get(1).value() / ticks.get(0).value(), ticks.get(2).value() / ticks.get(1).value(), 1e-6, "evenly strided decades");
    }

    @Test
    void shortLogRangesStillShowTwoPowersOfTen() {
        JFreeChart chart = chart(0.3, 8, true);
        List<Label> ticks = labels(chart);
        assertEquals(List.of("10\u22121", "100", "101"), ticks.stream().map(Label::text).toList());
        assertTrue(range(chart, false) <= 0.1 && range(chart, true) >= 10, "the axis reaches the decades around the data");
        long minor = minorTicks(chart).stream().filter(v -> v > 1 && v < 10).count();
        assertEquals(8, minor, "minor ticks at 2..9 within a decade of a short axis");
        assertEquals(List.of(), minorTicks(chart(1e-12, 1e3, true)), "none over 15 decades");
    }

    @Test
    void logAxisMapsDecadesToEqualDistances() {
        JFreeChart chart = chart(1e-4, 1e2, true);
        ChartRenderingInfo info = new ChartRenderingInfo();
        chart.createBufferedImage(800, 480, info);
        Rectangle2D area = info.getPlotInfo().getDataArea();
        ValueAxis y = chart.getXYPlot().getRangeAxis();
        double milli = y.valueToJava2D(1e-3, area, RectangleEdge.LEFT), one = y.valueToJava2D(1, area, RectangleEdge.LEFT);
        double kilo = y.valueToJava2D(1e3, area, RectangleEdge.LEFT);
        assertEquals(milli - one, one - kilo, 1e-9);
        assertTrue(milli > one, "up the axis is larger");
    }
}
