package io.wasserflow.models.layers;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** y = x W + b, with W of shape [in, out]. Linear in x, so its tangent is x-dot W. */
public final class Dense implements Layer {
    private final String name;
    private final Param w, b;
    private INDArray x, xDot;

    public Dense(String name, INDArray weights, INDArray bias) {
        this.name = name;
        this.w = new Param(name + ".W", weights, true);
        this.b = new Param(name + ".b", bias.reshape(1, bias.length()), false);
    }

    @Override public String name() { return name; }

    @Override public INDArray forward(INDArray x) {
        this.x = x;
        // Nd4j.gemm goes straight to BLAS, without mmul's copies of C-ordered operands (README: where the time goes)
        return Nd4j.gemm(x, w.value, false, false).addiRowVector(b.value);
    }

    @Override public INDArray backward(INDArray yBar, boolean paramGrads) {
        if (paramGrads) {
            Nd4j.gemm(x, yBar, w.grad, true, false, 1.0, 1.0); // W-bar += x^T y-bar
            addColumnSums(yBar, b.grad);
        }
        return Nd4j.gemm(yBar, w.value, false, true); // x-bar = y-bar W^T
    }

    @Override public INDArray tangent(INDArray xDot) {
        this.xDot = xDot;
        return Nd4j.gemm(xDot, w.value, false, false);
    }

    @Override public Adjoint tangentBackward(INDArray yBar, INDArray yDotBar) {
        // y-dot = x-dot W: W-bar gets x-dot^T y-dot-bar; the bias does not enter y-dot.
        Nd4j.gemm(xDot, yDotBar, w.grad, true, false, 1.0, 1.0);
        INDArray xDotBar = Nd4j.gemm(yDotBar, w.value, false, true);
        INDArray xBar = null;
        if (yBar != null) {
            Nd4j.gemm(x, yBar, w.grad, true, false, 1.0, 1.0);
            addColumnSums(yBar, b.grad);
            xBar = Nd4j.gemm(yBar, w.value, false, true);
        }
        return new Adjoint(xBar, xDotBar);
    }

    /** target += 1^T a: a BLAS matrix-vector product, much faster than ND4J's column reduction. */
    private static void addColumnSums(INDArray a, INDArray target) {
        INDArray ones = Nd4j.ones(a.dataType(), 1, a.size(0));
        Nd4j.gemm(ones, a, target, false, false, 1.0, 1.0);
    }

    @Override public List<Param> params() { return List.of(w, b); }

    @Override public long[] outputShape(long[] in) { return new long[] {w.value.size(1)}; }

    public Param weights() { return w; }
}
