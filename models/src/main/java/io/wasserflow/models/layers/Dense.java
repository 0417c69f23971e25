package io.wasserflow.models.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * y = x W + b, with W of shape [in, out]. Linear in x, so its tangent is x-dot W. W is the weight's
 * {@link Param#effective} tensor: the parameter itself, or W / sigma(W) under spectral normalisation.
 */
public final class Dense implements Layer {
    private final String name;
    private final Param w, b;
    private INDArray x, xDot, yBar;

    public Dense(String name, INDArray weights, INDArray bias) {
        this.name = name;
        this.w = new Param(name + ".W", weights, true);
        this.b = new Param(name + ".b", bias.reshape(1, bias.length()), false);
    }

    @Override public String name() { return name; }

    @Override public INDArray forward(INDArray x) {
        this.x = x;
        // y = 1 b^T, then y += x W: both in BLAS (Nd4j.gemm skips mmul's copies of C-ordered operands), the
        // bias as a rank-one product, four times faster than a broadcast add (docs/performance.md)
        INDArray y = Nd4j.createUninitialized(x.dataType(), x.size(0), w.effective().size(1));
        Nd4j.gemm(Ones.row(x.dataType(), x.size(0)), b.value, y, true, false, 1.0, 0.0);
        return Nd4j.gemm(x, w.effective(), y, false, false, 1.0, 1.0);
    }

    @Override public INDArray backward(INDArray yBar, boolean paramGrads) {
        this.yBar = yBar;
        if (paramGrads) {
            Nd4j.gemm(x, yBar, w.grad, true, false, 1.0, 1.0); // W-bar += x^T y-bar
            addColumnSums(yBar, b.grad);
        }
        return Nd4j.gemm(yBar, w.effective(), false, true); // x-bar = y-bar W^T
    }

    @Override public INDArray tangent(INDArray xDot) {
        this.xDot = xDot;
        return Nd4j.gemm(xDot, w.effective(), false, false);
    }

    @Override public Adjoint tangentBackward(INDArray yBar, INDArray yDotBar) {
        // y-dot = x-dot W: W-bar gets x-dot^T y-dot-bar; the bias does not enter y-dot.
        Nd4j.gemm(xDot, yDotBar, w.grad, true, false, 1.0, 1.0);
        INDArray xDotBar = Nd4j.gemm(yDotBar, w.effective(), false, true);
        INDArray xBar = null;
        if (yBar != null) {
            Nd4j.gemm(x, yBar, w.grad, true, false, 1.0, 1.0);
            addColumnSums(yBar, b.grad);
            xBar = Nd4j.gemm(yBar, w.effective(), false, true);
        }
        return new Adjoint(xBar, xDotBar);
    }

    @Override public boolean piecewiseLinear() { return true; }

    @Override public void tangentWeightGradient() {
        Nd4j.gemm(xDot, yBar, w.grad, true, false, 1.0, 1.0);
    }

    /** target += 1^T a: a BLAS matrix-vector product, much faster than ND4J's column reduction. */
    private static void addColumnSums(INDArray a, INDArray target) {
        Nd4j.gemm(Ones.row(a.dataType(), a.size(0)), a, target, false, false, 1.0, 1.0);
    }

    @Override public List<Param> params() { return List.of(w, b); }

    @Override public long[] outputShape(long[] in) { return new long[] {w.value.size(1)}; }

    public Param weights() { return w; }
}
