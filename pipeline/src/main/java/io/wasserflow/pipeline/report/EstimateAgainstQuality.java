package io.wasserflow.pipeline.report;

import static io.wasserflow.pipeline.report.Report.num;

import io.wasserflow.pipeline.render.LinePlot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;

/**
 * The WGAN paper's Figures 3-4: does the Wasserstein estimate track sample quality? For each
 * experiment with both, the estimate (median over the critic steps since the previous samples
 * step, the paper's median filter) and the quality measure at each samples step on one figure,
 * each scaled to its own range, with sample grids at up to six stages beneath, and Spearman's rank
 * correlation between the two series. Quality is the Frechet distance for images, the sliced W1 to
 * real data for 2-D points: lower is better for both, so a tracking estimate correlates positively.
 */
final class EstimateAgainstQuality {
    /** Sample grids beneath each figure. */
    static final int STAGES = 6;

    /** Up to k of the steps, evenly spaced from the first to the last (the last alone for k = 1). */
    static List<Long> stages(java.util.Collection<Long> all, int k) {
        List<Long> steps = List.copyOf(new java.util.TreeSet<>(all)), shown = new ArrayList<>();
        int n = Math.min(k, steps.size());
        for (int i = 0; i < n; i++) {
            long s = steps.get(n == 1 ? steps.size() - 1 : (int) Math.round((double) i * (steps.size() - 1) / (n - 1)));
            if (!shown.contains(s)) shown.add(s);
        }
        return shown;
    }

    /** Spearman's rank correlation (ties get their mean rank); NaN below three pairs or for a constant series. */
    static double spearman(double[] a, double[] b) {
        if (a.length != b.length) throw new IllegalArgumentException(a.length + " against " + b.length + " values");
        if (a.length < 3) return Double.NaN;
        double[] ra = ranks(a), rb = ranks(b);
        double ma = Arrays.stream(ra).average().orElseThrow(), mb = Arrays.stream(rb).average().orElseThrow(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < ra.length; i++) {
            sab += (ra[i] - ma) * (rb[i] - mb);
            saa += (ra[i] - ma) * (ra[i] - ma);
            sbb += (rb[i] - mb) * (rb[i] - mb);
        }
        return saa == 0 || sbb == 0 ? Double.NaN : sab / Math.sqrt(saa * sbb);
    }

    static double[] ranks(double[] v) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) order[i] = i;
        Arrays.sort(order, (i, j) -> Double.compare(v[i], v[j]));
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; ) {
            int j = i;
            while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) j++;
            for (int k = i; k <= j; k++) r[order[k]] = (i + j) / 2.0 + 1;
            i = j + 1;
        }
        return r;
    }

    /** The estimate and the quality, paired at the samples steps. */
    record Paired(double[] generatorSteps, double[] estimate, double[] quality) {}

    /** Median of the estimate over the critic steps in (previous samples step, this one] for each quality point that has any. */
    static Paired pair(ExperimentMetrics.Series w, ExperimentMetrics.Series qualityAtCritic, ExperimentMetrics.Series qualityAtGenerator) {
        List<double[]> rows = new ArrayList<>();
        double previous = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < qualityAtCritic.n; i++) {
            double at = qualityAtCritic.x[i];
            List<Double> window = new ArrayList<>();
            for (int k = 0; k < w.n; k++) if (w.x[k] > previous && w.x[k] <= at && Double.isFinite(w.y[k])) window.add(w.y[k]);
            previous = at;
            if (window.isEmpty() || !Double.isFinite(qualityAtCritic.y[i])) continue;
            window.sort(null);
            int m = window.size();
            double median = m % 2 == 1 ? window.get(m / 2) : (window.get(m / 2 - 1) + window.get(m / 2)) / 2;
            rows.add(new double[] {qualityAtGenerator.x[i], median, qualityAtCritic.y[i]});
        }
        return new Paired(rows.stream().mapToDouble(r -> r[0]).toArray(), rows.stream().mapToDouble(r -> r[1]).toArray(),
                rows.stream().mapToDouble(r -> r[2]).toArray());
    }

    /** A picture's Markdown after copying it into the report (Report's copy). */
    interface Copy {
        String of(Path picture, String alt) throws IOException;
    }

    static void write(Map<String, ExperimentMetrics> experiments, io.wasserflow.pipeline.run.RunDir folder, Path out, StringBuilder md, Copy copy) throws IOException {
        boolean headed = false;
        for (ExperimentMetrics e : experiments.values()) {
            String measure = e.quality.containsKey("frechet_distance") ? "frechet_distance" : e.quality.containsKey("w1") ? "w1" : null;
            ExperimentMetrics.Series w = e.scalars.get(ExperimentMetrics.W);
            if (measure == null || w == null || w.n == 0) continue;
            Paired p = pair(w, e.qualityAtCriticStep.get(measure), e.quality.get(measure));
            if (p.estimate.length < 2) continue;
            if (!headed) {
                md.append("## Does the estimate track quality? (WGAN paper, Figures 3-4)\n\n");
                md.append("Each experiment's Wasserstein estimate (the median over the critic steps since the previous samples step) and its sample quality "
                        + "(Fréchet distance for images, sliced W1 to real data for 2-D points; lower is better for both), each scaled to its own range "
                        + "[min, max], with the samples beneath. Spearman's ρ between the two series is +1 where the estimate falls exactly as quality improves; "
                        + "the WGAN paper's claim is that it does for WGANs, and that a GAN's losses do not.\n\n");
                headed = true;
            }
            String name = e.config.name();
            double rho = spearman(p.estimate, p.quality);
            LinePlot plot = LinePlot.titled(name + ": estimate and " + measure.replace('_', ' ') + " (each scaled to [0, 1])")
                    .xLabel("generator step").yLabel("scaled value").size(720, 360);
            plot.series("W estimate [" + num(min(p.estimate)) + ", " + num(max(p.estimate)) + "]", p.generatorSteps, scaled(p.estimate));
            plot.series(measure + " [" + num(min(p.quality)) + ", " + num(max(p.quality)) + "]", p.generatorSteps, scaled(p.quality));
            String file = "estimate-quality-" + name + ".png";
            Files.write(out.resolve(file), plot.png());
            md.append("### ").append(name).append("\n\n![estimate and quality of ").append(name).append("](").append(file).append(")\n\n");
            SortedMap<Long, Path> overTime = folder.samplesOverTime(name);
            List<Long> shown = stages(overTime.keySet(), STAGES);
            if (!shown.isEmpty()) {
                StringBuilder head = new StringBuilder("|"), rule = new StringBuilder("|"), row = new StringBuilder("|");
                for (long s : shown) {
                    head.append(" step ").append(s).append(" |");
                    rule.append(" --- |");
                    row.append(' ').append(copy.of(overTime.get(s), name + " at generator step " + s)).append(" |");
                }
                md.append(head).append('\n').append(rule).append('\n').append(row).append("\n\n");
            }
            md.append(String.format(Locale.ROOT, "Spearman's ρ between the estimate and %s over %d samples steps: **%s**.%n%n", measure, p.estimate.length,
                    Double.isNaN(rho) ? "undefined (a constant series)" : String.format(Locale.ROOT, "%.2f", rho)));
        }
    }

    private static double min(double[] v) { return Arrays.stream(v).min().orElse(Double.NaN); }

    private static double max(double[] v) { return Arrays.stream(v).max().orElse(Double.NaN); }

    private static double[] scaled(double[] v) {
        double lo = min(v), span = max(v) - lo;
        return Arrays.stream(v).map(x -> span == 0 ? 0.5 : (x - lo) / span).toArray();
    }
}
