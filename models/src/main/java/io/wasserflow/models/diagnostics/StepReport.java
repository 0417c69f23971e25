package io.wasserflow.models.diagnostics;

import java.util.List;
import java.util.OptionalDouble;

/**
 * What one training step measured, as plain values for the pipeline to publish: a critic step's
 * report or a generator step's. A figure the step did not compute is absent by type (an empty
 * list, an empty optional), never NaN; NaN is a computed value (a diverged loss).
 */
public sealed interface StepReport {
    enum Kind { CRITIC, GENERATOR }

    String[] QUANTILE_NAMES = {"min", "p10", "p50", "p90", "max"};

    Kind kind();
    long criticStep();
    long generatorStep();
    /** The trained network's loss (the critic's includes its penalty). */
    double loss();
    List<LayerValue> weightGradientNorms();
    List<LayerValue> activationGradientNorms();
    List<WeightHistogram> histograms();
    double stepSeconds();
    int batchSize();

    /** False when the step's loss is NaN or infinite: the experiment has diverged. */
    default boolean finite() {
        return Double.isFinite(loss());
    }

    /**
     * @param wassersteinEstimate mean D(real) - mean D(fake) on the critic batch (Wasserstein losses only)
     * @param gradientPenalty the penalty term (penalised constraints only)
     * @param inputGradientQuantiles min, p10, p50, p90, max of ||grad_x D|| at the interpolates (empty: not measured)
     * @param clipFractions per clipped layer, the share of its weights at +-c
     * @param spectralNorms per linear layer, the largest singular value of the weight it computes with
     */
    record Critic(long criticStep, long generatorStep, OptionalDouble wassersteinEstimate, double loss, OptionalDouble gradientPenalty,
            List<LayerValue> weightGradientNorms, List<LayerValue> activationGradientNorms, double[] inputGradientQuantiles,
            List<WeightHistogram> histograms, List<LayerValue> clipFractions, List<LayerValue> spectralNorms, double stepSeconds, int batchSize)
            implements StepReport {
        public Critic {
            if (inputGradientQuantiles == null) inputGradientQuantiles = new double[0];
        }

        @Override public Kind kind() { return Kind.CRITIC; }
    }

    record Generator(long criticStep, long generatorStep, double loss, List<LayerValue> weightGradientNorms,
            List<LayerValue> activationGradientNorms, List<WeightHistogram> histograms, double stepSeconds, int batchSize) implements StepReport {
        @Override public Kind kind() { return Kind.GENERATOR; }
    }
}
