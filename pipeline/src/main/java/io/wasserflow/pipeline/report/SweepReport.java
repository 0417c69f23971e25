package io.wasserflow.pipeline.report;

import static io.wasserflow.pipeline.report.Report.num;

import io.wasserflow.models.data.Toy2D;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.config.Sweep;
import io.wasserflow.pipeline.render.BarChart;
import io.wasserflow.pipeline.source.Datasets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The robustness study of a sweep (the WGAN-GP paper's section 5.1: does a method train across
 * settings?): per method, the share of its settings that succeed, as a bar chart
 * ({@value #CHART}); the settings each method fails on; and Spearman's rank correlation between
 * the Wasserstein estimate and sample quality, across the method's settings (final values) and
 * over each experiment's training (the median of its samples steps' ρ, WGAN paper Figures 3-4).
 */
final class SweepReport {
    static final String CHART = "sweep-success.png";

    /** Toy data: a setting succeeds when its last samples cover at least 7 of every 8 modes (7 of 8 Gaussians; 22 of 25). */
    static final int MODES_NEEDED_OF_EIGHT = 7;

    /**
     * Images: a setting succeeds when its last Fréchet distance (the quality classifier's features,
     * {@code frechet_distance}) is below this. Measured by ImageQualityTest on this classifier:
     * 512 real test images 0.4-1.8, 512 real images of one class 226, uniform noise 215; below 10
     * means a generator far nearer the real data than a collapsed one.
     */
    static final double FRECHET_NEEDED = 10;

    /** The images the quality classifier (and so the Fréchet distance) knows. */
    static final String FRECHET_DATASET = "fashion-mnist";

    /** How one setting ended. */
    record Outcome(Sweep.Member member, boolean succeeded, String what) {}

    /** The criterion for a dataset, in words, or null where there is none (swiss roll, the line, shapes). */
    static String criterion(String dataset) {
        int modes = modes(dataset);
        if (modes > 0) return "at least " + needed(modes) + " of " + modes + " modes covered at the last samples step (`modes`: 2% of the samples within 0.1 of a centre)";
        if (dataset.equals(FRECHET_DATASET)) return "a Fréchet distance (`frechet_distance`) below " + num(FRECHET_NEEDED) + " at the last samples step";
        return null;
    }

    private static int modes(String dataset) {
        if (!Datasets.isToy(dataset) || Datasets.isLine(dataset)) return 0;
        return Toy2D.byId(dataset).centres().length;
    }

    static int needed(int modes) {
        return (int) Math.ceil(modes * MODES_NEEDED_OF_EIGHT / 8.0);
    }

    static Outcome outcome(String dataset, Sweep.Member member, ExperimentMetrics e) {
        if (e.diverged) return new Outcome(member, false, "diverged");
        int modes = modes(dataset);
        Map<String, Double> q = e.latestQuality();
        if (modes > 0) {
            Double covered = q.get("modes");
            if (covered == null) return new Outcome(member, false, "no samples step");
            return new Outcome(member, covered >= needed(modes), String.format(Locale.ROOT, "%d/%d modes", Math.round(covered), modes));
        }
        Double fd = q.get("frechet_distance");
        if (fd == null) return new Outcome(member, false, "no Fréchet distance");
        return new Outcome(member, fd < FRECHET_NEEDED, "FD " + num(fd));
    }

    /** The quality measure the estimate is ranked against: lower is better for both (as in EstimateAgainstQuality). */
    private static String measure(ExperimentMetrics e) {
        return e.quality.containsKey("frechet_distance") ? "frechet_distance" : e.quality.containsKey("w1") ? "w1" : null;
    }

    static void write(RunConfig config, Map<String, ExperimentMetrics> experiments, Path out, StringBuilder md) throws IOException {
        Sweep sweep = config.sweep();
        if (sweep.isEmpty()) return;
        String criterion = criterion(config.dataset());
        md.append("## Sweep: which methods train across settings (WGAN-GP paper, section 5.1)\n\n");
        md.append(String.format(Locale.ROOT, "%d experiments: %d methods (%s) over the sweep's settings, each method on the same settings.%n%n",
                sweep.members().size(), sweep.methods().size(), String.join(", ", sweep.methods())));
        Map<String, List<Outcome>> byMethod = new LinkedHashMap<>();
        for (String m : sweep.methods()) byMethod.put(m, new ArrayList<>());
        for (Sweep.Member m : sweep.members()) {
            ExperimentMetrics e = experiments.get(m.experiment());
            if (e != null) byMethod.get(m.method()).add(criterion == null ? null : outcome(config.dataset(), m, e));
        }
        md.append("| method | settings | succeed | share | ρ(W estimate, quality) across settings | median ρ over training |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: |\n");
        double[] shares = new double[sweep.methods().size()];
        int k = 0;
        for (Map.Entry<String, List<Outcome>> m : byMethod.entrySet()) {
            List<Outcome> outcomes = m.getValue();
            long succeeded = outcomes.stream().filter(o -> o != null && o.succeeded()).count();
            shares[k++] = outcomes.isEmpty() ? 0 : (double) succeeded / outcomes.size();
            Rho across = acrossSettings(sweep, m.getKey(), experiments), overTime = overTraining(sweep, m.getKey(), experiments);
            md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s |%n", m.getKey(), outcomes.size(), criterion == null ? "–" : Long.toString(succeeded),
                    criterion == null ? "–" : String.format(Locale.ROOT, "%.0f%%", 100 * shares[k - 1]), across, overTime));
        }
        md.append('\n');
        if (criterion == null) {
            md.append("No success criterion for ").append(config.dataset()).append(" (it has no modes and no Fréchet distance): no chart.\n\n");
            return;
        }
        md.append("A setting succeeds with ").append(criterion).append("; a diverged experiment fails. ")
                .append("ρ across settings: Spearman's rank correlation between each setting's last W estimate and its last sample quality ")
                .append("(sliced W1 to real data for 2-D points, Fréchet distance for images; lower is better for both, so +1 means the estimate ranks ")
                .append("the settings as their samples do); median ρ over training: the median over the method's experiments of the same correlation ")
                .append("over each one's samples steps (the next section's, per experiment). Only Wasserstein losses have an estimate.\n\n");
        Files.write(out.resolve(CHART), BarChart.titled("Settings that succeed, by method (" + criterion(config.dataset()).replaceAll(" \\(.*\\)", "") + ")",
                List.copyOf(byMethod.keySet())).yLabel("share of settings").series("share that succeed", shares).png());
        md.append("![share of settings that succeed, by method](").append(CHART).append(")\n\n");
        md.append("### Settings that fail\n\n");
        boolean any = false;
        for (Map.Entry<String, List<Outcome>> m : byMethod.entrySet()) {
            List<Outcome> failed = m.getValue().stream().filter(o -> !o.succeeded()).toList();
            if (failed.isEmpty()) continue;
            if (!any) md.append("| method | experiment | setting | outcome |\n| --- | --- | --- | --- |\n");
            any = true;
            for (Outcome o : failed)
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", m.getKey(), o.member().experiment(),
                        o.member().label().isEmpty() ? "–" : "`" + o.member().label() + "`", o.what()));
        }
        md.append(any ? "\n" : "Every setting of every method succeeds.\n\n");
    }

    /** A correlation and the number of points it is over, as a table cell. */
    record Rho(double rho, int n) {
        @Override
        public String toString() {
            return n == 0 || Double.isNaN(rho) ? "–" : String.format(Locale.ROOT, "%.2f (%d)", rho, n);
        }
    }

    /** Spearman's ρ between the last W estimate and the last quality of the method's settings that have both. */
    static Rho acrossSettings(Sweep sweep, String method, Map<String, ExperimentMetrics> experiments) {
        List<double[]> pairs = new ArrayList<>();
        for (Sweep.Member m : sweep.members()) {
            ExperimentMetrics e = experiments.get(m.experiment());
            if (!m.method().equals(method) || e == null || measure(e) == null) continue;
            double w = e.last(ExperimentMetrics.W), q = e.quality.get(measure(e)).lastY();
            if (Double.isFinite(w) && Double.isFinite(q)) pairs.add(new double[] {w, q});
        }
        double rho = EstimateAgainstQuality.spearman(pairs.stream().mapToDouble(p -> p[0]).toArray(), pairs.stream().mapToDouble(p -> p[1]).toArray());
        return new Rho(rho, pairs.size());
    }

    /** The median over the method's experiments of ρ between the estimate and quality over its samples steps. */
    static Rho overTraining(Sweep sweep, String method, Map<String, ExperimentMetrics> experiments) {
        List<Double> rhos = new ArrayList<>();
        for (Sweep.Member m : sweep.members()) {
            ExperimentMetrics e = experiments.get(m.experiment());
            if (!m.method().equals(method) || e == null || measure(e) == null) continue;
            ExperimentMetrics.Series w = e.scalars.get(ExperimentMetrics.W);
            if (w == null || w.n == 0) continue;
            EstimateAgainstQuality.Paired p = EstimateAgainstQuality.pair(w, e.qualityAtCriticStep.get(measure(e)), e.quality.get(measure(e)));
            double rho = EstimateAgainstQuality.spearman(p.estimate(), p.quality());
            if (!Double.isNaN(rho)) rhos.add(rho);
        }
        double[] v = rhos.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return new Rho(median, v.length);
    }
}
