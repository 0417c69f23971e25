package io.wasserflow.models.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Keeps the top-left height x width of each feature map (the reference DCGAN generator's 8x8 -> 7x7). */
public final class Crop implements Layer {
    private final String name;
    private final int height, width;
    private long[] inShape;

    public Crop(String name, int height, int width) {
        this.name = name;
        this.height = height;
        this.width = width;
    }

    @Override public String name() { return name; }

    private INDArray crop(INDArray a) {
        return a.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, height),
                NDArrayIndex.interval(0, width)).dup('c');
    }

    /** The adjoint of cropping: zero-pad back to the input size. */
    private INDArray pad(INDArray a) {
        INDArray out = org.nd4j.linalg.factory.Nd4j.zeros(a.dataType(), inShape);
        out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, height),
                NDArrayIndex.interval(0, width)).assign(a);
        return out;
    }

    @Override public INDArray forward(INDArray x) {
        inShape = x.shape();
        return crop(x);
    }

    @Override public INDArray backward(INDArray yBar, boolean paramGrads) { return pad(yBar); }

    @Override public INDArray tangent(INDArray xDot) { return crop(xDot); }

    @Override public Adjoint tangentBackward(INDArray yBar, INDArray yDotBar) {
        return new Adjoint(yBar == null ? null : pad(yBar), pad(yDotBar));
    }

    @Override public boolean piecewiseLinear() { return true; }

    @Override public long[] outputShape(long[] in) { return new long[] {in[0], height, width}; }
}
