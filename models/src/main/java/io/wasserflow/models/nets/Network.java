package io.wasserflow.models.nets;

import io.wasserflow.models.diagnostics.Norms;
import io.wasserflow.models.diagnostics.StepProfile;
import io.wasserflow.models.layers.Adjoint;
import io.wasserflow.models.layers.Conv2d;
import io.wasserflow.models.layers.ConvTranspose2d;
import io.wasserflow.models.layers.Dense;
import io.wasserflow.models.layers.Layer;
import io.wasserflow.models.layers.Param;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A feed-forward stack of layers (the critic or the generator). Its "linear layers" (dense and
 * convolutional) are the layers of the per-layer metrics: layer k's activation is the output of its
 * block, i.e. the input of linear layer k+1, or the network's output for the last one.
 */
public final class Network {
    public final String role;
    private final List<Layer> layers;
    private final long[] inputShape;
    private final List<Integer> linearIndex = new ArrayList<>();
    /** Each layer's kernel name in the step profile: its kind, and a weighted layer's weight shape. */
    private final String[] kernels;
    private final boolean piecewiseLinear;

    public Network(String role, long[] inputShape, List<Layer> layers) {
        this.role = role;
        this.inputShape = inputShape.clone();
        this.layers = List.copyOf(layers);
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (l instanceof Dense || l instanceof Conv2d || l instanceof ConvTranspose2d) linearIndex.add(i);
        }
        this.kernels = layers.stream().map(l -> role + " " + l.getClass().getSimpleName()
                + (l.params().isEmpty() ? "" : " " + java.util.Arrays.toString(l.params().get(0).value.shape()))).toArray(String[]::new);
        this.piecewiseLinear = layers.stream().allMatch(Layer::piecewiseLinear);
    }

    public long[] inputShape() { return inputShape.clone(); }

    public List<Layer> layers() { return layers; }

    /** The dense and convolutional layers, in order: the "layer" label of per-layer metrics. */
    public List<Layer> linearLayers() {
        List<Layer> out = new ArrayList<>();
        for (int i : linearIndex) out.add(layers.get(i));
        return out;
    }

    public List<Param> params() {
        List<Param> out = new ArrayList<>();
        for (Layer l : layers) out.addAll(l.params());
        return out;
    }

    public long parameterCount() {
        long n = 0;
        for (Param p : params()) n += p.size();
        return n;
    }

    public void zeroGrad() {
        for (Param p : params()) p.zeroGrad();
    }

    public INDArray forward(INDArray x) {
        for (int i = 0; i < layers.size(); i++) {
            long t = StepProfile.clock();
            x = layers.get(i).forward(x);
            StepProfile.kernel(kernels[i], "forward", t);
        }
        return x;
    }

    /**
     * Reverse pass from the output adjoint. When {@code activationGradNorms} is given it receives, per
     * linear layer in order, the L2 norm over the batch of the gradient with respect to that layer's
     * activation (WGAN-GP, Figure 1).
     */
    public INDArray backward(INDArray yBar, boolean paramGrads, double[] activationGradNorms) {
        int k = linearIndex.size() - 1;
        if (activationGradNorms != null) activationGradNorms[k] = Norms.l2(yBar);
        for (int i = layers.size() - 1; i >= 0; i--) {
            long t = StepProfile.clock();
            yBar = layers.get(i).backward(yBar, paramGrads);
            StepProfile.kernel(kernels[i], paramGrads ? "backward" : "backward (input only)", t);
            if (activationGradNorms != null && k > 0 && i == linearIndex.get(k)) {
                activationGradNorms[--k] = Norms.l2(yBar);
            }
        }
        return yBar;
    }

    public INDArray backward(INDArray yBar, boolean paramGrads) {
        return backward(yBar, paramGrads, null);
    }

    /** Forward-mode pass along x-dot at the input of the latest {@link #forward}. */
    public INDArray tangent(INDArray xDot) {
        for (int i = 0; i < layers.size(); i++) {
            long t = StepProfile.clock();
            xDot = layers.get(i).tangent(xDot);
            StepProfile.kernel(kernels[i], "tangent", t);
        }
        return xDot;
    }

    /** Every layer is linear or piecewise linear (see {@link Layer#piecewiseLinear}). */
    public boolean piecewiseLinear() {
        return piecewiseLinear;
    }

    /**
     * {@link #tangentBackward}(null, ones) after an input-only {@link #backward}(ones) at the same point,
     * for a {@link #piecewiseLinear} network: the primal adjoint stays zero and each layer's
     * y-dot-bar equals the y-bar that backward gave it, so only the tangents' weight gradients are
     * left to add, without a second reverse pass. The same values, to the bit, at about half the cost.
     */
    public void tangentBackwardReusingAdjoints() {
        if (!piecewiseLinear) throw new IllegalStateException(role + " has a layer with curvature: use tangentBackward");
        for (int i = layers.size() - 1; i >= 0; i--) {
            if (layers.get(i).params().isEmpty()) continue;
            long t = StepProfile.clock();
            layers.get(i).tangentWeightGradient();
            StepProfile.kernel(kernels[i], "tangent reverse (weights)", t);
        }
    }

    /** Reverse pass over (primal, tangent); adds the weight gradient of the tangent's scalar. */
    public Adjoint tangentBackward(INDArray yBar, INDArray yDotBar) {
        Adjoint a = new Adjoint(yBar, yDotBar);
        for (int i = layers.size() - 1; i >= 0; i--) {
            long t = StepProfile.clock();
            a = layers.get(i).tangentBackward(a.primal(), a.tangent());
            StepProfile.kernel(kernels[i], "tangent reverse", t);
        }
        return a;
    }
}
