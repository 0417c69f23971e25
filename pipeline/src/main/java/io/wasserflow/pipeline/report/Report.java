package io.wasserflow.pipeline.report;

import io.wasserflow.pipeline.BadInputException;
import io.wasserflow.models.diagnostics.GradientDetector;
import io.wasserflow.models.lipschitz.Constraint;
import io.wasserflow.models.quality.FashionClassifier;
import io.wasserflow.models.quality.ImageQuality;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.pipeline.run.ExperimentResult;
import io.wasserflow.pipeline.run.RunFolder;
import io.wasserflow.pipeline.job.Topics;
import io.wasserflow.pipeline.render.HistogramPlot;
import io.wasserflow.pipeline.render.LinePlot;
import io.wasserflow.pipeline.source.BrokerCheck;
import io.wasserflow.schemas.RunManifest;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;

/**
 * The report of a finished run, from its folder alone: PNG figures (the WGAN-GP paper's Figure 1,
 * critic weight histograms, Wasserstein estimates, loss terms, sample quality, samples) and a
 * {@code report.md} that embeds them under a summary table.
 */
public final class Report {
    /** Log axes start here: float32 gradients underflow to exactly 0 (SCIENCE.md, Figure 1 with c = 0.001). */
    static final double FLOOR = 1e-12;
    /** Long series are drawn as means over consecutive bins, at most this many: 800 px cannot show more. */
    static final int MAX_POINTS = 400;
    /** Sample pictures shown over time per experiment, first to last. */
    static final int SAMPLES_OVER_TIME = 4;
    static final String REPORT = "report.md";
    static final Map<String, String> QUALITY_TITLES = Map.of("modes", "modes covered", "high_quality_share", "share of high-quality samples",
            "w1", "sliced W1 to real data", "frechet_distance", "Fréchet distance", "birthday_duplicates", "birthday-test duplicates");

    private final RunFolder run;
    private final Path out;
    private final Map<String, ExperimentMetrics> experiments = new LinkedHashMap<>();
    private final StringBuilder md = new StringBuilder();

    private Report(RunFolder run, Path out) {
        this.run = run;
        this.out = out;
    }

    /** Writes the report of run {@code runId} of {@code workdir} into {@code out}; returns the path of report.md. */
    public static Path write(Path workdir, String runId, Path out) throws IOException {
        return write(workdir, runId, out, null);
    }

    /**
     * As above, with the manifest and the metric records read from the broker at {@code bootstrap}
     * (null: from the run folder's local copy); sample pictures and final states from the run folder
     * where this machine has one.
     */
    public static Path write(Path workdir, String runId, Path out, String bootstrap) throws IOException {
        if (Files.exists(out) && !Files.isDirectory(out)) throw new BadInputException("--out " + out + " is a file, not a folder");
        if (bootstrap == null) return write(RunFolder.open(workdir, runId), out);
        BrokerCheck.requireReachable(bootstrap);
        Path copy = Files.createTempFile("wasserflow-report-", ".metrics");
        try {
            return write(RunFolder.fromBroker(bootstrap, Topics.defaults(), workdir, runId, copy), out);
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    private static Path write(RunFolder run, Path out) throws IOException {
        Report r = new Report(run, out);
        r.read();
        Files.createDirectories(out);
        r.header();
        r.summary();
        r.figure1();
        r.weights();
        r.scalars();
        r.quality();
        r.samples();
        r.alerts();
        r.md.append("## Config\n\n```yaml\n").append(r.run.config().yaml().strip()).append("\n```\n");
        Path file = out.resolve(REPORT);
        Files.writeString(file, r.md);
        return file;
    }

    private void read() throws IOException {
        for (ExperimentConfig c : run.config().experiments()) experiments.put(c.name(), new ExperimentMetrics(c));
        run.forEachMetric(m -> {
            ExperimentMetrics e = experiments.get(m.getExperiment());
            if (e != null && m.getRun().equals(run.runId())) e.accept(m);
        });
        experiments.values().forEach(ExperimentMetrics::finish);
    }

    private void header() {
        RunManifest m = run.manifest();
        md.append("# Run ").append(run.runId()).append("\n\n");
        md.append(String.format(Locale.ROOT, "%s (topic `%s`), %d experiments: %s.%n", run.config().dataset(), run.config().topic(),
                experiments.size(), String.join(", ", experiments.keySet())));
        md.append("Started ").append(Instant.ofEpochMilli(m.getStartTimeMs()));
        if (m.getEndTimeMs() != null) md.append(", ended ").append(Instant.ofEpochMilli(m.getEndTimeMs())).append(" (")
                .append(Duration.ofMillis(m.getEndTimeMs() - m.getStartTimeMs()).withNanos(0).toString().substring(2).toLowerCase(Locale.ROOT)).append(")");
        md.append(String.format(Locale.ROOT, ". Code %s%s, backend %s, BLAS %s (core type %s, %d threads).%n", m.getCodeCommit(),
                m.getCodeModified() ? " (modified)" : "", m.getBackend(), m.getBlasLibrary(), m.getBlasCoreType(), m.getBlasThreads()));
        md.append("Final parameters (SHA-256, the manifest's): `").append(m.getFinalParameterDigest() == null ? "none" : m.getFinalParameterDigest()).append("`.\n\n");
    }

    private void summary() throws IOException {
        Map<String, ExperimentResult> results = run.folder().results(List.copyOf(experiments.keySet()));
        md.append("## Summary\n\n");
        md.append("| experiment | loss | constraint | generator steps | critic steps | W estimate | critic loss | sample quality | weights at ±c | state | alerts | parameters (SHA-256) |\n");
        md.append("| --- | --- | --- | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: | --- |\n");
        for (ExperimentMetrics e : experiments.values()) {
            ExperimentConfig c = e.config;
            List<String> quality = new ArrayList<>();
            e.latestQuality().forEach((measure, v) -> quality.add(measure + " " + num(v)));
            double clipShare = e.latestClipFractions.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            ExperimentResult result = results.get(c.name());
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %d | %s | %s | %s | %s | %s | %d | %s |%n", c.name(), c.loss().id, constraint(c.constraint()),
                    e.generatorSteps, e.criticSteps, cell(e.last(ExperimentMetrics.W)), cell(e.last(ExperimentMetrics.CRITIC_LOSS)),
                    quality.isEmpty() ? "–" : String.join(", ", quality), cell(clipShare),
                    e.diverged ? "diverged" : result != null ? "finished" : "no final state", e.alerts.size(),
                    result == null ? "–" : "`" + result.parameterDigest().substring(0, 16) + "`"));
        }
        md.append("\nW estimate and losses: the last recorded values; sample quality at the last sampled generator step; ")
                .append("weights at ±c: the mean over the critic's layers of the share at the clip bound; ")
                .append("alerts: vanishing, exploding or non-finite gradients the in-job detector raised, replayed from the recorded norms.\n\n");
    }

    private static String constraint(Constraint c) {
        if (c instanceof Constraint.Clip clip) return "clip c=" + num(clip.c());
        if (c instanceof Constraint.GradientPenalty gp) return "gp λ=" + num(gp.lambda());
        if (c instanceof Constraint.OneSidedPenalty lp) return "lp λ=" + num(lp.lambda());
        return c.id();
    }

    private void figure1() throws IOException {
        md.append("## Critic gradient norms per layer (WGAN-GP Figure 1)\n\n");
        LinkedHashSet<String> layers = new LinkedHashSet<>();
        experiments.values().forEach(e -> layers.addAll(e.criticLayers));
        if (layers.isEmpty()) {
            md.append("No per-layer norms were recorded (publish.norms_every is 0).\n\n");
            return;
        }
        List<String> names = List.copyOf(layers);
        LinePlot plot = LinePlot.titled("Critic gradient norm per layer (WGAN-GP Figure 1)").logY(FLOOR).categories(names.toArray(String[]::new))
                .xLabel("critic layer, input side first").yLabel("‖∂ Wasserstein term / ∂ activations‖");
        LinePlot spread = LinePlot.titled("Input-side over output-layer gradient norm").logY(FLOOR).xLabel("critic step").yLabel("ratio");
        long last = 0;
        ExperimentMetrics lastWithNorms = experiments.values().stream().filter(e -> !e.recentActivationNorms.isEmpty()).reduce((a, b) -> b).orElseThrow();
        Map<String, ExperimentMetrics.Series> spreads = new LinkedHashMap<>();
        for (ExperimentMetrics e : experiments.values()) {
            spreads.put(e.config.name(), e.spread);
            if (e.recentActivationNorms.isEmpty()) { // keeps its place, so that experiment k has colour k in every figure
                plot.series(e.config.name() + " (none)", new double[] {Double.NaN});
                continue;
            }
            plot.series(e.config.name(), e.figure1(names));
            last = Math.max(last, e.recentActivationNorms.lastKey());
            if (e == lastWithNorms) break;
        }
        figure(plot.png(), "figure1-activation-gradients.png", "critic gradient norm per layer");
        md.append(String.format(Locale.ROOT, "The norm of the gradient of the critic's Wasserstein term (penalty excluded) with respect to each layer's "
                + "activations, the mean of the last %d critic steps that recorded it (up to critic step %d); log scale, values at or below %s "
                + "(float32 underflow) drawn at the floor. With weight clipping it grows or decays exponentially towards the input; "
                + "with the gradient penalty it stays level.%n%n", ExperimentMetrics.FIGURE1_STEPS, last, num(FLOOR)));
        if (!overlay(spread, spreads, "figure1-spread.png", "input-side over output-layer gradient norm")) return;
        md.append("The same over training: the first layer's norm divided by the last layer's, at every critic step that recorded norms. "
                + "1 is level; an exploding critic climbs, a vanishing one falls.\n\n");
    }

    private void weights() throws IOException {
        md.append("## Critic weights\n\n");
        HistogramPlot plot = HistogramPlot.titled("Critic weights, all layers, at the latest histogram").xLabel("weight")
                .columns(Math.min(4, experiments.size()));
        int panels = 0;
        for (ExperimentMetrics e : experiments.values()) {
            ExperimentMetrics.Histogram h = e.criticWeights();
            if (h == null) continue;
            plot.panel(e.config.name() + ", critic step " + e.histogramStep, h.upperBounds(), h.counts());
            panels++;
        }
        if (panels == 0) {
            md.append("No weight histograms were recorded (publish.histograms_every is 0).\n\n");
            return;
        }
        figure(plot.png(), "critic-weights.png", "critic weight histograms");
        md.append("Every critic weight counted once on the experiment's fixed bucket edges (±c for a clipped critic); the hatched bars are the "
                + "open-ended buckets beyond the edges. Weight clipping piles the weights up at the two ends of [−c, c]; the penalty does not.\n\n");
    }

    private void scalars() throws IOException {
        md.append("## Wasserstein estimate and losses\n\n");
        String[][] figures = {
                {ExperimentMetrics.W, "wasserstein.png", "Wasserstein estimate, mean D(real) − mean D(fake)"},
                {ExperimentMetrics.CRITIC_LOSS, "critic-loss.png", "Critic loss (penalty included)"},
                {ExperimentMetrics.GENERATOR_LOSS, "generator-loss.png", "Generator loss"},
                {ExperimentMetrics.PENALTY, "gradient-penalty.png", "Gradient penalty"}};
        for (String[] f : figures) {
            Map<String, ExperimentMetrics.Series> series = new LinkedHashMap<>();
            experiments.forEach((name, e) -> series.put(name, e.scalars.get(f[0])));
            if (overlay(LinePlot.titled(f[1].equals("wasserstein.png") ? f[2] + ", all experiments" : f[2]).xLabel("critic step"), series, f[1], f[2])
                    && f[0].equals(ExperimentMetrics.W)) wassersteinByExperiment(series);
        }
        md.append("Long series are drawn as means over at most " + MAX_POINTS + " consecutive bins. The Wasserstein estimate should fall as the "
                + "samples improve, for every constraint; GAN experiments have none.\n\n");
    }

    /** Each experiment's Wasserstein estimate on its own scale: a clipped critic's is orders of magnitude smaller than a penalised one's. */
    private void wassersteinByExperiment(Map<String, ExperimentMetrics.Series> series) throws IOException {
        StringBuilder head = new StringBuilder("|"), rule = new StringBuilder("|"), row = new StringBuilder("|");
        for (Map.Entry<String, ExperimentMetrics.Series> e : series.entrySet()) {
            if (e.getValue() == null || e.getValue().n == 0) continue;
            LinePlot plot = LinePlot.titled("Wasserstein estimate: " + e.getKey()).xLabel("critic step").size(520, 320);
            add(plot, e.getKey(), e.getValue());
            String file = "wasserstein-" + e.getKey() + ".png";
            Files.write(out.resolve(file), plot.png());
            head.append(' ').append(e.getKey()).append(" |");
            rule.append(" --- |");
            row.append(" ![Wasserstein estimate of ").append(e.getKey()).append("](").append(file).append(") |");
        }
        md.append(head).append('\n').append(rule).append('\n').append(row).append("\n\n");
    }

    /**
     * Draws the experiments' series in config order and embeds the figure, if any has one. An
     * experiment without one before another with one keeps its place (an empty legend entry), so
     * experiment k has the same colour in every figure.
     */
    private boolean overlay(LinePlot plot, Map<String, ExperimentMetrics.Series> series, String file, String alt) throws IOException {
        List<String> names = new ArrayList<>();
        series.forEach((name, s) -> {
            if (s != null && s.n > 0) names.add(name);
        });
        if (names.isEmpty()) return false;
        String lastWithData = names.get(names.size() - 1);
        for (Map.Entry<String, ExperimentMetrics.Series> e : series.entrySet()) {
            if (e.getValue() != null && e.getValue().n > 0) add(plot, e.getKey(), e.getValue());
            else plot.series(e.getKey() + " (none)", new double[] {0}, new double[] {Double.NaN});
            if (e.getKey().equals(lastWithData)) break;
        }
        figure(plot.png(), file, alt);
        return true;
    }

    private void quality() throws IOException {
        LinkedHashSet<String> measures = new LinkedHashSet<>();
        experiments.values().forEach(e -> measures.addAll(e.quality.keySet()));
        if (measures.isEmpty()) return;
        md.append("## Sample quality\n\n");
        for (String measure : measures) {
            String title = "Sample quality: " + QUALITY_TITLES.getOrDefault(measure, measure);
            Map<String, ExperimentMetrics.Series> series = new LinkedHashMap<>();
            experiments.forEach((name, e) -> series.put(name, e.quality.get(measure)));
            overlay(LinePlot.titled(title).xLabel("generator step").yLabel(measure), series, "quality-" + measure + ".png", title);
        }
        md.append("Measured on samples of the generator every publish.samples_every generator steps.\n\n");
        if (measures.contains("frechet_distance") || measures.contains("birthday_duplicates")) {
            md.append("Images: `frechet_distance` is the Fréchet distance between Gaussians fitted to the ").append(FashionClassifier.FEATURES)
                    .append(" penultimate-layer features of a small Fashion-MNIST classifier (trained by the project and cached) for ")
                    .append(ImageQuality.SAMPLES).append(" generated images and for ").append(ImageQuality.DEFAULT.referenceImages())
                    .append(" real ones (lower is better; real images score about 0.5-2 at this sample size); `birthday_duplicates` counts the pairs among the ")
                    .append(ImageQuality.SAMPLES).append(" generated images closer than the 1st percentile of real nearest-neighbour distances ")
                    .append("(real batches hold a few; many mean a support of roughly s^2 = ").append(ImageQuality.SAMPLES * ImageQuality.SAMPLES)
                    .append(" images or less, the birthday paradox). Latest: ");
            List<String> latest = new ArrayList<>();
            experiments.forEach((name, e) -> {
                Map<String, Double> q = e.latestQuality();
                if (q.containsKey("frechet_distance") || q.containsKey("birthday_duplicates"))
                    latest.add(name + " FD " + (q.containsKey("frechet_distance") ? num(q.get("frechet_distance")) : "–") + ", "
                            + (q.containsKey("birthday_duplicates") ? String.valueOf(Math.round(q.get("birthday_duplicates"))) : "–") + " duplicate pairs");
            });
            md.append(String.join("; ", latest)).append(".\n\n");
        }
    }

    private void samples() throws IOException {
        md.append("## Samples\n\n");
        for (ExperimentMetrics e : experiments.values()) {
            String name = e.config.name();
            Path latest = run.folder().latestSample(name);
            SortedMap<Long, Path> overTime = run.folder().samplesOverTime(name);
            md.append("### ").append(name).append("\n\n");
            if (latest == null && overTime.isEmpty()) {
                md.append("No sample pictures (publish.samples_every is 0, or the run ended before the first).\n\n");
                continue;
            }
            if (latest != null) md.append(copy(latest, "latest samples of " + name)).append("\n\n");
            List<Long> steps = List.copyOf(overTime.keySet()), shown = new ArrayList<>();
            int k = Math.min(SAMPLES_OVER_TIME, steps.size());
            for (int i = 0; i < k; i++) {
                long s = steps.get(k == 1 ? steps.size() - 1 : (int) Math.round((double) i * (steps.size() - 1) / (k - 1)));
                if (!shown.contains(s)) shown.add(s);
            }
            if (shown.size() < 2) continue;
            StringBuilder head = new StringBuilder("|"), rule = new StringBuilder("|"), row = new StringBuilder("|");
            for (long s : shown) {
                head.append(" generator step ").append(s).append(" |");
                rule.append(" --- |");
                row.append(' ').append(copy(overTime.get(s), name + " at generator step " + s)).append(" |");
            }
            md.append(head).append('\n').append(rule).append('\n').append(row).append("\n\n");
        }
    }

    private void alerts() {
        if (experiments.values().stream().allMatch(e -> e.alerts.isEmpty())) return;
        md.append("## Gradient alerts\n\n| experiment | kind | network | layer | value | threshold | critic step |\n| --- | --- | --- | --- | ---: | ---: | ---: |\n");
        for (ExperimentMetrics e : experiments.values())
            for (int i = 0; i < e.alerts.size(); i++) {
                GradientDetector.Alert a = e.alerts.get(i);
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %d |%n", e.config.name(), a.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                        a.network(), a.layer(), num(a.value()), Double.isNaN(a.threshold()) ? "–" : num(a.threshold()), e.alertSteps.get(i)));
            }
        md.append('\n');
    }

    /** Writes a figure into out and embeds it. */
    private void figure(byte[] png, String file, String alt) throws IOException {
        Files.write(out.resolve(file), png);
        md.append("![").append(alt).append("](").append(file).append(")\n\n");
    }

    /** Copies a sample picture into out/samples/ and returns its Markdown image. */
    private String copy(Path picture, String alt) throws IOException {
        Path target = out.resolve(RunFolder.SAMPLES).resolve(picture.getFileName());
        Files.createDirectories(target.getParent());
        Files.copy(picture, target, StandardCopyOption.REPLACE_EXISTING);
        return "![" + alt + "](" + RunFolder.SAMPLES + "/" + picture.getFileName() + ")";
    }

    /** A series, as means over at most MAX_POINTS consecutive bins when longer. */
    private static void add(LinePlot plot, String name, ExperimentMetrics.Series s) {
        int bin = (s.n + MAX_POINTS - 1) / MAX_POINTS, bins = (s.n + bin - 1) / bin;
        double[] x = new double[bins], y = new double[bins];
        for (int b = 0; b < bins; b++) {
            int from = b * bin, to = Math.min(s.n, from + bin);
            x[b] = mean(s.x, from, to);
            y[b] = mean(s.y, from, to);
        }
        plot.series(name, x, y);
    }

    /** Mean of the finite values in [from, to), NaN when none (a gap). */
    private static double mean(double[] a, int from, int to) {
        double sum = 0;
        int n = 0;
        for (int i = from; i < to; i++)
            if (Double.isFinite(a[i])) {
                sum += a[i];
                n++;
            }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** A table cell: a dash where there is no value. */
    private static String cell(double v) {
        return Double.isNaN(v) ? "–" : num(v);
    }

    /** A number as the report prints it: 6 significant digits, no trailing zeros, an exponent only for very small or large magnitudes. */
    static String num(double v) {
        if (!Double.isFinite(v)) return String.valueOf(v);
        BigDecimal d = new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros();
        return v == 0 || Math.abs(v) >= 1e-4 && Math.abs(v) < 1e9 ? d.toPlainString() : d.toString().toLowerCase(Locale.ROOT);
    }
}
