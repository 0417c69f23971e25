package io.wasserflow.models.train;

import io.wasserflow.models.lipschitz.Constraint;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.nets.Init;
import io.wasserflow.models.optim.OptimizerConfig;
import java.io.Serializable;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * One experiment: networks, loss, Lipschitz constraint, optimizer and schedule (SPEC §4). The
 * defaults follow the reference code by kind of data ({@link #builder}); a job carries these to
 * its operators, hence Serializable, with every record inside.
 *
 * @param nCritic critic steps per generator step
 * @param warmup the WGAN reference's 100 critic steps for the first 25 generator steps and every 500th
 * @param fixedGenerator null for a trained generator; else the fakes come from this fixed Gaussian and
 *     no generator step is taken (the WGAN paper's Figure 2: a critic trained against a fixed fake)
 * @param model {@link Model#GAN}: a generator and a critic; {@link Model#BIGAN}: an encoder beside the
 *     generator and a critic on joint pairs (x, z)
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
        DataType dtype,
        FixedGaussian fixedGenerator,
        Model model) implements Serializable {

    /** What is trained: a generator against a critic, or BiGAN's encoder and generator against a joint critic. */
    public enum Model {
        GAN("gan"), BIGAN("bigan");

        public final String id;

        Model(String id) { this.id = id; }
    }

    /** Whether an encoder is trained beside the generator (BiGAN). */
    public boolean bigan() {
        return model == Model.BIGAN;
    }

    /**
     * A generator held fixed: every coordinate of a fake is mean + std * N(0, 1), drawn from the
     * experiment's random generator in place of G(z). Nothing of it is trained.
     */
    public record FixedGaussian(double mean, double std) implements Serializable {}

    /** Whether generator steps are taken: false when the generator is held fixed. */
    public boolean trainsGenerator() {
        return fixedGenerator == null;
    }

    /**
     * Critic steps in a run of {@code steps} steps as {@code --steps} counts them: generator steps
     * (each after its n_critic or warm-up critic steps), or critic steps when the generator is fixed,
     * since then no generator step trains anything.
     */
    public long criticStepsIn(long steps) {
        if (!trainsGenerator()) return steps;
        long critic = 0;
        for (long g = 0; g < steps; g++) critic += criticStepsBefore(g);
        return critic;
    }

    /**
     * How often diagnostics are computed: scalars and norms every {@code normsEvery} critic steps,
     * weight histograms (and, for unpenalised critics, the input-gradient quantiles, which cost an
     * extra pass) every {@code histogramsEvery} critic steps, samples every {@code samplesEvery}
     * generator steps. {@code histogramRange} is the half-width of the histogram's fixed bucket
     * edges (a clipped critic uses its c), divided into {@code histogramBuckets} buckets.
     */
    public record Publish(int normsEvery, int histogramsEvery, int samplesEvery, double histogramRange, int histogramBuckets, Layers layers)
            implements Serializable {
        public Publish(int normsEvery, int histogramsEvery, int samplesEvery, double histogramRange, int histogramBuckets) {
            this(normsEvery, histogramsEvery, samplesEvery, histogramRange, histogramBuckets, Layers.ALL);
        }

        public static Publish defaults() {
            return new Publish(1, 50, 100, 0.3, 30);
        }
    }

    /**
     * Which layers' per-layer series (norms, clip shares, spectral norms, weight histograms) are
     * published: every linear layer, only each network's first and last (a sweep's series budget),
     * or none. What is computed, and what the in-job gradient detector sees, stays the same.
     */
    public enum Layers {
        ALL, ENDS, NONE;

        /** Whether the layer at {@code index} of a network's {@code count} linear layers is published. */
        public boolean keeps(int index, int count) {
            return this == ALL || (this == ENDS && (index == 0 || index == count - 1));
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
     * SPEC §4's defaults, the one place they are stated: by kind of data ({@code toy}: 2-D points,
     * otherwise 28x28 images), loss, and constraint ({@code clip}, {@code gp}, {@code lp}, {@code sn} or {@code none}).
     */
    public static Builder builder(String name, boolean toy, Loss loss, String constraint) {
        return new Builder()
                .name(name)
                .architecture(defaultArchitecture(toy ? Architecture.Kind.MLP : Architecture.Kind.DCGAN))
                .loss(loss)
                .constraint(defaultConstraint(constraint, toy))
                .init(Init.HE)
                .optimizer(defaultOptimizer(loss, constraint))
                .nCritic(loss.isWasserstein() ? 5 : 1)
                .warmup(false)
                .batchSize(toy ? 256 : 64)
                .zDim(toy ? 2 : 128)
                .seed(1)
                .publish(Publish.defaults())
                .alerts(Alerts.defaults())
                .dtype(DataType.FLOAT)
                .model(Model.GAN);
    }

    /** {@link #builder}'s defaults, built. */
    public static ExperimentConfig defaults(String name, boolean toy, Loss loss, String constraint) {
        return builder(name, toy, loss, constraint).build();
    }

    /** An architecture named without its parameters: mlp depth 3, width 512 (the WGAN-GP toy networks); dcgan base channels 64. */
    public static Architecture defaultArchitecture(Architecture.Kind kind) {
        return kind == Architecture.Kind.MLP ? Architecture.mlp(3, 512) : Architecture.dcgan(64);
    }

    /** A constraint named without its parameter: c 0.01; lambda 0.1 on toy data, 10 on images; one power step per update. */
    public static Constraint defaultConstraint(String constraint, boolean toy) {
        double lambda = toy ? 0.1 : 10;
        return switch (constraint) {
            case "clip" -> new Constraint.Clip(0.01);
            case "gp" -> new Constraint.GradientPenalty(lambda);
            case "lp" -> new Constraint.OneSidedPenalty(lambda);
            case "sn" -> new Constraint.SpectralNorm(Constraint.SpectralNorm.DEFAULT_POWER_ITERATIONS);
            case "none" -> new Constraint.None();
            default -> throw new IllegalArgumentException("unknown constraint " + constraint + " (clip, gp, lp, sn or none)");
        };
    }

    /** RMSProp 5e-5 for a clipped critic, Adam 1e-4 (0.5, 0.9) for the other Wasserstein critics (sn as gp), Adam 2e-4 (0.5, 0.999) for the GANs. */
    private static OptimizerConfig defaultOptimizer(Loss loss, String constraint) {
        if (!loss.isWasserstein()) return OptimizerConfig.adam(2e-4, 0.5, 0.999);
        return constraint.equals("clip") ? OptimizerConfig.rmsprop(5e-5) : OptimizerConfig.adam(1e-4, 0.5, 0.9);
    }

    /**
     * An optimizer named without its parameters, in place of {@code current}: current's learning
     * rate, and for Adam current's betas, or the reference's (0.5, 0.9) if current is not Adam.
     */
    public static OptimizerConfig namedOptimizer(OptimizerConfig.Kind kind, OptimizerConfig current) {
        return switch (kind) {
            case ADAM -> current.kind() == OptimizerConfig.Kind.ADAM ? current : OptimizerConfig.adam(current.lr(), 0.5, 0.9);
            case RMSPROP -> OptimizerConfig.rmsprop(current.lr());
            case SGD -> OptimizerConfig.sgd(current.lr());
        };
    }

    /** This config as a builder, to change some of it. */
    public Builder toBuilder() {
        return new Builder().name(name).architecture(architecture).loss(loss).constraint(constraint).init(init).optimizer(optimizer)
                .nCritic(nCritic).warmup(warmup).batchSize(batchSize).zDim(zDim).seed(seed).publish(publish).alerts(alerts).dtype(dtype).fixedGenerator(fixedGenerator).model(model);
    }

    /** An ExperimentConfig being put together: from {@link #builder}'s defaults or {@link #toBuilder}. */
    public static final class Builder {
        private String name;
        private Architecture architecture;
        private Loss loss;
        private Constraint constraint;
        private Init init;
        private OptimizerConfig optimizer;
        private int nCritic;
        private boolean warmup;
        private int batchSize, zDim;
        private long seed;
        private int normsEvery, histogramsEvery, samplesEvery, histogramBuckets;
        private double histogramRange;
        private Layers publishedLayers;
        private double vanishingBelow, explodingAbove;
        private DataType dtype;
        private FixedGaussian fixedGenerator;
        private Model model;

        private Builder() {}

        public Builder name(String name) { this.name = name; return this; }
        public Builder architecture(Architecture architecture) { this.architecture = architecture; return this; }
        public Builder criticNorm(Architecture.Norm norm) { architecture = architecture.withNorms(norm, architecture.generatorNorm()); return this; }
        public Builder generatorNorm(Architecture.Norm norm) { architecture = architecture.withNorms(architecture.criticNorm(), norm); return this; }
        /** The generator's own shape (null: the critic's). */
        public Builder generatorArchitecture(Architecture shape) { architecture = architecture.withGenerator(shape); return this; }
        public Builder loss(Loss loss) { this.loss = loss; return this; }
        public Builder constraint(Constraint constraint) { this.constraint = constraint; return this; }
        public Builder init(Init init) { this.init = init; return this; }
        public Builder optimizer(OptimizerConfig optimizer) { this.optimizer = optimizer; return this; }
        public Builder nCritic(int nCritic) { this.nCritic = nCritic; return this; }
        public Builder warmup(boolean warmup) { this.warmup = warmup; return this; }
        public Builder batchSize(int batchSize) { this.batchSize = batchSize; return this; }
        public Builder zDim(int zDim) { this.zDim = zDim; return this; }
        public Builder seed(long seed) { this.seed = seed; return this; }
        public Builder publish(Publish p) {
            return normsEvery(p.normsEvery()).histogramsEvery(p.histogramsEvery()).samplesEvery(p.samplesEvery())
                    .histogramRange(p.histogramRange()).histogramBuckets(p.histogramBuckets()).publishedLayers(p.layers());
        }
        public Builder publishedLayers(Layers layers) { this.publishedLayers = layers; return this; }
        public Builder normsEvery(int criticSteps) { this.normsEvery = criticSteps; return this; }
        public Builder histogramsEvery(int criticSteps) { this.histogramsEvery = criticSteps; return this; }
        public Builder samplesEvery(int generatorSteps) { this.samplesEvery = generatorSteps; return this; }
        public Builder histogramRange(double halfWidth) { this.histogramRange = halfWidth; return this; }
        public Builder histogramBuckets(int buckets) { this.histogramBuckets = buckets; return this; }
        public Builder alerts(Alerts a) { return vanishingBelow(a.vanishingBelow()).explodingAbove(a.explodingAbove()); }
        public Builder vanishingBelow(double norm) { this.vanishingBelow = norm; return this; }
        public Builder explodingAbove(double norm) { this.explodingAbove = norm; return this; }
        public Builder dtype(DataType dtype) { this.dtype = dtype; return this; }
        /** Holds the generator fixed at this Gaussian (null: trained, the default). */
        public Builder fixedGenerator(FixedGaussian g) { this.fixedGenerator = g; return this; }
        public Builder model(Model model) { this.model = model; return this; }

        /** The architecture so far, for a change to one of its parameters. */
        public Architecture architecture() { return architecture; }

        /** The fixed generator so far (null: trained), for a change to one of its parameters. */
        public FixedGaussian fixedGenerator() { return fixedGenerator; }

        /** The optimizer so far, for a change to one of its parameters. */
        public OptimizerConfig optimizer() { return optimizer; }

        public ExperimentConfig build() {
            return new ExperimentConfig(name, architecture, loss, constraint, init, optimizer, nCritic, warmup, batchSize, zDim, seed,
                    new Publish(normsEvery, histogramsEvery, samplesEvery, histogramRange, histogramBuckets, publishedLayers),
                    new Alerts(vanishingBelow, explodingAbove), dtype, fixedGenerator, model);
        }
    }
}
