package io.wasserflow.models.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** 1 / (1 + e^-x); f' = y (1 - y), f'' = y (1 - y) (1 - 2 y). */
public final class Sigmoid extends Pointwise {
    public Sigmoid(String name) { super(name); }

    @Override protected INDArray apply(INDArray x) { return Transforms.sigmoid(x, true); }

    @Override protected INDArray derivative() { return y.rsub(1).muli(y); }

    @Override protected INDArray secondDerivative() { return derivative().muli(y.mul(-2).addi(1)); }
}
