package io.wasserflow.pipeline.report;

import static io.wasserflow.pipeline.report.Report.num;

import io.wasserflow.models.data.Gaussian1D;
import io.wasserflow.models.diagnostics.LineProfile;
import io.wasserflow.models.quality.ClassCoverage;
import io.wasserflow.models.quality.FashionClassifier;
import io.wasserflow.models.quality.ImageQuality;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Loss;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.render.BarChart;
import io.wasserflow.pipeline.render.HistogramPlot;
import io.wasserflow.pipeline.render.LinePlot;
import io.wasserflow.pipeline.run.RunDir;
import io.wasserflow.pipeline.source.Datasets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's figures, each written as a PNG into the report's folder and embedded in its
 * Markdown with the paragraph that says how to read it: the WGAN paper's Figure 2 (runs on the
 * line), the WGAN-GP paper's Figure 1, critic weight histograms and spectral norms, Wasserstein
 * estimates and losses, sample quality.
 */
final class Figures {
    /** Log axes start here: float32 gradients underflow to exactly 0 (SCIENCE.md, Figure 1 with c = 0.001). */
    static final double FLOOR = 1e-12;
    /** Long series are drawn as means over consecutive bins, at most this many: 800 px cannot show more. */
    static final int MAX_POINTS = 400;
    /**
     * What real Fashion-MNIST test images score with the shipped classifier (ImageQuality.DEFAULT),
     * measured over the 19 batches of 512 test images: class KL 0.013-0.043 (mean 0.026), classifier
     * score 6.46-7.06 (mean 6.79), ten classes covered in every batch.
     */
    static final double REAL_CLASS_KL = 0.03, REAL_CLASSIFIER_SCORE = 6.8;
    static final Map<String, String> QUALITY_TITLES = Map.ofEntries(Map.entry("modes", "modes covered"),
            Map.entry("high_quality_share", "share of high-quality samples"), Map.entry("w1", "sliced W1 to real data"),
            Map.entry("frechet_distance", "Fréchet distance"), Map.entry("birthday_duplicates", "birthday-test duplicates"),
            Map.entry("classes_covered", "classes covered"), Map.entry("class_kl", "KL of the class histogram from uniform"),
            Map.entry("classifier_score", "classifier score"), Map.entry("reconstruction_error", "BiGAN reconstruction error ||x - G(E(x))||"),
            Map.entry("latent_error", "BiGAN latent error ||z - E(G(z))||"), Map.entry("probe_accuracy", "linear probe accuracy on E(x)"),
            Map.entry("probe_accuracy_random", "linear probe accuracy on an untrained encoder"));

    private final Map<String, ExperimentMetrics> experiments;
    private final Path out;
    private final StringBuilder md;

    /** Figures of experiments (in config order) written into out and embedded in md. */
    Figures(Map<String, ExperimentMetrics> experiments, Path out, StringBuilder md) {
        this.experiments = experiments;
        this.out = out;
        this.md = md;
    }

    /** Log axis floor of the Figure 2 slopes: a saturated float32 logit puts D(1 - D) far below FLOOR, and that is the point. */
    static final double SLOPE_FLOOR = 1e-30;

    /**
     * The WGAN paper's Figure 2 (SCIENCE.md, part two), for runs on the line: each experiment's final
     * critic read along the line ({@link LineProfiles}). D over x with the two densities, and on a log axis |dD/dx| and the generator gradient,
     * each divided by the function's own mean slope between the modes, which puts a bounded
     * discriminator and a clipped critic on one scale.
     */
    void figure2(RunDir dir, RunConfig config) throws IOException {
        if (!Datasets.isLine(config.dataset())) return;
        md.append("## Discriminator and critic along the line (WGAN Figure 2)\n\n");
        double muR = Gaussian1D.REAL_MEAN, s = Gaussian1D.STD;
        Map<String, LineProfiles.Entry> profiles = LineProfiles.of(dir, config);
        List<String> missing = config.experiments().stream().map(ExperimentConfig::name).filter(n -> !profiles.containsKey(n)).toList();
        if (profiles.isEmpty()) {
            md.append("No final critic states in the run folder (the run did not finish here), so nothing to draw.\n\n");
            return;
        }
        LinePlot functions = LinePlot.titled("D over x, with the real and the fake densities").xLabel("x").yLabel("D (a critic rescaled to [0, 1])");
        LinePlot slopes = LinePlot.titled("|dD/dx| and the generator's gradient, over the mean slope between the modes").logY(SLOPE_FLOOR)
                .xLabel("x").yLabel("relative to |D(μ_r) − D(μ_f)| / |μ_r − μ_f|");
        md.append("| experiment | loss | fake mode μ_f | D(μ_f) | D(μ_r) | mean slope between the modes | slope at μ_f, relative | generator gradient at μ_f, relative |\n");
        md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        LineProfile first = null;
        for (Map.Entry<String, LineProfiles.Entry> e : profiles.entrySet()) {
            String name = e.getKey();
            LineProfile p = e.getValue().profile();
            ExperimentConfig c = e.getValue().config();
            double muF = e.getValue().fakeMean(), mean = Math.abs(p.meanSlope(muF, muR));
            boolean wasserstein = c.loss().isWasserstein();
            functions.series(wasserstein ? name + " critic, rescaled" : name + " D = σ(logit)", p.x(), wasserstein ? rescaled(p.d()) : p.d());
            slopes.series(name + " |dD/dx|", p.x(), relative(p.slope(), mean)); // a WGAN generator's gradient too
            if (!wasserstein)
                slopes.series(name + (c.loss() == Loss.GAN_MINIMAX ? " |d log(1−D)/dx|" : " |d log D/dx|"), p.x(), relative(p.generatorGradient(), mean));
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n", name, c.loss().id, num(muF), num(p.dAt(muF)), num(p.dAt(muR)), num(mean),
                    num(p.absSlopeAt(muF) / mean), num(p.absGeneratorGradientAt(muF) / mean)));
            if (first == null) first = p;
        }
        double muF = profiles.values().iterator().next().fakeMean();
        functions.series("real density N(" + num(muR) + ", " + num(s) + "), peak 1", first.x(), density(first.x(), muR, s));
        functions.series("fake density N(" + num(muF) + ", " + num(s) + "), peak 1", first.x(), density(first.x(), muF, s));
        md.append('\n');
        figure(functions.png(), "figure2-functions.png", "discriminator and critic along the line");
        figure(slopes.png(), "figure2-gradients.png", "slopes and generator gradients on a log axis");
        md.append("Each experiment's final critic, restored from its saved state and evaluated on a grid of x through both modes (no training on "
                + "these points); the fake is held fixed, so every step trained the critic. Top: a GAN's D = σ(logit), a Wasserstein critic rescaled "
                + "to [0, 1] over the grid (its scale under clipping is arbitrary), and the two densities. A well trained discriminator is a step: "
                + "near 0 around the fakes, near 1 around the reals. Bottom, on a log axis: |dD/dx| and the gradient the generator would follow "
                + "(minimax GAN: d log(1 − D)/dx = −D·logit′; non-saturating GAN: d log D/dx; WGAN: dD/dx itself, one line), each divided by the function's own mean slope between the modes. "
                + "The discriminator's slope and the minimax gradient vanish at the fake mode, orders of magnitude below 1: a generator there "
                + "learns nothing. The clipped critic is close to linear between the modes, its relative slope of order 1 everywhere: it still "
                + "tells the fakes where to go (WGAN paper, Figure 2). In the table, *relative* is the absolute value at the fake mode over the mean "
                + "slope between the modes. Values at or below " + num(SLOPE_FLOOR) + " are drawn at the floor.\n\n");
        if (!missing.isEmpty()) md.append("No final state for ").append(String.join(", ", missing)).append(": not drawn.\n\n");
    }

    /** Values mapped linearly onto [0, 1] over their own range (all 0.5 when constant). */
    private static double[] rescaled(double[] v) {
        double lo = Arrays.stream(v).min().orElse(0), hi = Arrays.stream(v).max().orElse(0);
        return Arrays.stream(v).map(x -> hi > lo ? (x - lo) / (hi - lo) : 0.5).toArray();
    }

    private static double[] relative(double[] v, double scale) {
        return Arrays.stream(v).map(x -> Math.abs(x) / scale).toArray();
    }

    /** The N(mu, s) density scaled to peak 1. */
    private static double[] density(double[] x, double mu, double s) {
        return Arrays.stream(x).map(v -> Math.exp(-0.5 * (v - mu) * (v - mu) / (s * s))).toArray();
    }

    void figure1() throws IOException {
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

    void weights() throws IOException {
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

    void scalars() throws IOException {
        md.append("## Wasserstein estimate and losses\n\n");
        String[][] figures = {
                {ExperimentMetrics.W, "wasserstein.png", "Wasserstein estimate, mean D(real) − mean D(fake)"},
                {ExperimentMetrics.NORMALIZED_W, "normalized-wasserstein.png", "Wasserstein estimate / max ‖∇ₓD‖ at the interpolates"},
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
                + "samples improve, for every constraint; GAN experiments have none. A critic kept K-Lipschitz for an unknown K estimates "
                + "K W1, so raw estimates of different constraints are not comparable; divided by the critic's largest slope measured at the "
                + "batch's interpolates (at the cadence it is measured: every step with a penalty, at the histogram cadence otherwise) they share "
                + "one scale. An empirical scale, not a certified bound: the largest slope on a batch can miss the critic's steepest point.\n\n");
    }

    /** Each experiment's Wasserstein estimate on its own scale: a clipped critic's is orders of magnitude smaller than a penalised one's. */
    private void wassersteinByExperiment(Map<String, ExperimentMetrics.Series> series) throws IOException {
        Map<String, LinePlot> plots = new LinkedHashMap<>();
        series.forEach((name, s) -> {
            if (s == null || s.n == 0) return;
            LinePlot plot = LinePlot.titled("Wasserstein estimate: " + name).xLabel("critic step").size(520, 320);
            add(plot, name, s);
            plots.put(name, plot);
        });
        row(plots, "wasserstein-", "Wasserstein estimate of ");
    }

    /**
     * The spectral norm of each critic layer over training, an experiment a panel: clipping bounds it by
     * c sqrt(m n) for an [m, n] weight, spectral normalisation holds it at 1, the penalties leave it free.
     */
    void spectralNorms() throws IOException {
        md.append("## Critic spectral norms per layer\n\n");
        Map<String, LinePlot> plots = new LinkedHashMap<>();
        for (ExperimentMetrics e : experiments.values()) {
            if (e.spectralNorms.isEmpty()) continue;
            LinePlot plot = LinePlot.titled("Spectral norm per critic layer: " + e.config.name()).logY(FLOOR).xLabel("critic step")
                    .yLabel("largest singular value").size(520, 320);
            e.spectralNorms.forEach((layer, s) -> add(plot, layer, s));
            plots.put(e.config.name(), plot);
        }
        if (plots.isEmpty()) {
            md.append("No spectral norms were recorded (publish.norms_every is 0).\n\n");
            return;
        }
        row(plots, "spectral-norm-", "spectral norm per critic layer of ");
        md.append("The largest singular value of each critic layer's weight as the layer computes with it (W / σ under spectral "
                + "normalisation), by power iteration every publish.norms_every critic steps; a convolution's kernel is read as the matrix "
                + "[out, in·k·k], as spectral normalisation does, which is not the operator norm of the convolution. Log scale. "
                + "A weight [m, n] clipped at c has σ ≤ c√(mn); spectral normalisation keeps σ at 1; the penalties do not bound it per layer.\n\n");
    }

    /** One figure per experiment, side by side in a table row, written as prefix + experiment + ".png". */
    private void row(Map<String, LinePlot> plots, String prefix, String alt) throws IOException {
        StringBuilder head = new StringBuilder("|"), rule = new StringBuilder("|"), row = new StringBuilder("|");
        for (Map.Entry<String, LinePlot> e : plots.entrySet()) {
            String file = prefix + e.getKey() + ".png";
            Files.write(out.resolve(file), e.getValue().png());
            head.append(' ').append(e.getKey()).append(" |");
            rule.append(" --- |");
            row.append(" ![").append(alt).append(e.getKey()).append("](").append(file).append(") |");
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

    void quality() throws IOException {
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
        if (measures.contains("classes_covered")) classes();
    }

    /**
     * BiGAN's encoder (SCIENCE.md, BiGAN): the reconstruction and latent errors over training on one
     * figure per error, the linear probe's accuracy against the untrained encoder's on one figure,
     * and the latest values. Nothing for a run without a BiGAN.
     */
    void bigan() throws IOException {
        Map<String, ExperimentMetrics> bigans = new LinkedHashMap<>();
        experiments.forEach((name, e) -> {
            if (e.config.bigan()) bigans.put(name, e);
        });
        if (bigans.isEmpty()) return;
        md.append("## BiGAN: the encoder\n\n");
        md.append("At the optimum the encoder E inverts the generator G. At every samples step: the reconstruction error, the mean over the latest ")
                .append("real batch of ||x - G(E(x))|| (in pixels or coordinates), and the latent error, the mean over fresh latent points of ||z - E(G(z))||. ")
                .append("On Fashion-MNIST, every fifth samples step and at the end: a linear softmax probe trained on the frozen features E(x) of 2,000 training images, ")
                .append("its accuracy on 1,000 test images (`probe_accuracy`), beside the same probe on the encoder as initialised (`probe_accuracy_random`): ")
                .append("random convolutional features are already strong on Fashion-MNIST, so the untrained encoder is the baseline to beat.\n\n");
        for (String measure : List.of("reconstruction_error", "latent_error")) {
            Map<String, ExperimentMetrics.Series> series = new LinkedHashMap<>();
            bigans.forEach((name, e) -> series.put(name, e.quality.get(measure)));
            String title = QUALITY_TITLES.get(measure);
            overlay(LinePlot.titled(title).xLabel("generator step").yLabel(measure), series, "bigan-" + measure + ".png", title);
        }
        Map<String, ExperimentMetrics.Series> probe = new LinkedHashMap<>();
        bigans.forEach((name, e) -> {
            probe.put(name, e.quality.get("probe_accuracy"));
            probe.put(name + " (untrained encoder)", e.quality.get("probe_accuracy_random"));
        });
        overlay(LinePlot.titled("Linear probe on E(x): test accuracy").xLabel("generator step").yLabel("accuracy"), probe, "bigan-probe.png",
                "linear probe accuracy, trained and untrained encoder");
        md.append("| experiment | reconstruction error | latent error | probe accuracy | untrained encoder's |\n| --- | ---: | ---: | ---: | ---: |\n");
        bigans.forEach((name, e) -> {
            Map<String, Double> q = e.latestQuality();
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", name, latest(q, "reconstruction_error"), latest(q, "latent_error"),
                    latest(q, "probe_accuracy"), latest(q, "probe_accuracy_random")));
        });
        md.append("\nThe latest values; the probe's at the last step that ran it.\n\n");
    }

    private static String latest(Map<String, Double> q, String measure) {
        Double v = q.get(measure);
        return v == null || v.isNaN() ? "–" : num(v);
    }

    /** The class measures' meaning and latest values, and the class histogram of the last samples step, one bar per experiment and class. */
    private void classes() throws IOException {
        md.append("Classes: the same classifier labels each generated image with its likeliest class. `classes_covered` counts the classes holding at least ")
                .append(num(100 * ClassCoverage.MIN_SHARE)).append("% of the labels (a quarter of the uniform share; mode collapse shows as missing classes), ")
                .append("`class_kl` is the KL divergence of the label histogram from uniform (0 for equal classes, ln 10 = ").append(num(Math.log(10)))
                .append(" for one), `classifier_score` is the Inception score's formula exp(E_x KL(p(y|x) ‖ p(y))) with this classifier (1 to 10). ")
                .append("Real test images, ").append(ImageQuality.SAMPLES).append(" at a time: 10 classes, KL about ").append(num(REAL_CLASS_KL))
                .append(", score about ").append(num(REAL_CLASSIFIER_SCORE)).append(". Latest: ");
        List<String> latest = new ArrayList<>();
        BarChart bars = BarChart.titled("Classes of the generated images at the last samples step", FashionClassifier.CLASS_NAMES).yLabel("share of the samples");
        experiments.forEach((name, e) -> {
            Map<String, Double> q = e.latestQuality();
            if (!q.containsKey("classes_covered")) return;
            latest.add(String.format(Locale.ROOT, "%s %d classes, KL %s, score %s", name, Math.round(q.get("classes_covered")),
                    q.containsKey("class_kl") ? num(q.get("class_kl")) : "–", q.containsKey("classifier_score") ? num(q.get("classifier_score")) : "–"));
            if (e.latestClassShares.isEmpty()) return;
            double[] shares = FashionClassifier.CLASS_NAMES.stream().mapToDouble(c -> e.latestClassShares.getOrDefault(c, 0.0)).toArray();
            bars.series(name + ", generator step " + e.classStep, shares);
        });
        md.append(String.join("; ", latest)).append(".\n\n");
        if (experiments.values().stream().anyMatch(e -> !e.latestClassShares.isEmpty()))
            figure(bars.png(), "class-histogram.png", "class histogram of the generated images at the last samples step");
    }

    /** Writes a figure into out and embeds it. */
    private void figure(byte[] png, String file, String alt) throws IOException {
        Files.write(out.resolve(file), png);
        md.append("![").append(alt).append("](").append(file).append(")\n\n");
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
}
