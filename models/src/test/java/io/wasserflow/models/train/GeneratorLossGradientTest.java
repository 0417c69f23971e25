package io.wasserflow.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wasserflow.models.layers.FiniteDifferences;
import io.wasserflow.models.layers.Layer;
import io.wasserflow.models.layers.Param;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.nets.Init;
import io.wasserflow.models.nets.Network;
import io.wasserflow.models.nets.Networks;
import io.wasserflow.models.util.Rng;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The generator's loss gradient (through the critic) for every loss, and the per-layer activation
 * gradient norms of Figure 1, against central finite differences in double precision.
 */
class GeneratorLossGradientTest {
    static final DataType D = DataType.DOUBLE;

    static INDArray z(long seed, int b, int zDim) {
        Rng rng = new Rng(seed);
        double[] v = new double[b * zDim];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextGaussian();
        return Nd4j.create(v, new long[] {b, zDim}, 'c');
    }

    /** Noise whose pre-activations, in the generator and in the critic behind it, keep away from kinks. */
    static INDArray kinkFreeZ(Network g, Network d, int b, int zDim) {
        for (long seed = 1; seed < 500; seed++) {
            INDArray z = z(seed, b, zDim);
            if (FiniteDifferences.closestKink(g, z) > FiniteDifferences.KINK_MARGIN
                    && FiniteDifferences.closestKink(d, g.forward(z)) > FiniteDifferences.KINK_MARGIN) return z;
        }
        throw new AssertionError("no kink-free noise found");
    }

    static double generatorLoss(Network g, Network d, Loss loss, INDArray z) {
        return loss.generator(d.forward(g.forward(z))).loss();
    }

    static void checkGenerator(Network g, Network d, Loss loss, INDArray z, int sampledEntries) {
        g.zeroGrad();
        d.zeroGrad();
        INDArray fake = g.forward(z);
        Loss.Value v = loss.generator(d.forward(fake));
        g.backward(d.backward(v.outputBar(), false), true);
        for (Param p : d.params()) assertEquals(0.0, p.grad.norm2Number().doubleValue(), 0.0, "a generator step must not touch the critic's gradients");
        Supplier<Double> f = () -> generatorLoss(g, d, loss, z);
        Rng pick = new Rng(5);
        for (Param p : g.params()) {
            long[] entries = null;
            if (sampledEntries > 0 && p.value.length() > sampledEntries) {
                entries = new long[sampledEntries];
                for (int i = 0; i < sampledEntries; i++) entries[i] = Math.floorMod(pick.nextLong(), p.value.length());
            }
            FiniteDifferences.check(loss + " " + p.name, p.value, p.grad.dup(), entries, f);
        }
    }

    @Test
    void generatorGradientMatchesFiniteDifferencesForEveryLoss() {
        long[] toy = {1, 1, 2};
        for (Loss loss : Loss.values()) {
            Network g = Networks.generator(Architecture.mlp(2, 12), toy, 3, Init.HE, new Rng(1), D);
            Network d = Networks.critic(Architecture.mlp(2, 12), toy, Init.HE, new Rng(2), D);
            checkGenerator(g, d, loss, kinkFreeZ(g, d, 6, 3), 0);
        }
    }

    @Test
    void batchNormGeneratorGradientMatchesFiniteDifferences() {
        long[] toy = {1, 1, 2};
        Architecture a = Architecture.mlp(2, 8).withNorms(Architecture.Norm.NONE, Architecture.Norm.BATCHNORM);
        Network g = Networks.generator(a, toy, 3, Init.HE, new Rng(4), D), d = Networks.critic(a, toy, Init.HE, new Rng(5), D);
        checkGenerator(g, d, Loss.WGAN, kinkFreeZ(g, d, 6, 3), 0);
    }

    @Test
    void dcganGeneratorGradientMatchesFiniteDifferences() {
        long[] image = {1, 28, 28};
        Architecture a = Architecture.dcgan(2).withNorms(Architecture.Norm.NONE, Architecture.Norm.BATCHNORM);
        Network g = Networks.generator(a, image, 4, Init.HE, new Rng(7), D);
        Network d = Networks.critic(a, image, Init.HE, new Rng(8), D);
        checkGenerator(g, d, Loss.WGAN, kinkFreeZ(g, d, 3, 4), 20);
    }

    @Test
    void activationGradientNormsAreTheNormsOfTheLossGradientAtEachLayer() {
        long[] toy = {1, 1, 2};
        Network d = Networks.critic(Architecture.mlp(3, 6), toy, Init.HE, new Rng(10), D);
        int b = 4;
        INDArray x = Nd4j.concat(0, z(11, b, 2), z(12, b, 2).addi(1)).reshape(2 * b, 1, 1, 2);
        double[] norms = new double[d.linearLayers().size()];
        d.backward(Loss.WGAN.critic(d.forward(x), b).outputBar(), false, norms);

        List<Layer> layers = d.layers();
        List<Layer> linear = d.linearLayers();
        for (int k = 0; k < linear.size() - 1; k++) {
            // the activation of linear layer k is the input of linear layer k+1: split the network there
            int split = layers.indexOf(linear.get(k + 1));
            INDArray a = x;
            for (int i = 0; i < split; i++) a = layers.get(i).forward(a);
            INDArray activation = a.dup();
            Supplier<Double> rest = () -> {
                INDArray y = activation;
                for (int i = split; i < layers.size(); i++) y = layers.get(i).forward(y);
                return Loss.WGAN.critic(y, b).loss();
            };
            double sq = 0;
            for (long i = 0; i < activation.length(); i++) {
                double gi = FiniteDifferences.derivative(activation, i, rest);
                sq += gi * gi;
            }
            double numeric = Math.sqrt(sq);
            double err = FiniteDifferences.relativeError(norms[k], numeric);
            assertEquals(0, err, FiniteDifferences.TOLERANCE, "activation gradient norm of " + linear.get(k).name() + ": " + norms[k] + " vs " + numeric);
        }
    }
}
