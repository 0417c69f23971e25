package io.wasserflow.pipeline.report;

import io.wasserflow.models.diagnostics.GradientDetector;
import io.wasserflow.models.diagnostics.LayerValue;
import io.wasserflow.models.diagnostics.StepReport;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.schemas.TrainingMetric;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import io.wasserflow.pipeline.metrics.Metric;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One experiment's metric records (SPEC §6 names, see {@code MetricRecords}), reduced in one pass
 * to what the report draws and tabulates, so a long run's records need not all be held at once.
 */
final class ExperimentMetrics {
    /** Figure 1 averages the per-layer norms of this many latest critic steps that published them: one step is noisy. */
    static final int FIGURE1_STEPS = 10;
    static final String W = Metric.WASSERSTEIN_ESTIMATE.id, CRITIC_LOSS = Metric.CRITIC_LOSS.id,
            GENERATOR_LOSS = Metric.GENERATOR_LOSS.id, PENALTY = Metric.GRADIENT_PENALTY.id,
            NORMALIZED_W = Metric.NORMALIZED_WASSERSTEIN_ESTIMATE.id;

    /** x (a step) and y values in arrival order. */
    static final class Series {
        double[] x = new double[64], y = new double[64];
        int n;

        void add(double xv, double yv) {
            if (n == x.length) {
                x = Arrays.copyOf(x, 2 * n);
                y = Arrays.copyOf(y, 2 * n);
            }
            x[n] = xv;
            y[n++] = yv;
        }

        double lastY() {
            return n == 0 ? Double.NaN : y[n - 1];
        }

        double lastX() {
            return n == 0 ? Double.NaN : x[n - 1];
        }
    }

    /** A critic histogram: bucket upper bounds (an implicit +Inf follows) and non-cumulative counts. */
    record Histogram(double[] upperBounds, long[] counts) {}

    final ExperimentConfig config;
    /** Loss terms and the Wasserstein estimate over critic steps. */
    final Map<String, Series> scalars = new LinkedHashMap<>();
    /** Sample quality by measure, over generator steps. */
    final Map<String, Series> quality = new LinkedHashMap<>();
    /** The same, over the critic steps at which each was measured (to pair it with the estimate). */
    final Map<String, Series> qualityAtCriticStep = new LinkedHashMap<>();
    long generatorSteps, criticSteps;
    boolean diverged;
    /** The quality classifier's class shares at the last samples step that published them (class name -> share), and that step. */
    long classStep = -1;
    final Map<String, Double> latestClassShares = new LinkedHashMap<>();

    /** The critic's layers, input side first, and their activation-gradient norms at the latest critic steps (step -> layer -> norm). */
    final Set<String> criticLayers = new LinkedHashSet<>();
    final TreeMap<Long, Map<String, Double>> recentActivationNorms = new TreeMap<>();
    /** Figure 1's spread over time: the input-side layer's norm over the output layer's, per critic step. */
    final Series spread = new Series();

    long histogramStep = -1;
    final Map<String, Histogram> latestHistograms = new LinkedHashMap<>();
    final Map<String, Double> latestClipFractions = new LinkedHashMap<>();
    /** Each critic layer's largest singular value over critic steps, input side first. */
    final Map<String, Series> spectralNorms = new LinkedHashMap<>();

    /** The in-job detector, replayed on the recorded per-layer norms: the alerts the job raised. */
    private final GradientDetector detector;
    final List<GradientDetector.Alert> alerts = new ArrayList<>();
    final List<Long> alertSteps = new ArrayList<>();
    private long stepCritic = -1, stepGenerator = -1;
    private StepReport.Kind stepKind;
    private double stepLoss = Double.NaN;
    private final List<LayerValue> stepNorms = new ArrayList<>();

    ExperimentMetrics(ExperimentConfig config) {
        this.config = config;
        this.detector = new GradientDetector(config.alerts());
    }

    void accept(TrainingMetric m) {
        String name = m.getName();
        Map<String, String> labels = m.getLabels();
        String network = labels.get("network"), layer = labels.get("layer");
        boolean critic = "critic".equals(network);
        if (m.getCriticStep() != stepCritic || m.getGeneratorStep() != stepGenerator) endStep();
        stepCritic = m.getCriticStep();
        stepGenerator = m.getGeneratorStep();
        criticSteps = Math.max(criticSteps, m.getCriticStep());
        generatorSteps = Math.max(generatorSteps, m.getGeneratorStep());
        double v = m.getValue();
        Metric metric = Metric.byId(name);
        if (metric == null) return;
        switch (metric) {
            case WASSERSTEIN_ESTIMATE, NORMALIZED_WASSERSTEIN_ESTIMATE, GRADIENT_PENALTY -> series(scalars, name).add(m.getCriticStep(), v);
            case CRITIC_LOSS, GENERATOR_LOSS -> {
                series(scalars, name).add(m.getCriticStep(), v);
                diverged |= !Double.isFinite(v);
                stepKind = metric == Metric.CRITIC_LOSS ? StepReport.Kind.CRITIC : StepReport.Kind.GENERATOR;
                stepLoss = v;
            }
            case SAMPLE_QUALITY -> {
                series(quality, labels.getOrDefault("measure", "value")).add(m.getGeneratorStep(), v);
                series(qualityAtCriticStep, labels.getOrDefault("measure", "value")).add(m.getCriticStep(), v);
            }
            case SAMPLE_CLASS_SHARE -> {
                if (m.getGeneratorStep() > classStep) {
                    classStep = m.getGeneratorStep();
                    latestClassShares.clear();
                }
                latestClassShares.put(labels.get("class"), v);
            }
            case GRADIENT_NORM -> stepNorms.add(new LayerValue(network, layer, v));
            case ACTIVATION_GRADIENT_NORM -> {
                if (!critic) return;
                criticLayers.add(layer);
                recentActivationNorms.computeIfAbsent(m.getCriticStep(), k -> new LinkedHashMap<>()).put(layer, v);
                if (recentActivationNorms.size() > FIGURE1_STEPS + 1) recentActivationNorms.pollFirstEntry(); // the newest may still be filling
            }
            case WEIGHT_CLIP_FRACTION -> {
                if (critic) latestClipFractions.put(layer, v);
            }
            case LAYER_SPECTRAL_NORM -> {
                if (critic) series(spectralNorms, layer).add(m.getCriticStep(), v);
            }
            case WEIGHT -> {
                if (!critic || m.getBucketCounts().size() != m.getBucketUpperBounds().size() + 1) return;
                if (m.getCriticStep() > histogramStep) {
                    histogramStep = m.getCriticStep();
                    latestHistograms.clear();
                }
                latestHistograms.put(layer, new Histogram(m.getBucketUpperBounds().stream().mapToDouble(Double::doubleValue).toArray(),
                        m.getBucketCounts().stream().mapToLong(Long::longValue).toArray()));
            }
            default -> { }
        }
    }

    /** Call after the last record. */
    void finish() {
        endStep();
        while (recentActivationNorms.size() > FIGURE1_STEPS) recentActivationNorms.pollFirstEntry();
    }

    /**
     * A step's records are contiguous and share (critic step, generator step): hand the step to the
     * detector, as the job did with its report, and note the Figure 1 spread.
     */
    private void endStep() {
        if (stepKind != null) {
            StepReport r = stepKind == StepReport.Kind.CRITIC
                    ? new StepReport.Critic(stepCritic, stepGenerator, OptionalDouble.empty(), stepLoss, OptionalDouble.empty(), List.copyOf(stepNorms),
                            List.of(), null, List.of(), List.of(), List.of(), 0, 0)
                    : new StepReport.Generator(stepCritic, stepGenerator, stepLoss, List.copyOf(stepNorms), List.of(), List.of(), 0, 0);
            for (GradientDetector.Alert a : detector.check(r))
                if (a.firing()) {
                    alerts.add(a);
                    alertSteps.add(stepCritic);
                }
        }
        Map<String, Double> norms = recentActivationNorms.get(stepCritic);
        if (stepKind == StepReport.Kind.CRITIC && norms != null && norms.size() > 1) {
            List<Double> byLayer = new ArrayList<>(norms.values());
            spread.add(stepCritic, byLayer.get(0) / byLayer.get(byLayer.size() - 1));
        }
        stepKind = null;
        stepLoss = Double.NaN;
        stepNorms.clear();
    }

    private static Series series(Map<String, Series> map, String name) {
        return map.computeIfAbsent(name, k -> new Series());
    }

    /** Figure 1: the mean per-layer norm over the latest critic steps, in {@link #criticLayers} order (NaN where a layer has none). */
    double[] figure1(List<String> layers) {
        double[] out = new double[layers.size()];
        for (int i = 0; i < out.length; i++) {
            double sum = 0;
            int n = 0;
            for (Map<String, Double> step : recentActivationNorms.values()) {
                Double v = step.get(layers.get(i));
                if (v != null && !Double.isNaN(v)) {
                    sum += v;
                    n++;
                }
            }
            out[i] = n == 0 ? Double.NaN : sum / n;
        }
        return out;
    }

    /** The latest critic histograms summed over layers (those on the first layer's edges), or null. */
    Histogram criticWeights() {
        Histogram total = null;
        for (Histogram h : latestHistograms.values()) {
            if (total == null) total = new Histogram(h.upperBounds, h.counts.clone());
            else if (Arrays.equals(total.upperBounds, h.upperBounds)) for (int i = 0; i < h.counts.length; i++) total.counts[i] += h.counts[i];
        }
        return total;
    }

    /** The latest value of each sample-quality measure. */
    Map<String, Double> latestQuality() {
        Map<String, Double> out = new LinkedHashMap<>();
        quality.forEach((measure, s) -> out.put(measure, s.lastY()));
        return out;
    }

    double last(String scalar) {
        Series s = scalars.get(scalar);
        return s == null ? Double.NaN : s.lastY();
    }
}
