package io.wasserflow.models.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wasserflow.models.layers.Param;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Update rules against the formulas written out by hand (PyTorch's conventions), and state round trips. */
class OptimizerTest {
    static Param param(double value) {
        return new Param("p", Nd4j.create(new double[] {value}, new long[] {1}, DataType.DOUBLE), true);
    }

    static double[] run(OptimizerConfig c, double[] grads) {
        Param p = param(1.0);
        Optimizer o = Optimizer.of(c, List.of(p));
        double[] out = new double[grads.length];
        for (int t = 0; t < grads.length; t++) {
            p.grad.assign(grads[t]);
            o.step(List.of(p));
            out[t] = p.value.getDouble(0);
        }
        return out;
    }

    static final double[] GRADS = {0.5, -0.2, 0.8, 0.1};

    @Test
    void adamFollowsPyTorchsFormula() {
        for (double beta1 : new double[] {0.5, 0.0}) {
            double lr = 1e-2, beta2 = 0.9, m = 0, v = 0, theta = 1;
            double[] expected = new double[GRADS.length];
            for (int t = 1; t <= GRADS.length; t++) {
                double g = GRADS[t - 1];
                m = beta1 * m + (1 - beta1) * g;
                v = beta2 * v + (1 - beta2) * g * g;
                double denom = Math.sqrt(v) / Math.sqrt(1 - Math.pow(beta2, t)) + 1e-8;
                theta -= lr / (1 - Math.pow(beta1, t)) * m / denom;
                expected[t - 1] = theta;
            }
            assertArrayEquals(expected, run(OptimizerConfig.adam(lr, beta1, beta2), GRADS), 1e-12);
        }
    }

    @Test
    void rmsPropFollowsPyTorchsFormula() {
        double lr = 5e-5, v = 0, theta = 1;
        double[] expected = new double[GRADS.length];
        for (int t = 0; t < GRADS.length; t++) {
            double g = GRADS[t];
            v = 0.99 * v + 0.01 * g * g;
            theta -= lr * g / (Math.sqrt(v) + 1e-8);
            expected[t] = theta;
        }
        assertArrayEquals(expected, run(OptimizerConfig.rmsprop(lr), GRADS), 1e-15);
    }

    @Test
    void sgdStepsAgainstTheGradient() {
        assertArrayEquals(new double[] {0.95, 0.97, 0.89, 0.88}, run(OptimizerConfig.sgd(0.1), GRADS), 1e-12);
    }

    @Test
    void stateRoundTripContinuesIdentically() throws Exception {
        for (OptimizerConfig c : List.of(OptimizerConfig.adam(1e-2, 0.5, 0.9), OptimizerConfig.rmsprop(1e-2))) {
            Param a = param(1.0);
            Optimizer first = Optimizer.of(c, List.of(a));
            a.grad.assign(0.3);
            first.step(List.of(a));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            first.writeState(new DataOutputStream(bytes));

            Param b = param(a.value.getDouble(0));
            Optimizer second = Optimizer.of(c, List.of(b));
            second.readState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            a.grad.assign(-0.7);
            b.grad.assign(-0.7);
            first.step(List.of(a));
            second.step(List.of(b));
            assertEquals(a.value.getDouble(0), b.value.getDouble(0), 0.0);
        }
    }
}
