package io.wasserflow.models.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * y = conv(x, W) + b, square kernel, explicit zero padding. Linear in x: y-dot = conv(x-dot, W). W is
 * the weight's {@link Param#effective} tensor (W / sigma(W) under spectral normalisation).
 */
public final class Conv2d implements Layer {
    private final String name;
    private final Param w, b;
    private final int k, stride, pad;
    private INDArray x, xDot, yBar;

    /** @param weights [outC, inC, k, k] */
    public Conv2d(String name, INDArray weights, INDArray bias, int stride, int pad) {
        this.name = name;
        this.w = new Param(name + ".W", weights, true);
        this.b = new Param(name + ".b", bias, false);
        this.k = (int) weights.size(2);
        this.stride = stride;
        this.pad = pad;
    }

    @Override public String name() { return name; }

    @Override public INDArray forward(INDArray x) {
        this.x = x;
        return ConvOps.conv2d(x, w.effective(), b.value, k, stride, pad);
    }

    @Override public INDArray backward(INDArray yBar, boolean paramGrads) {
        this.yBar = yBar;
        INDArray[] g = ConvOps.conv2dBackward(x, w.effective(), yBar, k, stride, pad);
        if (paramGrads) {
            w.grad.addi(g[1]);
            b.grad.addi(g[2]);
        }
        return g[0];
    }

    @Override public INDArray tangent(INDArray xDot) {
        this.xDot = xDot;
        return ConvOps.conv2d(xDot, w.effective(), null, k, stride, pad);
    }

    @Override public Adjoint tangentBackward(INDArray yBar, INDArray yDotBar) {
        // y-dot = conv(x-dot, W): x-dot-bar and W-bar from the same kernel; the bias is not in y-dot.
        INDArray[] viaTangent = ConvOps.conv2dBackward(xDot, w.effective(), yDotBar, k, stride, pad);
        w.grad.addi(viaTangent[1]);
        INDArray xBar = null;
        if (yBar != null) xBar = backward(yBar, true);
        return new Adjoint(xBar, viaTangent[0]);
    }

    @Override public boolean piecewiseLinear() { return true; }

    @Override public void tangentWeightGradient() {
        w.grad.addi(ConvOps.conv2dBackward(xDot, w.effective(), yBar, k, stride, pad)[1]);
    }

    @Override public List<Param> params() { return List.of(w, b); }

    public Param weights() { return w; }

    @Override public long[] outputShape(long[] in) {
        return new long[] {w.value.size(0), ConvOps.convOut(in[1], k, stride, pad), ConvOps.convOut(in[2], k, stride, pad)};
    }
}
