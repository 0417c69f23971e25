package io.wasserflow.models.layers;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Reshapes each sample (the batch dimension is kept); its Jacobian is a permutation-free identity. */
public final class Reshape implements Layer {
    private final String name;
    private final long[] shape;
    private long[] inShape;

    public Reshape(String name, long... shape) {
        this.name = name;
        this.shape = shape;
    }

    private static INDArray to(INDArray a, long[] sampleShape) {
        long[] s = new long[sampleShape.length + 1];
        s[0] = a.size(0);
        System.arraycopy(sampleShape, 0, s, 1, sampleShape.length);
        return a.dup('c').reshape('c', s);
    }

    @Override public String name() { return name; }

    @Override public INDArray forward(INDArray x) {
        inShape = Arrays.copyOfRange(x.shape(), 1, x.rank());
        return to(x, shape);
    }

    @Override public INDArray backward(INDArray yBar, boolean paramGrads) { return to(yBar, inShape); }

    @Override public INDArray tangent(INDArray xDot) { return to(xDot, shape); }

    @Override public Adjoint tangentBackward(INDArray yBar, INDArray yDotBar) {
        return new Adjoint(yBar == null ? null : to(yBar, inShape), to(yDotBar, inShape));
    }

    @Override public boolean piecewiseLinear() { return true; }

    @Override public long[] outputShape(long[] in) { return shape.clone(); }
}
