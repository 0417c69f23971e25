package io.wasserflow.models.optim;

import io.wasserflow.models.layers.Param;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.RmsPropUpdater;
import org.nd4j.linalg.factory.Nd4j;

/**
 * RMSProp as in PyTorch's torch.optim.RMSprop (the WGAN reference): v = alpha v + (1 - alpha) g^2,
 * theta -= lr g / (sqrt(v) + eps), alpha 0.99, eps 1e-8, no momentum.
 */
final class RmsProp implements Optimizer {
    static final double ALPHA = 0.99, EPS = 1e-8;
    private final double lr;
    private final Moments v;

    RmsProp(double lr, List<Param> params) {
        this.lr = lr;
        this.v = new Moments(params);
    }

    @Override public void step(List<Param> params) {
        for (int i = 0; i < params.size(); i++) {
            // one fused pass per tensor (libnd4j's rms_prop_updater, the same rule), then theta -= update
            Param p = params.get(i);
            INDArray sq = v.arrays.get(i), update = p.grad.ulike();
            Nd4j.exec(new RmsPropUpdater(p.grad, sq, update, sq, lr, ALPHA, EPS));
            p.value.subi(update);
        }
    }

    @Override public void writeState(DataOutputStream out) throws IOException { v.write(out); }

    @Override public void readState(DataInputStream in) throws IOException { v.read(in); }
}
