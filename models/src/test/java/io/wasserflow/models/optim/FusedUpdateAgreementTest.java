package io.wasserflow.models.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.layers.Param;
import io.wasserflow.models.lipschitz.WeightClipping;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Both fast float32 paths of the updates, the host loops and libnd4j's fused updaters, against the
 * plain rule written as separate array operations, over several steps on a tensor of training size:
 * they may differ in rounding only. The float64 formulas are checked against PyTorch's by hand in
 * {@link OptimizerTest}.
 */
class FusedUpdateAgreementTest {
    static final int N = 4096, STEPS = 20;

    /** Largest |fused - plain| over the plain values' largest |step|, after {@link #STEPS} steps. */
    static double disagreement(OptimizerConfig c, PlainRule plain) {
        double worst = 0;
        for (boolean host : new boolean[] {true, false}) {
            HostLoops.enable(host);
            try {
                worst = Math.max(worst, disagreement(c, plain, 0));
            } finally {
                HostLoops.enable(true);
            }
        }
        return worst;
    }

    static double disagreement(OptimizerConfig c, PlainRule plain, double clip) {
        Nd4j.getRandom().setSeed(7);
        INDArray start = Nd4j.randn(DataType.FLOAT, 1, N).muli(0.05);
        Param fused = new Param("w", start.dup(), true);
        Optimizer o = Optimizer.of(c, List.of(fused));
        INDArray theta = start.dup(), m = Nd4j.zeros(DataType.FLOAT, 1, N), v = Nd4j.zeros(DataType.FLOAT, 1, N);
        for (int t = 1; t <= STEPS; t++) {
            INDArray g = Nd4j.randn(DataType.FLOAT, 1, N).muli(t % 3 == 0 ? 1e-3 : 1.0);
            fused.grad.assign(g);
            o.step(List.of(fused), clip);
            plain.step(theta, g, m, v, t);
            if (clip > 0) Transforms.max(Transforms.min(theta, clip, false), -clip, false);
        }
        double moved = theta.sub(start).amaxNumber().doubleValue();
        return fused.value.sub(theta).amaxNumber().doubleValue() / moved;
    }

    interface PlainRule {
        void step(INDArray theta, INDArray g, INDArray m, INDArray v, int t);
    }

    @Test
    void fusedAdamAgreesWithThePlainRule() {
        for (double beta1 : new double[] {0.5, 0.0}) {
            double lr = 1e-4, beta2 = 0.9;
            double err = disagreement(OptimizerConfig.adam(lr, beta1, beta2), (theta, g, m, v, t) -> {
                m.muli(beta1).addi(g.mul(1 - beta1));
                v.muli(beta2).addi(g.mul(g).muli(1 - beta2));
                INDArray denom = Transforms.sqrt(v, true).divi(Math.sqrt(1 - Math.pow(beta2, t))).addi(1e-8);
                theta.subi(m.div(denom).muli(lr / (1 - Math.pow(beta1, t))));
            });
            assertTrue(err < 1e-4, "Adam beta1 " + beta1 + ": fused and plain differ by " + err + " of the distance moved");
        }
    }

    @Test
    void fusedRmsPropAgreesWithThePlainRule() {
        double lr = 5e-5;
        double err = disagreement(OptimizerConfig.rmsprop(lr), (theta, g, m, v, t) -> {
            v.muli(0.99).addi(g.mul(g).muli(0.01));
            theta.subi(g.div(Transforms.sqrt(v, true).addi(1e-8)).muli(lr));
        });
        assertTrue(err < 1e-4, "RMSProp: fused and plain differ by " + err + " of the distance moved");
    }

    @Test
    void clippingFusedIntoTheUpdateAgreesWithClampingAfterIt() {
        PlainRule rmsProp = (theta, g, m, v, t) -> {
            v.muli(0.99).addi(g.mul(g).muli(0.01));
            theta.subi(g.div(Transforms.sqrt(v, true).addi(1e-8)).muli(5e-3));
        };
        for (boolean host : new boolean[] {true, false}) {
            HostLoops.enable(host);
            try {
                double err = disagreement(OptimizerConfig.rmsprop(5e-3), rmsProp, 0.05);
                assertTrue(err < 1e-4, (host ? "host loop" : "native") + " RMSProp with clipping differs by " + err);
            } finally {
                HostLoops.enable(true);
            }
        }
    }

    @Test
    void clippingInOnePassEqualsMinThenMax() {
        Nd4j.getRandom().setSeed(9);
        INDArray w = Nd4j.randn(DataType.FLOAT, 64, 64).muli(0.02);
        INDArray plain = Transforms.max(Transforms.min(w, 0.01, true), -0.01, false);
        Param p = new Param("w", w.dup(), true);
        WeightClipping.clamp(List.of(p), 0.01);
        assertEquals(plain, p.value);
        assertEquals(0.01, p.value.maxNumber().doubleValue(), 1e-9);
    }
}
