package io.wasserflow.models.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** max(0, x). */
public final class Relu extends Pointwise {
    public Relu(String name) { super(name); }

    @Override protected INDArray apply(INDArray x) { return Transforms.relu(x, true); }

    @Override protected INDArray derivative() { return x.gt(0).castTo(x.dataType()); }

    @Override protected INDArray secondDerivative() { return null; }

    @Override public boolean piecewiseLinear() { return true; }
}
