package io.wasserflow.models.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** tanh x; f' = 1 - y^2, f'' = -2 y (1 - y^2). */
public final class Tanh extends Pointwise {
    public Tanh(String name) { super(name); }

    @Override protected INDArray apply(INDArray x) { return Transforms.tanh(x, true); }

    @Override protected INDArray derivative() { return y.mul(y).rsubi(1); }

    @Override protected INDArray secondDerivative() { return derivative().muli(y).muli(-2); }
}
