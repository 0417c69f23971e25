package io.wasserflow.models.diagnostics;

import java.util.List;

/**
 * What one training step measured, as plain values for the pipeline to publish. Figures that a
 * step did not compute are NaN (scalars) or empty (lists); quantiles is null when not computed.
 *
 * @param wassersteinEstimate mean D(real) - mean D(fake) on the critic batch (Wasserstein losses)
 * @param criticLoss the critic's whole loss, penalty included
 * @param inputGradientQuantiles min, p10, p50, p90, max of ||grad_x D|| at the interpolates
 * @param clipFractions per clipped layer, the share of its weights at +-c
 */
public record StepReport(
        Kind kind,
        long criticStep,
        long generatorStep,
        double wassersteinEstimate,
        double criticLoss,
        double gradientPenalty,
        double generatorLoss,
        List<LayerValue> weightGradientNorms,
        List<LayerValue> activationGradientNorms,
        double[] inputGradientQuantiles,
        List<WeightHistogram> histograms,
        List<LayerValue> clipFractions,
        double stepSeconds,
        int batchSize) {

    public enum Kind { CRITIC, GENERATOR }

    public static final String[] QUANTILE_NAMES = {"min", "p10", "p50", "p90", "max"};

    /** False when the step's loss is NaN or infinite (a penalty is part of the critic loss): the experiment has diverged. */
    public boolean finite() {
        return kind == Kind.CRITIC ? Double.isFinite(criticLoss) : Double.isFinite(generatorLoss);
    }
}
