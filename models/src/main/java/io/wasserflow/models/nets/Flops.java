package io.wasserflow.models.nets;

import io.wasserflow.models.layers.Conv2d;
import io.wasserflow.models.layers.ConvTranspose2d;
import io.wasserflow.models.layers.Dense;
import io.wasserflow.models.layers.Layer;

/**
 * Floating-point operations of one forward pass per sample, counting the multiply-adds of dense and
 * convolutional layers as 2 flops each (the elementwise layers are negligible beside them). The
 * benchmark and its PyTorch peer use the same model.
 */
public final class Flops {
    private Flops() {}

    public static double forwardPerSample(Network n) {
        long[] shape = n.inputShape();
        double flops = 0;
        for (Layer l : n.layers()) {
            long[] out = l.outputShape(shape);
            if (l instanceof Dense d) {
                flops += 2.0 * d.weights().value.size(0) * d.weights().value.size(1);
            } else if (l instanceof Conv2d) {
                long[] w = l.params().get(0).value.shape(); // [outC, inC, k, k]
                flops += 2.0 * out[1] * out[2] * w[1] * w[2] * w[3] * w[0];
            } else if (l instanceof ConvTranspose2d) {
                long[] w = l.params().get(0).value.shape(); // [inC, outC, k, k]
                flops += 2.0 * shape[1] * shape[2] * w[0] * w[1] * w[2] * w[3];
            }
            shape = out;
        }
        return flops;
    }

    /**
     * One critic step, with the generator step amortised over n_critic: critic forward and backward
     * (3 forwards) on 2B, generator forward on B; a penalty adds critic forward and backward on B at
     * x-hat and the tangent pass and its reverse (3 forwards); a generator step is generator and
     * critic forward and backward on B.
     */
    public static double perCriticStep(Network critic, Network generator, int batch, boolean penalty, int nCritic) {
        double d = forwardPerSample(critic), g = forwardPerSample(generator);
        double step = 3 * d * 2 * batch + g * batch;
        if (penalty) step += 3 * d * batch + 3 * d * batch;
        step += (3 * g * batch + 3 * d * batch) / nCritic;
        return step;
    }
}
