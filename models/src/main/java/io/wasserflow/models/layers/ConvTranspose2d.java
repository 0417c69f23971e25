package io.wasserflow.models.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Transposed convolution (the generator's upsampling), SAME mode: output size = input size x stride.
 * Linear in x like any convolution.
 */
public final class ConvTranspose2d implements Layer {
    private final String name;
    private final Param w, b;
    private final int k, stride;
    private INDArray x, xDot;

    /** @param weights [inC, outC, k, k] */
    public ConvTranspose2d(String name, INDArray weights, INDArray bias, int stride) {
        this.name = name;
        this.w = new Param(name + ".W", weights, true);
        this.b = new Param(name + ".b", bias, false);
        this.k = (int) weights.size(2);
        this.stride = stride;
    }

    @Override public String name() { return name; }

    @Override public INDArray forward(INDArray x) {
        this.x = x;
        return ConvOps.deconv2d(x, w.value, b.value, k, stride);
    }

    @Override public INDArray backward(INDArray yBar, boolean paramGrads) {
        INDArray[] g = ConvOps.deconv2dBackward(x, w.value, yBar, k, stride);
        if (paramGrads) {
            w.grad.addi(g[1]);
            b.grad.addi(g[2]);
        }
        return g[0];
    }

    @Override public INDArray tangent(INDArray xDot) {
        this.xDot = xDot;
        return ConvOps.deconv2d(xDot, w.value, null, k, stride);
    }

    @Override public Adjoint tangentBackward(INDArray yBar, INDArray yDotBar) {
        INDArray[] viaTangent = ConvOps.deconv2dBackward(xDot, w.value, yDotBar, k, stride);
        w.grad.addi(viaTangent[1]);
        INDArray xBar = null;
        if (yBar != null) xBar = backward(yBar, true);
        return new Adjoint(xBar, viaTangent[0]);
    }

    @Override public List<Param> params() { return List.of(w, b); }

    @Override public long[] outputShape(long[] in) {
        return new long[] {w.value.size(1), in[1] * stride, in[2] * stride};
    }
}
