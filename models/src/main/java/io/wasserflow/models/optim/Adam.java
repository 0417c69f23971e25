package io.wasserflow.models.optim;

import io.wasserflow.models.layers.Param;
import io.wasserflow.models.lipschitz.WeightClipping;
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
    private final HostLoops.Scratch scratch;
    private long t;

    Adam(double lr, double beta1, double beta2, List<Param> params) {
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.m = new Moments(params);
        this.v = new Moments(params);
        this.scratch = new HostLoops.Scratch(params.size());
    }

    /**
     * Float32 on the CPU backend: one loop per tensor ({@link HostLoops}), the clipping in it. Else
     * libnd4j's fused adam_updater (m, v and the update u in one pass), then theta -= u: it computes
     * u = lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + eps'), PyTorch's rule when
     * eps' = eps sqrt(1 - b2^t). The gradients stay as they are, for diagnostics.
     */
    @Override public void step(List<Param> params, double clip) {
        t++;
        double corr1 = 1 - Math.pow(beta1, t), corr2 = Math.sqrt(1 - Math.pow(beta2, t));
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            if (HostLoops.usable(p)) {
                hostStep(scratch.grad(i, p), scratch.value(i, p), p, m.host(i), v.host(i), (float) (lr / corr1), (float) corr2, clip);
                continue;
            }
            INDArray mi = m.array(i), vi = v.array(i), update = p.grad.ulike();
            Nd4j.exec(new AdamUpdater(p.grad, vi, mi, update, vi, mi, lr, beta1, beta2, EPS * corr2, Math.toIntExact(t - 1)));
            p.value.subi(update);
            if (clip > 0) WeightClipping.clamp(List.of(p), clip);
        }
    }

    private void hostStep(float[] g, float[] w, Param p, float[] m, float[] v, float stepSize, float corr2, double clip) {
        float b1 = (float) beta1, b2 = (float) beta2, c1 = (float) (1 - beta1), c2 = (float) (1 - beta2), eps = (float) EPS;
        float c = (float) (clip > 0 ? clip : Float.POSITIVE_INFINITY);
        for (int j = 0; j < w.length; j++) {
            float gj = g[j], mj = b1 * m[j] + c1 * gj, vj = b2 * v[j] + c2 * (gj * gj);
            m[j] = mj;
            v[j] = vj;
            w[j] = Math.max(-c, Math.min(c, w[j] - stepSize * (mj / ((float) Math.sqrt(vj) / corr2 + eps))));
        }
        HostLoops.write(p.value, w);
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
