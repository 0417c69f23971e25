package io.wasserflow.models.train;

import io.wasserflow.models.diagnostics.LayerValue;
import io.wasserflow.models.diagnostics.Norms;
import io.wasserflow.models.diagnostics.Quantiles;
import io.wasserflow.models.diagnostics.SpectralNorms;
import io.wasserflow.models.diagnostics.StepProfile;
import io.wasserflow.models.diagnostics.StepReport;
import io.wasserflow.models.diagnostics.WeightHistogram;
import io.wasserflow.models.layers.Layer;
import io.wasserflow.models.layers.Param;
import io.wasserflow.models.lipschitz.Constraint;
import io.wasserflow.models.lipschitz.SpectralNormalisation;
import io.wasserflow.models.lipschitz.WeightClipping;
import io.wasserflow.models.nets.Network;
import io.wasserflow.models.nets.Networks;
import io.wasserflow.models.optim.ArrayIO;
import io.wasserflow.models.optim.Optimizer;
import io.wasserflow.models.util.Rng;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalDouble;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One experiment's training loop, fed one real batch at a time: each batch is one critic step, and
 * after every n_critic critic steps (or the warm-up schedule's 100) comes one generator step; with a
 * fixed generator ({@link ExperimentConfig#fixedGenerator}) the fakes are drawn from its Gaussian and
 * no generator step comes (the generator network is still built, and never changes). A BiGAN
 * ({@link ExperimentConfig#bigan}) adds an encoder: its critic judges joint pairs, real (x, E(x))
 * against fake (G(z), z), and its generator step updates E and G together on the same real batch.
 * Holds the networks, their optimizers, the random generator and the counters; {@link #saveState()}
 * and {@link #restoreState(byte[])} carry all of it, so a restored trainer continues bit for bit.
 */
public final class Trainer {
    private static final int STATE_MAGIC = 0x57464C57; // "WFLW"
    /** 2: spectral normalisation's vectors and the spectral-norm measurement's vectors follow the optimizers. */
    private static final int STATE_VERSION = 2;

    /**
     * Every temporary of a step lives in one workspace (an arena that is reset after the step), so
     * the hundreds of intermediate arrays cost no off-heap allocation each (README: where the time
     * goes). Parameters, gradients and optimizer moments are allocated outside it and live on.
     */
    private static final WorkspaceConfiguration STEP_WORKSPACE = WorkspaceConfiguration.builder()
            .initialSize(0).policyAllocation(AllocationPolicy.STRICT).policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT).policySpill(SpillPolicy.REALLOCATE).build();

    private final ExperimentConfig config;
    private final String workspaceId;
    private final long[] dataShape;
    private final Network critic, generator;
    private final Optimizer criticOptimizer, generatorOptimizer;
    private final CriticStep criticStep;
    private final GeneratorStep generatorStep;
    /** BiGAN's encoder, its optimizer and their step with the generator's; null for a GAN. */
    private final Network encoder;
    private final Optimizer encoderOptimizer;
    private final EncoderGeneratorStep encoderGeneratorStep;
    /** Null unless the constraint is sn. */
    private final SpectralNormalisation spectralNorm;
    private final SpectralNorms criticSpectralNorms;
    private Rng rng;
    private long criticSteps, generatorSteps, criticStepsSinceGenerator;
    private boolean diagnostics = true;

    /** @param dataShape one sample's [channels, height, width]: [1, 1, 2] for the 2-D toy sets */
    public Trainer(ExperimentConfig config, long[] dataShape) {
        if (config.bigan() && config.loss() == Loss.GAN_MINIMAX) throw new IllegalArgumentException("model bigan trains with loss wgan or gan, not gan-minimax");
        if (config.bigan() && !config.trainsGenerator()) throw new IllegalArgumentException("model bigan needs a trained generator, not a fixed one");
        this.config = config;
        this.workspaceId = "wasserflow-step-" + config.name() + "-" + System.identityHashCode(this);
        this.dataShape = dataShape.clone();
        this.rng = new Rng(config.seed());
        Rng init = rng.split();
        this.critic = config.bigan() ? Networks.jointCritic(config.architecture(), dataShape, config.zDim(), config.init(), init, config.dtype())
                : Networks.critic(config.architecture(), dataShape, config.init(), init, config.dtype());
        this.generator = Networks.generator(config.architecture(), dataShape, config.zDim(), config.init(), init, config.dtype());
        // the encoder after both networks: a GAN's streams are as they were
        this.encoder = config.bigan() ? Networks.encoder(config.architecture(), dataShape, config.zDim(), config.init(), init, config.dtype()) : null;
        this.criticOptimizer = Optimizer.of(config.optimizer(), critic.params());
        this.generatorOptimizer = Optimizer.of(config.optimizer(), generator.params());
        this.encoderOptimizer = encoder == null ? null : Optimizer.of(config.optimizer(), encoder.params());
        if (config.constraint() instanceof Constraint.Clip clip) WeightClipping.clamp(critic.params(), clip.c());
        // u from the initialisation stream, after both networks: the other constraints' streams are as they were
        this.spectralNorm = config.constraint() instanceof Constraint.SpectralNorm sn ? new SpectralNormalisation(critic, sn.powerIterations(), init) : null;
        this.criticSpectralNorms = new SpectralNorms(critic);
        this.criticStep = new CriticStep(critic, config.loss(), config.constraint(), criticOptimizer, spectralNorm);
        this.generatorStep = new GeneratorStep(generator, critic, config.loss(), generatorOptimizer);
        this.encoderGeneratorStep = encoder == null ? null
                : new EncoderGeneratorStep(encoder, generator, critic, config.loss(), encoderOptimizer, generatorOptimizer);
    }

    public ExperimentConfig config() { return config; }
    public Network critic() { return critic; }
    public Network generator() { return generator; }
    /** BiGAN's encoder; null for a GAN. */
    public Network encoder() { return encoder; }
    public long criticSteps() { return criticSteps; }
    public long generatorSteps() { return generatorSteps; }
    public long[] dataShape() { return dataShape.clone(); }

    /** Steps as {@code --steps} counts them: generator steps, or critic steps when the generator is fixed. */
    public long steps() { return config.trainsGenerator() ? generatorSteps : criticSteps; }

    /**
     * One critic step on this real batch ([B, C, H, W] or [B, features], in the config's dtype),
     * then a generator step if one is due. Returns their reports in order.
     */
    public List<StepReport> step(INDArray real) {
        if (real.size(0) != config.batchSize())
            throw new IllegalArgumentException("batch of " + real.size(0) + " samples, experiment " + config.name() + " trains on " + config.batchSize());
        List<StepReport> reports = new ArrayList<>(2);
        long t = StepProfile.clock();
        INDArray x = real.castTo(config.dtype());
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP_WORKSPACE, workspaceId)) {
            reports.add(criticStep(x));
        }
        StepProfile.phase("critic step", t);
        criticStepsSinceGenerator++;
        if (config.trainsGenerator() && criticStepsSinceGenerator >= config.criticStepsBefore(generatorSteps)) {
            t = StepProfile.clock();
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(STEP_WORKSPACE, workspaceId)) {
                reports.add(generatorStep(x));
            }
            StepProfile.phase("generator step", t);
            criticStepsSinceGenerator = 0;
        }
        return reports;
    }

    private boolean due(long step, int every) {
        return diagnostics && every > 0 && step % every == 0;
    }

    /**
     * Turns the published diagnostics (per-layer norms, clip shares, weight histograms) on or off
     * from the next step, leaving the training itself as it is: the benchmark alternates blocks of
     * steps with and without them on one trainer to measure what they cost.
     */
    public void diagnostics(boolean on) {
        this.diagnostics = on;
    }

    private StepReport criticStep(INDArray real) {
        long start = System.nanoTime();
        int b = config.batchSize();
        INDArray fake;
        if (encoder != null) { // joint pairs: (G(z), z) against (x, E(x))
            INDArray z = Noise.gaussian(rng, config.dtype(), b, config.zDim());
            fake = JointPairs.of(generator.forward(z), z);
            real = JointPairs.of(real, encoder.forward(real));
        } else fake = config.trainsGenerator() ? generator.forward(Noise.gaussian(rng, config.dtype(), b, config.zDim())).reshape(real.shape())
                : fixedFakes(rng, b).reshape(real.shape());
        INDArray eps = Noise.uniform(rng, config.dtype(), b, 1);
        StepProfile.phase("critic: noise and fakes", start);
        boolean norms = due(criticSteps, config.publish().normsEvery());
        boolean histograms = due(criticSteps, config.publish().histogramsEvery());
        double[] activation = norms ? new double[critic.linearLayers().size()] : null;

        CriticStep.Outcome o = criticStep.run(real, fake, eps, histograms, activation);
        long t = StepProfile.clock();

        List<LayerValue> gradNorms = norms ? weightGradientNorms(critic) : List.of();
        List<LayerValue> clip = norms && config.constraint() instanceof Constraint.Clip c ? clipFractions(c.c()) : List.of();
        List<LayerValue> spectral = norms ? criticSpectralNorms.measure() : List.of();
        List<WeightHistogram> hist = histograms ? histograms(critic) : List.of();
        StepProfile.phase("critic: diagnostics", t);
        criticSteps++;
        double seconds = (System.nanoTime() - start) / 1e9;
        return new StepReport.Critic(criticSteps, generatorSteps,
                config.loss().isWasserstein() ? OptionalDouble.of(-o.wassersteinTerm()) : OptionalDouble.empty(),
                o.loss(), o.penalty() == null ? OptionalDouble.empty() : OptionalDouble.of(o.penalty()),
                gradNorms, layerValues(critic, activation),
                o.inputGradientNorms() == null ? null : Quantiles.of(o.inputGradientNorms(), Quantiles.FIVE),
                hist, clip, spectral, seconds, b);
    }

    /** @param real the latest critic step's batch: a BiGAN's encoder trains on it */
    private StepReport generatorStep(INDArray real) {
        long start = System.nanoTime();
        int b = config.batchSize();
        INDArray z = Noise.gaussian(rng, config.dtype(), b, config.zDim());
        boolean norms = due(generatorSteps, config.publish().normsEvery());
        boolean histograms = due(generatorSteps, config.publish().histogramsEvery());
        double[] activation = norms ? new double[generator.linearLayers().size()] : null;
        double[] encoderActivation = norms && encoder != null ? new double[encoder.linearLayers().size()] : null;
        double loss = encoder == null ? generatorStep.run(z, activation) : encoderGeneratorStep.run(real, z, encoderActivation, activation);
        List<LayerValue> gradNorms = norms ? weightGradientNorms(generator) : List.of();
        List<WeightHistogram> hist = histograms ? histograms(generator) : List.of();
        List<LayerValue> activations = layerValues(generator, activation);
        if (encoder != null) { // the encoder's per-layer series beside the generator's, network="encoder"
            gradNorms = concat(gradNorms, norms ? weightGradientNorms(encoder) : List.of());
            hist = concat(hist, histograms ? histograms(encoder) : List.of());
            activations = concat(activations, layerValues(encoder, encoderActivation));
        }
        generatorSteps++;
        double seconds = (System.nanoTime() - start) / 1e9;
        return new StepReport.Generator(criticSteps, generatorSteps, loss, gradNorms, activations, hist, seconds, b);
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static Param weightsOf(Layer l) {
        return l.params().get(0);
    }

    private static List<LayerValue> weightGradientNorms(Network n) {
        List<LayerValue> out = new ArrayList<>();
        for (Layer l : n.linearLayers()) out.add(new LayerValue(n.role, l.name(), Norms.l2(weightsOf(l).grad)));
        return out;
    }

    private static List<LayerValue> layerValues(Network n, double[] values) {
        if (values == null) return List.of();
        List<LayerValue> out = new ArrayList<>();
        List<Layer> linear = n.linearLayers();
        for (int i = 0; i < values.length; i++) out.add(new LayerValue(n.role, linear.get(i).name(), values[i]));
        return out;
    }

    private List<LayerValue> clipFractions(double c) {
        List<LayerValue> out = new ArrayList<>();
        for (Layer l : critic.linearLayers()) out.add(new LayerValue("critic", l.name(), WeightClipping.shareAtBound(weightsOf(l).value, c)));
        return out;
    }

    private List<WeightHistogram> histograms(Network n) {
        double[] edges = config.histogramEdges();
        List<WeightHistogram> out = new ArrayList<>();
        for (Layer l : n.linearLayers()) out.add(WeightHistogram.of(n.role, l.name(), weightsOf(l).value, edges));
        return out;
    }

    /**
     * n samples from the generator with noise from a generator seeded by {@code seed}, so sampling
     * never moves the training stream. Shape [n, C, H, W].
     */
    public INDArray sample(int n, long seed) {
        if (!config.trainsGenerator()) return fixedFakes(new Rng(seed), n).reshape(new long[] {n, dataShape[0], dataShape[1], dataShape[2]});
        return generate(Noise.gaussian(new Rng(seed), config.dtype(), n, config.zDim()));
    }

    /** The generator's outputs at latent points z [n, zDim], shape [n, C, H, W]. */
    public INDArray generate(INDArray z) {
        long n = z.size(0);
        long[] shape = new long[] {n, dataShape[0], dataShape[1], dataShape[2]};
        return generator.forward(z.castTo(config.dtype())).reshape(shape);
    }

    /** BiGAN's encoder at real samples x [n, C, H, W] (or [n, features]): E(x), [n, zDim]. */
    public INDArray encode(INDArray x) {
        requireEncoder();
        return encoder.forward(x.castTo(config.dtype()));
    }

    /** G(E(x)), shape [n, C, H, W]. */
    public INDArray reconstruct(INDArray x) {
        return generate(encode(x));
    }

    /** The mean over the samples of ||x_i - G(E(x_i))||: how far the encoder is from inverting the generator on data. */
    public double reconstructionError(INDArray x) {
        long n = x.size(0);
        INDArray diff = x.castTo(config.dtype()).reshape('c', n, x.length() / n).sub(reconstruct(x).reshape('c', n, x.length() / n));
        return diff.norm2(1).meanNumber().doubleValue();
    }

    /** The mean over n latent points (drawn from {@code seed}, never the training stream) of ||z_i - E(G(z_i))||. */
    public double latentError(int n, long seed) {
        requireEncoder();
        INDArray z = Noise.gaussian(new Rng(seed), config.dtype(), n, config.zDim());
        return z.sub(encoder.forward(generate(z))).norm2(1).meanNumber().doubleValue();
    }

    private void requireEncoder() {
        if (encoder == null) throw new IllegalStateException("experiment " + config.name() + " is a GAN: it has no encoder (model: bigan)");
    }

    /** n fakes of the fixed generator, [n, C*H*W]: every coordinate mean + std * N(0, 1). */
    private INDArray fixedFakes(Rng from, int n) {
        ExperimentConfig.FixedGaussian g = config.fixedGenerator();
        return Noise.gaussian(from, config.dtype(), n, dataShape[0] * dataShape[1] * dataShape[2]).muli(g.std()).addi(g.mean());
    }

    /** SHA-256 of every parameter's exact values, critic then generator (then a BiGAN's encoder). */
    public String parameterDigest() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            for (Param p : allParams()) ArrayIO.write(out, p.value);
            return HexFormat.of().formatHex(md.digest(bytes.toByteArray()));
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<Param> allParams() {
        List<Param> all = new ArrayList<>(critic.params());
        all.addAll(generator.params());
        if (encoder != null) all.addAll(encoder.params());
        return all;
    }

    /** Parameters, optimizer moments, random state, counters, and the power iterations' vectors. */
    public byte[] saveState() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(STATE_MAGIC);
            out.writeInt(STATE_VERSION);
            out.writeUTF(config.name());
            out.writeLong(criticSteps);
            out.writeLong(generatorSteps);
            out.writeLong(criticStepsSinceGenerator);
            out.write(rng.state());
            List<Param> all = allParams();
            out.writeInt(all.size());
            for (Param p : all) ArrayIO.write(out, p.value);
            criticOptimizer.writeState(out);
            generatorOptimizer.writeState(out);
            if (encoderOptimizer != null) encoderOptimizer.writeState(out);
            if (spectralNorm != null) spectralNorm.write(out);
            criticSpectralNorms.write(out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void restoreState(byte[] state) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(state));
            if (in.readInt() != STATE_MAGIC) throw new IOException("not a Wasserflow trainer state");
            int version = in.readInt();
            if (version != STATE_VERSION)
                throw new IOException("trainer state version " + version + ", this build reads only version " + STATE_VERSION
                        + (version < STATE_VERSION ? " (older states lack the spectral-norm vectors): start the run afresh" : ""));
            String name = in.readUTF();
            if (!name.equals(config.name())) throw new IOException("state of experiment " + name + " offered to " + config.name());
            criticSteps = in.readLong();
            generatorSteps = in.readLong();
            criticStepsSinceGenerator = in.readLong();
            byte[] rngState = new byte[Rng.STATE_BYTES];
            in.readFully(rngState);
            rng = Rng.fromState(rngState);
            List<Param> all = allParams();
            int n = in.readInt();
            if (n != all.size()) throw new IOException("state holds " + n + " tensors, the networks have " + all.size());
            for (Param p : all) ArrayIO.readInto(in, p.value);
            criticOptimizer.readState(in);
            generatorOptimizer.readState(in);
            if (encoderOptimizer != null) encoderOptimizer.readState(in);
            if (spectralNorm != null) spectralNorm.read(in);
            criticSpectralNorms.read(in);
            if (in.read() != -1) throw new IOException("trailing bytes after the state of " + name);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot restore trainer state: " + e.getMessage(), e);
        }
    }

    @Override public String toString() {
        return "Trainer[" + config.name() + " critic " + critic.parameterCount() + " params, generator "
                + generator.parameterCount() + " params" + (encoder == null ? "" : ", encoder " + encoder.parameterCount() + " params") + ", data " + Arrays.toString(dataShape) + "]";
    }
}
