package io.wasserflow.models.optim;

import io.wasserflow.models.layers.Param;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adam as in PyTorch: m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
 * theta -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps), eps 1e-8. beta1 = 0 (the
 * WGAN-GP paper's Algorithm 1) is allowed.
 */
final class Adam implements Optimizer {
    static final double EPS = 1e-8;
    private final double lr, beta1, beta2;
    private final Moments m, v;
    private long t;

    Adam(double lr, double beta1, double beta2, List<Param> params) {
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.m = new Moments(params);
        this.v = new Moments(params);
    }

    /**
     * One fused pass per tensor (libnd4j's adam_updater: m, v and the update u in one loop), then
     * theta -= u. It computes u = lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + eps'), which is
     * PyTorch's rule when eps' = eps sqrt(1 - b2^t); the gradients stay as they are, for diagnostics.
     */
    @Override public void step(List<Param> params) {
        t++;
        double epsHat = EPS * Math.sqrt(1 - Math.pow(beta2, t));
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            INDArray mi = m.arrays.get(i), vi = v.arrays.get(i), update = p.grad.ulike();
            Nd4j.exec(new AdamUpdater(p.grad, vi, mi, update, vi, mi, lr, beta1, beta2, epsHat, Math.toIntExact(t - 1)));
            p.value.subi(update);
        }
    }

    @Override public void writeState(DataOutputStream out) throws IOException {
        out.writeLong(t);
        m.write(out);
        v.write(out);
    }

    @Override public void readState(DataInputStream in) throws IOException {
        t = in.readLong();
        m.read(in);
        v.read(in);
    }
}
