package io.wasserflow.models.optim;

import io.wasserflow.models.layers.Param;
import io.wasserflow.models.lipschitz.WeightClipping;
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
    private final HostLoops.Scratch scratch;

    RmsProp(double lr, List<Param> params) {
        this.lr = lr;
        this.v = new Moments(params);
        this.scratch = new HostLoops.Scratch(params.size());
    }

    /** Float32 on the CPU backend: one loop per tensor, the clipping in it; else libnd4j's rms_prop_updater (the same rule). */
    @Override public void step(List<Param> params, double clip) {
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            if (HostLoops.usable(p)) {
                hostStep(scratch.grad(i, p), scratch.value(i, p), p, v.host(i), clip);
                continue;
            }
            INDArray sq = v.array(i), update = p.grad.ulike();
            Nd4j.exec(new RmsPropUpdater(p.grad, sq, update, sq, lr, ALPHA, EPS));
            p.value.subi(update);
            if (clip > 0) WeightClipping.clamp(List.of(p), clip);
        }
    }

    private void hostStep(float[] g, float[] w, Param p, float[] sq, double clip) {
        float a = (float) ALPHA, ca = (float) (1 - ALPHA), eps = (float) EPS, rate = (float) lr;
        float c = (float) (clip > 0 ? clip : Float.POSITIVE_INFINITY);
        for (int j = 0; j < w.length; j++) {
            float gj = g[j], s = a * sq[j] + ca * (gj * gj);
            sq[j] = s;
            w[j] = Math.max(-c, Math.min(c, w[j] - rate * (gj / ((float) Math.sqrt(s) + eps))));
        }
        HostLoops.write(p.value, w);
    }

    @Override public void writeState(DataOutputStream out) throws IOException { v.write(out); }

    @Override public void readState(DataInputStream in) throws IOException { v.read(in); }
}
