package io.wasserflow.models.train;

import io.wasserflow.models.lipschitz.Constraint;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.nets.Init;
import io.wasserflow.models.optim.OptimizerConfig;
import java.io.Serializable;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * One experiment: networks, loss, Lipschitz constraint, optimizer and schedule (SPEC §4). The
 * defaults follow the reference code by kind of data ({@link #defaults}); a job carries these to
 * its operators, hence Serializable, with every record inside.
 *
 * @param nCritic critic steps per generator step
 * @param warmup the WGAN reference's 100 critic steps for the first 25 generator steps and every 500th
 */
public record ExperimentConfig(
        String name,
        Architecture architecture,
        Loss loss,
        Constraint constraint,
        Init init,
        OptimizerConfig optimizer,
        int nCritic,
        boolean warmup,
        int batchSize,
        int zDim,
        long seed,
        Publish publish,
        Alerts alerts,
        DataType dtype) implements Serializable {

    /**
     * How often diagnostics are computed: scalars and norms every {@code normsEvery} critic steps,
     * weight histograms (and, for unpenalised critics, the input-gradient quantiles, which cost an
     * extra pass) every {@code histogramsEvery} critic steps, samples every {@code samplesEvery}
     * generator steps. {@code histogramRange} is the half-width of the histogram's fixed bucket
     * edges (a clipped critic uses its c), divided into {@code histogramBuckets} buckets.
     */
    public record Publish(int normsEvery, int histogramsEvery, int samplesEvery, double histogramRange, int histogramBuckets) implements Serializable {
        public static Publish defaults() {
            return new Publish(1, 50, 100, 0.3, 30);
        }
    }

    /** The in-job detector's thresholds on per-layer gradient norms. */
    public record Alerts(double vanishingBelow, double explodingAbove) implements Serializable {
        public static Alerts defaults() {
            return new Alerts(1e-8, 1e3);
        }
    }

    /** WGAN reference: 100 critic steps for the first 25 generator steps and on every 500th. */
    static final int WARMUP_CRITIC_STEPS = 100, WARMUP_GENERATOR_STEPS = 25, WARMUP_EVERY = 500;

    /** Critic steps to take before the generator step numbered {@code generatorStep}. */
    public int criticStepsBefore(long generatorStep) {
        if (warmup && (generatorStep < WARMUP_GENERATOR_STEPS || generatorStep % WARMUP_EVERY == 0)) return WARMUP_CRITIC_STEPS;
        return nCritic;
    }

    /** The bucket upper bounds of the weight histograms (an implicit +Inf bucket follows). */
    public double[] histogramEdges() {
        double range = constraint instanceof Constraint.Clip clip ? clip.c() : publish.histogramRange();
        int n = publish.histogramBuckets();
        double[] edges = new double[n + 1];
        for (int i = 0; i <= n; i++) edges[i] = -range + 2 * range * i / n;
        return edges;
    }

    /**
     * Reference defaults (SPEC §4) for a loss and constraint: toy data (2-D points) or images.
     * Wasserstein losses use n_critic 5, the GAN losses 1; clipping RMSProp 5e-5 at c 0.01; the
     * penalties Adam 1e-4 (0.5, 0.9) with lambda 0.1 on toy data and 10 on images; GANs Adam 2e-4 (0.5, 0.999).
     */
    public static ExperimentConfig defaults(String name, boolean toy, Loss loss, String constraint) {
        Constraint c;
        OptimizerConfig opt;
        double lambda = toy ? 0.1 : 10;
        switch (constraint) {
            case "clip" -> { c = new Constraint.Clip(0.01); opt = OptimizerConfig.rmsprop(5e-5); }
            case "gp" -> { c = new Constraint.GradientPenalty(lambda); opt = OptimizerConfig.adam(1e-4, 0.5, 0.9); }
            case "lp" -> { c = new Constraint.OneSidedPenalty(lambda); opt = OptimizerConfig.adam(1e-4, 0.5, 0.9); }
            case "none" -> { c = new Constraint.None(); opt = OptimizerConfig.adam(1e-4, 0.5, 0.9); }
            default -> throw new IllegalArgumentException("unknown constraint " + constraint + " (clip, gp, lp or none)");
        }
        if (!loss.isWasserstein()) opt = OptimizerConfig.adam(2e-4, 0.5, 0.999);
        return new ExperimentConfig(name,
                toy ? Architecture.mlp(3, 512) : Architecture.dcgan(64),
                loss, c, Init.HE, opt,
                loss.isWasserstein() ? 5 : 1, false,
                toy ? 256 : 64, toy ? 2 : 128, 1L,
                Publish.defaults(), Alerts.defaults(), DataType.FLOAT);
    }

    public ExperimentConfig withName(String n) {
        return new ExperimentConfig(n, architecture, loss, constraint, init, optimizer, nCritic, warmup, batchSize, zDim, seed, publish, alerts, dtype);
    }

    public ExperimentConfig withArchitecture(Architecture a) {
        return new ExperimentConfig(name, a, loss, constraint, init, optimizer, nCritic, warmup, batchSize, zDim, seed, publish, alerts, dtype);
    }

    public ExperimentConfig withConstraint(Constraint c) {
        return new ExperimentConfig(name, architecture, loss, c, init, optimizer, nCritic, warmup, batchSize, zDim, seed, publish, alerts, dtype);
    }

    public ExperimentConfig withOptimizer(OptimizerConfig o) {
        return new ExperimentConfig(name, architecture, loss, constraint, init, o, nCritic, warmup, batchSize, zDim, seed, publish, alerts, dtype);
    }

    public ExperimentConfig withSchedule(int nCritic, boolean warmup, int batchSize) {
        return new ExperimentConfig(name, architecture, loss, constraint, init, optimizer, nCritic, warmup, batchSize, zDim, seed, publish, alerts, dtype);
    }

    public ExperimentConfig withSeed(long s) {
        return new ExperimentConfig(name, architecture, loss, constraint, init, optimizer, nCritic, warmup, batchSize, zDim, s, publish, alerts, dtype);
    }

    public ExperimentConfig withInit(Init i) {
        return new ExperimentConfig(name, architecture, loss, constraint, i, optimizer, nCritic, warmup, batchSize, zDim, seed, publish, alerts, dtype);
    }

    public ExperimentConfig withZDim(int z) {
        return new ExperimentConfig(name, architecture, loss, constraint, init, optimizer, nCritic, warmup, batchSize, z, seed, publish, alerts, dtype);
    }

    public ExperimentConfig withPublish(Publish p) {
        return new ExperimentConfig(name, architecture, loss, constraint, init, optimizer, nCritic, warmup, batchSize, zDim, seed, p, alerts, dtype);
    }

    public ExperimentConfig withAlerts(Alerts a) {
        return new ExperimentConfig(name, architecture, loss, constraint, init, optimizer, nCritic, warmup, batchSize, zDim, seed, publish, a, dtype);
    }

    public ExperimentConfig withDtype(DataType d) {
        return new ExperimentConfig(name, architecture, loss, constraint, init, optimizer, nCritic, warmup, batchSize, zDim, seed, publish, alerts, d);
    }
}
