package io.wasserflow.models.lipschitz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.layers.Param;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.nets.Init;
import io.wasserflow.models.nets.Network;
import io.wasserflow.models.nets.Networks;
import io.wasserflow.models.util.Rng;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The penalty's shortcut for piecewise-linear critics (the reverse pass over the tangent replaced by
 * the input-gradient backward's own adjoints) gives the weight gradients of the full reverse pass
 * to the bit, in the training precision, on the toy MLP and the DCGAN critic.
 */
class PenaltyRoutesTest {
    private static List<float[]> gradients(Network critic, INDArray xHat, boolean shortcut) {
        critic.zeroGrad();
        Penalty p = new Penalty(10, false);
        // the same three steps as Penalty.apply, with the last one chosen here
        INDArray g = Penalty.inputGradients(critic, xHat);
        long b = xHat.size(0);
        INDArray g2 = g.reshape('c', b, g.length() / b);
        INDArray norm = org.nd4j.linalg.ops.transforms.Transforms.sqrt(g2.mul(g2).sum(true, 1).addi(1e-12), false);
        INDArray v = g2.mulColumnVector(norm.sub(1).muli(20.0 / b).divi(norm));
        INDArray outDot = critic.tangent(v.reshape('c', xHat.shape()));
        if (shortcut) critic.tangentBackwardReusingAdjoints();
        else critic.tangentBackward(null, Nd4j.onesLike(outDot));
        List<float[]> out = new ArrayList<>();
        for (Param q : critic.params()) out.add(q.grad.dup().data().asFloat());
        return out;
    }

    private static void sameBits(Network critic, long... sample) {
        assertTrue(critic.piecewiseLinear());
        Rng rng = new Rng(5);
        long[] shape = new long[sample.length + 1];
        shape[0] = 16;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        long n = 1;
        for (long s : shape) n *= s;
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
        INDArray xHat = Nd4j.create(v, shape, 'c');
        List<float[]> full = gradients(critic, xHat, false), shortcut = gradients(critic, xHat, true);
        for (int i = 0; i < full.size(); i++) assertArrayEquals(full.get(i), shortcut.get(i), 0f, critic.params().get(i).name);
        assertTrue(full.get(0)[0] != 0f || full.get(0)[1] != 0f, "the gradient must not be zero");
    }

    @Test
    void shortcutEqualsTheFullReversePassOnTheToyCritic() {
        sameBits(Networks.critic(Architecture.mlp(3, 64), new long[] {1, 1, 2}, Init.HE, new Rng(1), DataType.FLOAT), 1, 1, 2);
    }

    @Test
    void shortcutEqualsTheFullReversePassOnTheDcganCritic() {
        sameBits(Networks.critic(Architecture.dcgan(4), new long[] {1, 28, 28}, Init.HE, new Rng(2), DataType.FLOAT), 1, 28, 28);
    }

    @Test
    void criticsWithCurvatureKeepTheFullReversePass() {
        Network ln = Networks.critic(Architecture.mlp(2, 8).withNorms(Architecture.Norm.LAYERNORM, Architecture.Norm.NONE),
                new long[] {1, 1, 2}, Init.HE, new Rng(3), DataType.FLOAT);
        assertFalse(ln.piecewiseLinear());
    }
}
