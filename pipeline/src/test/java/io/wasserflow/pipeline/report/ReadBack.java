package io.wasserflow.pipeline.report;

import io.wasserflow.pipeline.run.RunFolder;
import io.wasserflow.models.train.ExperimentConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A finished run's metrics read back exactly as {@code report} reads them (RunFolder's local copy
 * of the records, reduced by ExperimentMetrics), for tests outside this package that check what
 * the report shows. No broker, no job.
 */
public final class ReadBack {
    private ReadBack() {}

    /**
     * One experiment as the report sees it.
     *
     * @param criticLayers the critic's layers, input side first
     * @param figure1 per layer (in criticLayers order), the mean activation-gradient norm over the latest critic steps, as the report's Figure 1 draws it
     * @param figure1Steps the critic steps that mean is over
     * @param clipFractions per critic layer, the latest share of weights at +-c (empty without clipping)
     * @param histogramBounds the latest critic weight histogram's bucket upper bounds (summed over layers), or null
     * @param histogramCounts its counts (one more than the bounds: the +Inf bucket)
     * @param quality the latest value of each sample-quality measure, and quality over generator steps by measure
     */
    public record Experiment(ExperimentConfig config, long generatorSteps, long criticSteps, List<String> criticLayers, double[] figure1,
            List<Long> figure1Steps, Map<String, Double> clipFractions, long histogramStep, double[] histogramBounds, long[] histogramCounts,
            Map<String, Double> quality, Map<String, double[][]> qualityOverTime) {

        /** The report's "weights at ±c": the mean over the critic's layers of the share at the clip bound (NaN without clipping). */
        public double clipShare() {
            return clipFractions.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }
    }

    public static Map<String, Experiment> read(Path workdir, String runId) throws IOException {
        RunFolder run = RunFolder.open(workdir, runId);
        Map<String, ExperimentMetrics> experiments = new LinkedHashMap<>();
        for (ExperimentConfig c : run.config().experiments()) experiments.put(c.name(), new ExperimentMetrics(c));
        run.forEachMetric(m -> {
            ExperimentMetrics e = experiments.get(m.getExperiment());
            if (e != null && m.getRun().equals(run.runId())) e.accept(m);
        });
        Map<String, Experiment> out = new LinkedHashMap<>();
        for (ExperimentMetrics e : experiments.values()) {
            e.finish();
            List<String> layers = List.copyOf(e.criticLayers);
            ExperimentMetrics.Histogram h = e.criticWeights();
            Map<String, double[][]> overTime = new LinkedHashMap<>();
            e.quality.forEach((measure, s) -> overTime.put(measure, new double[][] {java.util.Arrays.copyOf(s.x, s.n), java.util.Arrays.copyOf(s.y, s.n)}));
            out.put(e.config.name(), new Experiment(e.config, e.generatorSteps, e.criticSteps, layers, e.figure1(layers),
                    List.copyOf(e.recentActivationNorms.keySet()), Map.copyOf(e.latestClipFractions), e.histogramStep,
                    h == null ? null : h.upperBounds(), h == null ? null : h.counts(), e.latestQuality(), overTime));
        }
        return out;
    }

    /** How the report prints a number (its tables and text). */
    public static String num(double v) {
        return Report.num(v);
    }
}
