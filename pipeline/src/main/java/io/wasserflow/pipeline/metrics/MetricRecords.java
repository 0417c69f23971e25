package io.wasserflow.pipeline.metrics;

import io.wasserflow.models.diagnostics.LayerValue;
import io.wasserflow.models.diagnostics.StepReport;
import io.wasserflow.models.diagnostics.WeightHistogram;
import io.wasserflow.models.train.ExperimentConfig.Layers;
import io.wasserflow.schemas.TrainingMetric;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A step's report as the TrainingMetric records of the {@link Metric} catalogue, in the order the
 * report reads them (a step's records are contiguous). What the step did not compute is absent from
 * its report, so it is absent here; a computed NaN (a diverged loss) is published as it is.
 */
public final class MetricRecords {
    private MetricRecords() {}

    public static List<TrainingMetric> of(String run, String experiment, StepReport r, long timeMs) {
        return of(run, experiment, r, timeMs, Layers.ALL);
    }

    /**
     * The step's records with the per-layer ones of only the layers {@code layers} keeps (each
     * network's linear layers are reported in order, so a list's first and last of a network are
     * that network's ends).
     */
    public static List<TrainingMetric> of(String run, String experiment, StepReport r, long timeMs, Layers layers) {
        Builder b = new Builder(run, experiment, r.criticStep(), r.generatorStep(), timeMs);
        List<TrainingMetric> out = new ArrayList<>();
        out.add(b.metric(Metric.CRITIC_STEP, r.criticStep(), Map.of()));
        out.add(b.metric(Metric.GENERATOR_STEP, r.generatorStep(), Map.of()));
        double[] quantiles = {};
        List<LayerValue> clipFractions = List.of(), spectralNorms = List.of();
        if (r instanceof StepReport.Critic c) {
            c.wassersteinEstimate().ifPresent(w -> out.add(b.metric(Metric.WASSERSTEIN_ESTIMATE, w, Map.of())));
            out.add(b.metric(Metric.CRITIC_LOSS, c.loss(), Map.of()));
            c.gradientPenalty().ifPresent(p -> out.add(b.metric(Metric.GRADIENT_PENALTY, p, Map.of())));
            quantiles = c.inputGradientQuantiles();
            clipFractions = c.clipFractions();
            spectralNorms = c.spectralNorms();
            double slope = quantiles.length == 0 ? Double.NaN : quantiles[quantiles.length - 1];
            if (slope > 0 && Double.isFinite(slope))
                c.wassersteinEstimate().ifPresent(w -> out.add(b.metric(Metric.NORMALIZED_WASSERSTEIN_ESTIMATE, w / slope, Map.of())));
        } else out.add(b.metric(Metric.GENERATOR_LOSS, r.loss(), Map.of()));
        for (LayerValue v : thin(r.weightGradientNorms(), LayerValue::network, layers)) out.add(b.metric(Metric.GRADIENT_NORM, v.value(), layer(v)));
        for (LayerValue v : thin(r.activationGradientNorms(), LayerValue::network, layers)) out.add(b.metric(Metric.ACTIVATION_GRADIENT_NORM, v.value(), layer(v)));
        for (LayerValue v : thin(clipFractions, LayerValue::network, layers)) out.add(b.metric(Metric.WEIGHT_CLIP_FRACTION, v.value(), layer(v)));
        for (LayerValue v : thin(spectralNorms, LayerValue::network, layers)) out.add(b.metric(Metric.LAYER_SPECTRAL_NORM, v.value(), layer(v)));
        for (int i = 0; i < quantiles.length; i++) out.add(b.metric(Metric.INPUT_GRADIENT_NORM, quantiles[i], Map.of("stat", StepReport.QUANTILE_NAMES[i])));
        out.add(b.metric(Metric.STEP_SECONDS, r.stepSeconds(), Map.of("kind", r.kind().name().toLowerCase())));
        if (r instanceof StepReport.Critic && r.stepSeconds() > 0) out.add(b.metric(Metric.IMAGES_PER_SECOND, r.batchSize() / r.stepSeconds(), Map.of()));
        for (WeightHistogram h : thin(r.histograms(), WeightHistogram::network, layers)) {
            TrainingMetric m = b.metric(Metric.WEIGHT, h.sum(), Map.of("network", h.network(), "layer", h.layer()));
            m.setBucketUpperBounds(Arrays.stream(h.upperBounds()).boxed().toList());
            m.setBucketCounts(Arrays.stream(h.counts()).boxed().toList());
            out.add(m);
        }
        return out;
    }

    /** One {@code wasserflow_sample_quality} record. */
    public static TrainingMetric quality(String run, String experiment, long generatorStep, long criticStep, String measure, double value, long timeMs) {
        return new Builder(run, experiment, criticStep, generatorStep, timeMs).metric(Metric.SAMPLE_QUALITY, value, Map.of("measure", measure));
    }

    /** One {@code wasserflow_sample_class_share} record. */
    public static TrainingMetric classShare(String run, String experiment, long generatorStep, long criticStep, String className, double share, long timeMs) {
        return new Builder(run, experiment, criticStep, generatorStep, timeMs).metric(Metric.SAMPLE_CLASS_SHARE, share, Map.of("class", className));
    }

    /** The values of the layers {@code layers} keeps: by position among their network's values, which come in layer order. */
    static <T> List<T> thin(List<T> values, Function<T, String> network, Layers layers) {
        if (layers == Layers.ALL || values.isEmpty()) return values;
        Map<String, Integer> count = new HashMap<>();
        for (T v : values) count.merge(network.apply(v), 1, Integer::sum);
        Map<String, Integer> seen = new HashMap<>();
        List<T> kept = new ArrayList<>();
        for (T v : values) {
            String n = network.apply(v);
            int index = seen.merge(n, 1, Integer::sum) - 1;
            if (layers.keeps(index, count.get(n))) kept.add(v);
        }
        return kept;
    }

    private static Map<String, String> layer(LayerValue v) {
        return Map.of("network", v.network(), "layer", v.layer());
    }

    private record Builder(String run, String experiment, long criticStep, long generatorStep, long timeMs) {
        TrainingMetric metric(Metric metric, double value, Map<String, String> labels) {
            return TrainingMetric.newBuilder().setRun(run).setExperiment(experiment).setName(metric.id).setLabels(new HashMap<>(labels))
                    .setValue(value).setGeneratorStep(generatorStep).setCriticStep(criticStep).setTimeMs(timeMs).build();
        }
    }
}
