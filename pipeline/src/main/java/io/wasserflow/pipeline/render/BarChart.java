package io.wasserflow.pipeline.render;

import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.VerticalAlignment;
import org.jfree.data.Range;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;

/**
 * Grouped bars over named categories, one colour per series (as the line plots' colours), on a
 * linear y axis from 0: the class histogram of generated images, one series an experiment.
 */
public final class BarChart {
    private record Series(String name, double[] values) {}

    private final String title;
    private final List<String> categories;
    private String yLabel = "";
    private final List<Series> series = new ArrayList<>();

    private BarChart(String title, List<String> categories) {
        this.title = title == null ? "" : title;
        this.categories = List.copyOf(categories);
    }

    public static BarChart titled(String title, List<String> categories) {
        if (categories.isEmpty()) throw new IllegalArgumentException("bar chart '" + title + "' needs at least one category");
        return new BarChart(title, categories);
    }

    public BarChart yLabel(String label) {
        yLabel = label == null ? "" : label;
        return this;
    }

    /** One value per category, in the categories' order. */
    public BarChart series(String name, double[] values) {
        if (values.length != categories.size())
            throw new IllegalArgumentException("series '" + name + "' has " + values.length + " values for " + categories.size() + " categories");
        series.add(new Series(name, values.clone()));
        return this;
    }

    public byte[] png() {
        if (series.isEmpty()) throw new IllegalArgumentException("bar chart '" + title + "' has no series");
        // category i spans [i - 0.4, i + 0.4], shared equally by the series, side by side
        double group = 0.8, width = group / series.size(), max = 0;
        XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            XYIntervalSeries bars = new XYIntervalSeries(s.name);
            for (int i = 0; i < s.values.length; i++) {
                double lo = i - group / 2 + k * width, v = Double.isFinite(s.values[i]) ? s.values[i] : 0;
                bars.add(lo + width / 2, lo, lo + width, v, 0, v);
                max = Math.max(max, v);
            }
            data.addSeries(bars);
        }
        SymbolAxis x = new SymbolAxis(null, categories.toArray(String[]::new));
        x.setGridBandsVisible(false);
        x.setRange(-0.5, categories.size() - 0.5);
        XYBarRenderer r = new XYBarRenderer();
        r.setBarPainter(new StandardXYBarPainter());
        r.setShadowVisible(false);
        r.setDrawBarOutline(false);
        for (int k = 0; k < series.size(); k++) r.setSeriesPaint(k, Charts.color(k));
        XYPlot plot = new XYPlot(data, x, Charts.linear(yLabel, new Range(0, max > 0 ? max * 1.08 : 1)), r);
        JFreeChart chart = Charts.chart(title, plot, true);
        chart.getLegend().setPosition(RectangleEdge.RIGHT);
        chart.getLegend().setVerticalAlignment(VerticalAlignment.TOP);
        x.setVerticalTickLabels(categories.size() > 8);
        return Charts.png(chart, 800, 480);
    }
}
