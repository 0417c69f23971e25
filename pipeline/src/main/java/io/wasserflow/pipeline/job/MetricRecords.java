package io.wasserflow.pipeline.job;

import io.wasserflow.models.diagnostics.LayerValue;
import io.wasserflow.models.diagnostics.StepReport;
import io.wasserflow.models.diagnostics.WeightHistogram;
import io.wasserflow.schemas.TrainingMetric;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A step's report as the TrainingMetric records of SPEC §6 (the names the Prometheus endpoint serves). */
public final class MetricRecords {
    private MetricRecords() {}

    public static List<TrainingMetric> of(String run, String experiment, StepReport r, long timeMs) {
        List<TrainingMetric> out = new ArrayList<>();
        Builder b = new Builder(run, experiment, r, timeMs, out);
        b.add("wasserflow_critic_step", r.criticStep(), Map.of());
        b.add("wasserflow_generator_step", r.generatorStep(), Map.of());
        b.add("wasserflow_wasserstein_estimate", r.wassersteinEstimate(), Map.of());
        b.add("wasserflow_critic_loss", r.criticLoss(), Map.of());
        b.add("wasserflow_gradient_penalty", r.gradientPenalty(), Map.of());
        b.add("wasserflow_generator_loss", r.generatorLoss(), Map.of());
        for (LayerValue v : r.weightGradientNorms()) b.add("wasserflow_gradient_norm", v.value(), layer(v));
        for (LayerValue v : r.activationGradientNorms()) b.add("wasserflow_activation_gradient_norm", v.value(), layer(v));
        for (LayerValue v : r.clipFractions()) b.add("wasserflow_weight_clip_fraction", v.value(), layer(v));
        if (r.inputGradientQuantiles() != null)
            for (int i = 0; i < StepReport.QUANTILE_NAMES.length; i++)
                b.add("wasserflow_input_gradient_norm", r.inputGradientQuantiles()[i], Map.of("stat", StepReport.QUANTILE_NAMES[i]));
        b.add("wasserflow_step_seconds", r.stepSeconds(), Map.of("kind", r.kind().name().toLowerCase()));
        if (r.kind() == StepReport.Kind.CRITIC && r.stepSeconds() > 0) b.add("wasserflow_images_per_second", r.batchSize() / r.stepSeconds(), Map.of());
        for (WeightHistogram h : r.histograms()) {
            TrainingMetric m = b.metric("wasserflow_weight", h.sum(), Map.of("network", h.network(), "layer", h.layer()));
            m.setBucketUpperBounds(Arrays.stream(h.upperBounds()).boxed().toList());
            m.setBucketCounts(Arrays.stream(h.counts()).boxed().toList());
            out.add(m);
        }
        return out;
    }

    private static Map<String, String> layer(LayerValue v) {
        return Map.of("network", v.network(), "layer", v.layer());
    }

    private record Builder(String run, String experiment, StepReport r, long timeMs, List<TrainingMetric> out) {
        void add(String name, double value, Map<String, String> labels) {
            if (Double.isNaN(value) && !name.endsWith("_loss")) return; // not computed by this step
            if (Double.isNaN(value) && (r.kind() == StepReport.Kind.CRITIC) == name.equals("wasserflow_generator_loss")) return;
            out.add(metric(name, value, labels));
        }

        TrainingMetric metric(String name, double value, Map<String, String> labels) {
            return TrainingMetric.newBuilder().setRun(run).setExperiment(experiment).setName(name).setLabels(new HashMap<>(labels))
                    .setValue(value).setGeneratorStep(r.generatorStep()).setCriticStep(r.criticStep()).setTimeMs(timeMs).build();
        }
    }
}
