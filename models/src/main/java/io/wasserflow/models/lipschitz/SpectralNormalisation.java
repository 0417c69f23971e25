package io.wasserflow.models.lipschitz;

import io.wasserflow.models.diagnostics.PowerIteration;
import io.wasserflow.models.layers.Layer;
import io.wasserflow.models.layers.Param;
import io.wasserflow.models.nets.Network;
import io.wasserflow.models.util.Rng;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Spectral normalisation (Miyato et al. 2018): every dense and convolutional weight W of the critic
 * enters its layer's passes as W_sn = W / sigma(W), sigma estimated by power iteration from a
 * persistent u, a fixed number of steps per critic update (not per forward pass). With u and v held,
 * d sigma / dW = u v^T, so for G = dL/dW_sn the gradient of W is (G - (sum G * W_sn) u v^T) / sigma.
 * The u and v vectors are training state: {@link #write} and {@link #read} carry them.
 */
public final class SpectralNormalisation {
    /** One normalised weight: the parameter, its power iteration, W_sn (what the layer computes with) and the latest sigma. */
    private static final class Normalised {
        final Param w;
        final PowerIteration power;
        final INDArray wSn;
        double sigma;

        Normalised(Param w, PowerIteration power, INDArray wSn) {
            this.w = w;
            this.power = power;
            this.wSn = wSn;
        }

        /** W_sn = W / (u^T W v) with the vectors as they are. */
        void normalise() {
            sigma = power.sigma(w.value);
            w.value.div(sigma, wSn);
        }
    }

    private final int powerIterations;
    private final List<Normalised> weights = new ArrayList<>();

    /**
     * Makes every dense and convolutional layer of the critic compute with its normalised weight, u
     * drawn from rng; one power step gives the first W_sn, so the critic is normalised before its first update.
     */
    public SpectralNormalisation(Network critic, int powerIterations, Rng rng) {
        if (powerIterations < 1) throw new IllegalArgumentException("power_iterations must be at least 1, got " + powerIterations);
        this.powerIterations = powerIterations;
        for (Layer l : critic.linearLayers()) {
            Param w = l.params().get(0);
            INDArray wSn;
            try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                wSn = w.value.dup('c');
            }
            Normalised n = new Normalised(w, PowerIteration.of(l, rng), wSn);
            n.power.step(w.value);
            n.normalise();
            w.computeWith(wSn);
            weights.add(n);
        }
    }

    /** The start of a critic update: the power steps from u at the current W, then W_sn = W / sigma for the update's passes. */
    public void powerStep() {
        for (Normalised n : weights) {
            for (int i = 0; i < powerIterations; i++) n.power.step(n.w.value);
            n.normalise();
        }
    }

    /**
     * After the optimizer has moved W: W_sn = W / (u^T W v) with this update's u and v, so the generator
     * step (and anything else until the next update) sees the critic as it now is.
     */
    public void refresh() {
        for (Normalised n : weights) n.normalise();
    }

    /** Turns each G = dL/dW_sn that the passes added to a weight's gradient into dL/dW = (G - (sum G * W_sn) u v^T) / sigma. */
    public void backward() {
        for (Normalised n : weights) {
            INDArray g = n.w.grad;
            double gDotW = g.mul(n.wSn).sumNumber().doubleValue();
            g.subi(n.power.sigmaGradient(g).muli(gDotW)).divi(n.sigma);
        }
    }

    /** The sigma of each normalised weight at its latest normalisation, in layer order. */
    public double[] sigmas() {
        return weights.stream().mapToDouble(n -> n.sigma).toArray();
    }

    public void write(DataOutputStream out) throws IOException {
        out.writeInt(weights.size());
        for (Normalised n : weights) n.power.write(out);
    }

    /** Reads the vectors back and normalises the restored weights with them. */
    public void read(DataInputStream in) throws IOException {
        int count = in.readInt();
        if (count != weights.size()) throw new IOException("state holds " + count + " spectral-norm vectors, the critic has " + weights.size() + " weights");
        for (Normalised n : weights) n.power.read(in);
        refresh();
    }
}
