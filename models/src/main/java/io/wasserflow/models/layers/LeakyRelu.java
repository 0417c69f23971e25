package io.wasserflow.models.layers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** x for x > 0, alpha x otherwise (the DCGAN critic uses alpha = 0.2). */
public final class LeakyRelu extends Pointwise {
    private final double alpha;

    public LeakyRelu(String name, double alpha) {
        super(name);
        this.alpha = alpha;
    }

    @Override protected INDArray apply(INDArray x) { return Transforms.leakyRelu(x, alpha, true); }

    @Override protected INDArray derivative() {
        // 1 where x > 0, alpha elsewhere: alpha + (1 - alpha) [x > 0]
        return x.gt(0).castTo(x.dataType()).muli(1 - alpha).addi(alpha);
    }

    @Override protected INDArray secondDerivative() { return null; }

    @Override public boolean piecewiseLinear() { return true; }
}
