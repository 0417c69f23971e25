package io.wasserflow.models.optim;

import io.wasserflow.models.layers.Param;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

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

    @Override public void step(List<Param> params) {
        t++;
        double corr1 = 1 - Math.pow(beta1, t), corr2 = Math.sqrt(1 - Math.pow(beta2, t));
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            INDArray mi = m.arrays.get(i), vi = v.arrays.get(i);
            mi.muli(beta1).addi(p.grad.mul(1 - beta1));
            vi.muli(beta2).addi(p.grad.mul(p.grad).muli(1 - beta2));
            INDArray denom = Transforms.sqrt(vi, true).divi(corr2).addi(EPS);
            p.value.subi(mi.div(denom).muli(lr / corr1));
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
