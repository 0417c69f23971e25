package io.wasserflow.models.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.layers.FiniteDifferences;
import io.wasserflow.models.layers.Param;
import io.wasserflow.models.lipschitz.Penalty;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.nets.Init;
import io.wasserflow.models.nets.Network;
import io.wasserflow.models.nets.Networks;
import io.wasserflow.models.util.Rng;
import java.util.Arrays;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BiGAN's losses against central finite differences in double precision: the joint critic's loss
 * with the gradient penalty and the one-sided penalty at joint interpolates (the critic's weights:
 * the penalty trains the critic only), and the encoder's and generator's loss (their weights).
 */
class BiganGradientTest {
    static final DataType D = DataType.DOUBLE;
    static final long[] TOY = {1, 1, 2}, IMAGE = {1, 28, 28};
    static final int Z = 2;

    /** Three networks and one batch: real x, latent z, one eps per sample. */
    record Setup(Network encoder, Network generator, Network critic, INDArray x, INDArray z, INDArray eps) {
        INDArray realPairs() { return JointPairs.of(x, encoder.forward(x)); }
        INDArray fakePairs() { return JointPairs.of(generator.forward(z), z); }
        INDArray jointHat() { return Penalty.interpolate(realPairs(), fakePairs(), eps); }

        /** No pre-activation of any of the three networks within the stencil's reach of a kink. */
        boolean kinkFree() {
            double m = FiniteDifferences.KINK_MARGIN;
            return FiniteDifferences.closestKink(encoder, x) > m && FiniteDifferences.closestKink(generator, z) > m
                    && FiniteDifferences.closestKink(critic, realPairs(), fakePairs(), jointHat()) > m;
        }
    }

    static Setup setup(Architecture a, long[] data, int b, long seed) {
        Rng init = new Rng(seed);
        Network critic = Networks.jointCritic(a, data, Z, Init.HE, init, D);
        Network generator = Networks.generator(a, data, Z, Init.HE, init, D);
        Network encoder = Networks.encoder(a, data, Z, Init.HE, init, D);
        for (long s = 1; s < 300; s++) {
            Rng rng = new Rng(seed * 1000 + s);
            long[] shape = new long[data.length + 1];
            shape[0] = b;
            System.arraycopy(data, 0, shape, 1, data.length);
            INDArray x = FiniteDifferences.randn(rng, shape), z = FiniteDifferences.randn(rng, b, Z);
            INDArray eps = Nd4j.create(new double[b], new long[] {b, 1}, 'c');
            for (int i = 0; i < b; i++) eps.putScalar(i, 0, rng.nextDouble());
            Setup st = new Setup(encoder, generator, critic, x, z, eps);
            if (st.kinkFree()) return st;
        }
        throw new AssertionError("no kink-free batch found");
    }

    /** The joint critic's loss as the critic step computes it, with the penalty's value. */
    static double criticLoss(Setup s, Loss loss, Penalty penalty) {
        int b = (int) s.x.size(0);
        double v = loss.critic(s.critic.forward(Nd4j.concat(0, s.realPairs(), s.fakePairs())), b).loss();
        return v + penalty.value(s.critic, s.jointHat());
    }

    static void checkCritic(Setup s, Loss loss, Penalty penalty) {
        int b = (int) s.x.size(0);
        INDArray real = s.realPairs(), fake = s.fakePairs();
        s.critic.zeroGrad();
        s.encoder.zeroGrad();
        s.generator.zeroGrad();
        INDArray out = s.critic.forward(Nd4j.concat(0, real, fake));
        s.critic.backward(loss.critic(out, b).outputBar(), true);
        penalty.apply(s.critic, Penalty.interpolate(real, fake, s.eps));
        for (Network n : new Network[] {s.encoder, s.generator})
            for (Param p : n.params()) assertEquals(0.0, p.grad.norm2Number().doubleValue(), 0.0, "the critic's loss must not touch the " + n.role + "'s gradients");
        Supplier<Double> f = () -> criticLoss(s, loss, penalty);
        for (Param p : s.critic.params()) FiniteDifferences.check("critic " + p.name, p.value, p.grad.dup(), null, f);
    }

    @Test
    void theJointInterpolatesAreEpsXPlusOneMinusEpsGzAndEpsExPlusOneMinusEpsZ() {
        Setup s = setup(Architecture.mlp(2, 8), TOY, 5, 1);
        INDArray hat = s.jointHat(), x = s.x.reshape(5, 2), ex = s.encoder.forward(s.x), gz = s.generator.forward(s.z).reshape(5, 2);
        for (int i = 0; i < 5; i++) {
            double e = s.eps.getDouble(i, 0);
            for (int j = 0; j < 2; j++) assertEquals(e * x.getDouble(i, j) + (1 - e) * gz.getDouble(i, j), hat.getDouble(i, j), 1e-15);
            for (int j = 0; j < Z; j++) assertEquals(e * ex.getDouble(i, j) + (1 - e) * s.z.getDouble(i, j), hat.getDouble(i, 2 + j), 1e-15);
        }
    }

    @Test
    void jointCriticGradientPenaltyGradientMatchesFiniteDifferences() {
        Setup s = setup(Architecture.mlp(3, 8), TOY, 8, 2);
        checkCritic(s, Loss.WGAN, new Penalty(10, false));
        checkCritic(s, Loss.GAN, new Penalty(1, false));
    }

    @Test
    void jointCriticOneSidedPenaltyGradientMatchesFiniteDifferences() {
        Setup s = setup(Architecture.mlp(3, 8), TOY, 8, 3);
        // scale the output layer so the median slope at the joint interpolates is 1: the hinge is active for about half
        Penalty probe = new Penalty(1, true);
        double[] norms = probe.apply(s.critic, s.jointHat()).gradientNorms();
        double median = io.wasserflow.models.diagnostics.Quantiles.of(norms, new double[] {0.5})[0];
        s.critic.linearLayers().get(s.critic.linearLayers().size() - 1).params().get(0).value.muli(1.0 / median);
        norms = probe.apply(s.critic, s.jointHat()).gradientNorms();
        long above = Arrays.stream(norms).filter(n -> n > 1).count();
        assertTrue(above > 0 && above < norms.length, "the check needs slopes on both sides of 1, got " + Arrays.toString(norms));
        checkCritic(s, Loss.WGAN, new Penalty(10, true));
    }

    static double encoderGeneratorLoss(Setup s, Loss loss) {
        int b = (int) s.x.size(0);
        return loss.encoderGenerator(s.critic.forward(Nd4j.concat(0, s.realPairs(), s.fakePairs())), b).loss();
    }

    static void checkEncoderGenerator(Setup s, Loss loss, int sampledEntries) {
        s.critic.zeroGrad();
        new EncoderGeneratorStep(s.encoder, s.generator, s.critic, loss, null, null).gradients(s.x, s.z, null, null);
        for (Param p : s.critic.params()) assertEquals(0.0, p.grad.norm2Number().doubleValue(), 0.0, "an encoder-generator step must not touch the critic's gradients");
        Supplier<Double> f = () -> encoderGeneratorLoss(s, loss);
        Rng pick = new Rng(5);
        for (Network n : new Network[] {s.encoder, s.generator})
            for (Param p : n.params()) {
                long[] entries = null;
                if (sampledEntries > 0 && p.value.length() > sampledEntries) {
                    entries = new long[sampledEntries];
                    for (int i = 0; i < sampledEntries; i++) entries[i] = Math.floorMod(pick.nextLong(), p.value.length());
                }
                assertTrue(p.grad.norm2Number().doubleValue() > 0 || !p.isWeight, n.role + " " + p.name + " got no gradient");
                FiniteDifferences.check(loss + " " + n.role + " " + p.name, p.value, p.grad.dup(), entries, f);
            }
    }

    @Test
    void encoderAndGeneratorGradientsMatchFiniteDifferencesForBothLosses() {
        for (Loss loss : new Loss[] {Loss.WGAN, Loss.GAN}) checkEncoderGenerator(setup(Architecture.mlp(2, 6), TOY, 6, 4), loss, 0);
    }

    @Test
    void convolutionalEncoderAndGeneratorGradientsMatchFiniteDifferences() {
        // DIM 2: the DCGAN encoder mirrors the critic's convolutions; 20 stated entries of every tensor (seed 5)
        checkEncoderGenerator(setup(Architecture.dcgan(2), IMAGE, 3, 6), Loss.WGAN, 20);
    }
}
