package io.wasserflow.models.diagnostics;

import io.wasserflow.models.layers.Conv2d;
import io.wasserflow.models.layers.Dense;
import io.wasserflow.models.layers.Layer;
import io.wasserflow.models.optim.ArrayIO;
import io.wasserflow.models.util.Rng;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The largest singular value of a layer's weight matrix A by power iteration from persistent vectors
 * (Miyato et al. 2018, Algorithm 1): v <- A^T u / |A^T u|, then u <- A v / |A v|, sigma = u^T A v.
 * A has a row per output: a convolution's kernel [out, in, k, k] read as [out, in*k*k], as the paper
 * does (the sigma of that matrix, not the operator norm of the convolution); a dense layer stores
 * A^T as its [in, out] weight. The vectors are rows, u [1, out] and v [1, in], updated in place, so
 * they outlive the step's workspace; every product is one BLAS call on any backend.
 */
public final class PowerIteration {
    /** Miyato et al.'s l2normalize epsilon: a zero vector stays zero rather than NaN. */
    private static final double EPS = 1e-12;

    /** True when the stored weight's first dimension is the output (convolutions), false when it is A^T (dense). */
    private final boolean outputsFirst;
    private final INDArray u, v;

    /** Vectors for a weight of this layout: u drawn from N(0, I) by rng and normalised, v zero until the first step. */
    public PowerIteration(long outputs, long inputs, boolean outputsFirst, Rng rng, DataType dtype) {
        this.outputsFirst = outputsFirst;
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            double[] start = new double[(int) outputs];
            for (int i = 0; i < start.length; i++) start[i] = rng.nextGaussian();
            this.u = Nd4j.create(start, new long[] {1, outputs}, 'c').castTo(dtype);
            this.v = Nd4j.zeros(dtype, 1, inputs);
        }
        normalise(u);
    }

    /** For a dense or convolutional layer's weight. */
    public static PowerIteration of(Layer layer, Rng rng) {
        if (layer instanceof Dense d) {
            INDArray w = d.weights().value;
            return new PowerIteration(w.size(1), w.size(0), false, rng, w.dataType());
        }
        if (layer instanceof Conv2d c) {
            INDArray w = c.weights().value;
            return new PowerIteration(w.size(0), w.length() / w.size(0), true, rng, w.dataType());
        }
        throw new IllegalArgumentException(layer.name() + " is not a dense or convolutional layer");
    }

    /** The weight as a 2-D matrix in its own layout: A for a convolution, A^T for a dense layer. */
    private INDArray matrix(INDArray w) {
        return outputsFirst ? w.reshape('c', w.size(0), w.length() / w.size(0)) : w;
    }

    /**
     * One power step on the weight {@code w}: v <- A^T u / |A^T u|, then u <- A v / |A v| (as rows: v = u A, u = v A^T).
     *
     * @return |A v|, which is {@link #sigma} of {@code w} after this step with no product more: with u = A v / |A v|,
     *         u^T A v = |A v| (equal to rounding). Like the Rayleigh quotient it never exceeds sigma_max, v being a unit vector.
     */
    public double step(INDArray w) {
        INDArray a = matrix(w);
        Nd4j.gemm(u, a, v, false, !outputsFirst, 1.0, 0.0);
        normalise(v);
        Nd4j.gemm(v, a, u, false, outputsFirst, 1.0, 0.0);
        return normalise(u);
    }

    /** sigma = u^T A v with the vectors as they are: after a step, the estimate of the largest singular value of {@code w}. */
    public double sigma(INDArray w) {
        INDArray av = Nd4j.gemm(v, matrix(w), false, outputsFirst); // (A v)^T, [1, out]
        return av.mul(u).sumNumber().doubleValue();
    }

    /** d sigma / dW with u and v held: u v^T, in the weight's own layout and shape. */
    public INDArray sigmaGradient(INDArray w) {
        INDArray outer = outputsFirst ? Nd4j.gemm(u, v, true, false) : Nd4j.gemm(v, u, true, false);
        return outer.reshape('c', w.shape());
    }

    public INDArray u() { return u; }

    public INDArray v() { return v; }

    public void write(DataOutputStream out) throws IOException {
        ArrayIO.write(out, u);
        ArrayIO.write(out, v);
    }

    public void read(DataInputStream in) throws IOException {
        ArrayIO.readInto(in, u);
        ArrayIO.readInto(in, v);
    }

    /** x <- x / |x| in place; returns |x| before. */
    private static double normalise(INDArray x) {
        double norm = Norms.l2(x);
        x.divi(Math.max(norm, EPS));
        return norm;
    }
}
