package io.wasserflow.models.nets;

import io.wasserflow.models.optim.OptimizerConfig;
import io.wasserflow.models.train.ExperimentConfig;

/**
 * What an experiment needs in memory, from its config alone (no array is made): parameters and
 * their gradients, the optimizer's moments, and the activations of one step for its batch. Worked
 * out from the shapes {@link Networks} builds, so a config that cannot fit is refused before a
 * broker or a job starts, instead of failing inside ND4J (SPEC §4: bad config is refused up front).
 *
 * @param parameters the critic's and the generator's (and a BiGAN's encoder's), counted
 * @param largestTensor the element count of the largest single tensor: ND4J indexes buffers with
 *        ints in places, so no tensor may exceed {@link #MAX_TENSOR_ELEMENTS}
 * @param offHeapBytes ND4J's memory: values, gradients, moments, and the step's workspace
 * @param heapBytes the JVM heap a checkpoint needs: the trainer state serialised (values and moments), twice while it is copied
 */
public record MemoryEstimate(long parameters, long largestTensor, double offHeapBytes, double heapBytes,
        double parameterBytes, double momentBytes, double activationBytes) {
    /** The most elements one ND4J tensor holds safely here (Integer.MAX_VALUE - 8, Java's array bound). */
    public static final long MAX_TENSOR_ELEMENTS = Integer.MAX_VALUE - 8L;
    /**
     * Copies of each activation a critic step keeps live in its workspace: forward outputs and
     * pointwise slopes on real and fake (2B rows), their adjoints, the interpolates' forward, backward
     * and tangent (B rows each), and the generator's forward; measured peak use is below this bound
     * (MemoryEstimateTest).
     */
    static final double ACTIVATION_COPIES = 12;
    /**
     * What a JVM holds beyond its experiments' arrays, once: the native libraries' buffers (BLAS
     * threads, oneDNN's JIT kernels), the workspaces' slack, the Java side of a step (MemoryEstimateTest).
     */
    public static final double JVM_OVERHEAD_BYTES = 256e6;

    public static MemoryEstimate of(ExperimentConfig c, long[] dataShape) {
        Shapes critic = c.bigan() ? jointCritic(c.architecture(), dataShape, c.zDim()) : critic(c.architecture(), dataShape),
                generator = generator(c.architecture().generatorShape(), dataShape, c.zDim());
        // a BiGAN's encoder counts as part of the generator's side: it trains in the generator step
        if (c.bigan()) generator = generator.plus(discriminative(c.architecture(), dataShape, c.zDim()));
        long params = critic.params + generator.params;
        int bytes = c.dtype().width();
        int moments = c.optimizer().kind() == OptimizerConfig.Kind.ADAM ? 2 : c.optimizer().kind() == OptimizerConfig.Kind.RMSPROP ? 1 : 0;
        double parameterBytes = 2.0 * params * bytes, momentBytes = (double) moments * params * bytes;
        double activationBytes = ACTIVATION_COPIES * c.batchSize() * (double) (critic.activations + generator.activations) * bytes
                + (double) c.batchSize() * (critic.im2col + generator.im2col) * bytes;
        double heap = 2.0 * (1 + moments) * params * bytes;
        return new MemoryEstimate(params, Math.max(critic.largest, generator.largest), parameterBytes + momentBytes + activationBytes, heap,
                parameterBytes, momentBytes, activationBytes);
    }

    /** Parameters, per-sample activations (elements), the largest tensor, and per-sample im2col buffers of one network. */
    record Shapes(long params, long activations, long largest, long im2col) {
        Shapes plus(Shapes o) {
            return new Shapes(params + o.params, activations + o.activations, Math.max(largest, o.largest), im2col + o.im2col);
        }
    }

    private static final class Walk {
        long params, activations, largest, im2col;

        void dense(long in, long out) {
            weights(in * out, out);
            activations += 2 * out; // the layer's output and its nonlinearity's
        }

        void conv(long in, long out, long k, long outPixels, long inPixelsForCol) {
            weights(out * in * k * k, out);
            activations += 2 * out * outPixels;
            im2col += in * k * k * inPixelsForCol;
        }

        void norm(long features) {
            params += 2 * features;
        }

        private void weights(long w, long b) {
            params += w + b;
            largest = Math.max(largest, Math.max(w, b));
        }

        Shapes shapes() {
            return new Shapes(params, activations, largest, im2col);
        }
    }

    static Shapes critic(Architecture a, long[] s) {
        return discriminative(a, s, 1);
    }

    /** BiGAN's joint critic: an MLP on [x, z] (Networks#jointCritic). */
    static Shapes jointCritic(Architecture a, long[] s, int zDim) {
        Architecture mlp = a.kind() == Architecture.Kind.MLP ? a
                : Architecture.mlp(Networks.JOINT_DEPTH, Networks.JOINT_WIDTH_PER_CHANNEL * a.baseChannels()).withNorms(a.criticNorm(), a.generatorNorm());
        return discriminative(mlp, new long[] {1, 1, Networks.jointInputs(s, zDim)}, 1);
    }

    /** The critic's body with {@code outputs} outputs: the critic (1) or BiGAN's encoder (zDim). */
    static Shapes discriminative(Architecture a, long[] s, long outputs) {
        Walk w = new Walk();
        long inputs = s[0] * s[1] * s[2];
        if (a.kind() == Architecture.Kind.MLP) {
            long in = inputs;
            for (int i = 0; i < a.depth(); i++) {
                w.dense(in, a.width());
                if (a.criticNorm() == Architecture.Norm.LAYERNORM) w.norm(a.width());
                in = a.width();
            }
            w.dense(in, outputs);
        } else {
            long dim = a.baseChannels();
            long[] channels = {s[0], dim, 2 * dim, 4 * dim}, side = {28, 14, 7, 4};
            for (int i = 0; i < 3; i++) {
                w.conv(channels[i], channels[i + 1], Networks.KERNEL, side[i + 1] * side[i + 1], side[i + 1] * side[i + 1]);
                if (a.criticNorm() == Architecture.Norm.LAYERNORM) w.norm(channels[i + 1]);
            }
            w.dense(4 * 4 * 4 * dim, outputs);
        }
        return w.shapes();
    }

    static Shapes generator(Architecture a, long[] s, int zDim) {
        Walk w = new Walk();
        long outputs = s[0] * s[1] * s[2];
        boolean bn = a.generatorNorm() == Architecture.Norm.BATCHNORM;
        if (a.kind() == Architecture.Kind.MLP) {
            long in = zDim;
            for (int i = 0; i < a.depth(); i++) {
                w.dense(in, a.width());
                if (bn) w.norm(a.width());
                in = a.width();
            }
            w.dense(in, outputs);
        } else {
            long dim = a.baseChannels();
            w.dense(zDim, 4 * 4 * 4 * dim);
            if (bn) w.norm(4 * 4 * 4 * dim);
            long[] channels = {4 * dim, 2 * dim, dim, s[0]}, side = {4, 8, 14, 28};
            for (int i = 0; i < 3; i++) {
                // a transposed convolution's weights are [in, out, k, k]: the same count
                w.conv(channels[i], channels[i + 1], Networks.KERNEL, (side[i + 1] + 1) * (side[i + 1] + 1), side[i] * side[i]);
                if (bn && i < 2) w.norm(channels[i + 1]);
            }
        }
        return w.shapes();
    }

    /** A one-line description of what the estimate is made of. */
    public String describe() {
        return String.format(java.util.Locale.ROOT, "%s parameters with their gradients %s, optimizer moments %s, one step's activations %s",
                count(parameters), bytes(parameterBytes), bytes(momentBytes), bytes(activationBytes));
    }

    public static String bytes(double b) {
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
        int u = 0;
        while (b >= 1000 && u < units.length - 1) {
            b /= 1000;
            u++;
        }
        return String.format(java.util.Locale.ROOT, b >= 100 || u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
    }

    static String count(long n) {
        return n >= 1_000_000_000 ? String.format(java.util.Locale.ROOT, "%.1f billion", n / 1e9)
                : n >= 1_000_000 ? String.format(java.util.Locale.ROOT, "%.1f million", n / 1e6) : String.format(java.util.Locale.ROOT, "%,d", n);
    }
}
