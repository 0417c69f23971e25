package io.wasserflow.models.optim;

import io.wasserflow.models.layers.Param;
import io.wasserflow.models.lipschitz.WeightClipping;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.List;

/** theta -= lr g. */
final class Sgd implements Optimizer {
    private final double lr;

    Sgd(double lr) { this.lr = lr; }

    @Override public void step(List<Param> params, double clip) {
        for (Param p : params) p.value.subi(p.grad.mul(lr));
        if (clip > 0) WeightClipping.clamp(params, clip);
    }

    @Override public void writeState(DataOutputStream out) {}

    @Override public void readState(DataInputStream in) {}
}
