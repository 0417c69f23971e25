package io.wasserflow.models.lipschitz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.layers.FiniteDifferences;
import io.wasserflow.models.layers.Layer;
import io.wasserflow.models.layers.LeakyRelu;
import io.wasserflow.models.layers.Param;
import io.wasserflow.models.layers.Relu;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.nets.Init;
import io.wasserflow.models.nets.Network;
import io.wasserflow.models.nets.Networks;
import io.wasserflow.models.train.Loss;
import io.wasserflow.models.util.Rng;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The whole critic loss, Wasserstein (or GAN) term plus penalty, against central finite differences
 * in double precision, on MLP and DCGAN critics. The penalty's weight gradient is a second
 * derivative; the finite differences see it through the penalty's value, which is computed with
 * first-order backprop only.
 */
class CriticLossGradientTest {
    static final DataType D = DataType.DOUBLE;
    /** DCGAN critics have about 10^5 to 10^6 weights: a fixed random sample of each tensor is checked. */
    static final int DCGAN_ENTRIES_PER_TENSOR = 24;
    static final long SAMPLE_SEED = 20261122L;

    record Batch(INDArray real, INDArray fake, INDArray eps) {
        INDArray xHat() { return Penalty.interpolate(real, fake, eps); }
    }

    static Batch batch(long seed, int b, long... sample) {
        Rng rng = new Rng(seed);
        long[] shape = new long[sample.length + 1];
        shape[0] = b;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        INDArray eps = Nd4j.create(new double[b], new long[] {b, 1}, 'c');
        for (int i = 0; i < b; i++) eps.putScalar(i, 0, rng.nextDouble());
        return new Batch(FiniteDifferences.randn(rng, shape), FiniteDifferences.randn(rng, shape).muli(0.5).addi(0.3), eps);
    }

    /** A batch whose pre-activations all keep away from kinks (new draws until one does). */
    static Batch kinkFreeBatch(Network critic, int b, long... sample) {
        for (long seed = 1; seed < 200; seed++) {
            Batch batch = batch(seed, b, sample);
            if (FiniteDifferences.closestKink(critic, batch.real, batch.fake, batch.xHat()) > FiniteDifferences.KINK_MARGIN) return batch;
        }
        throw new AssertionError("no kink-free batch found");
    }

    static double lossValue(Network critic, Loss loss, Penalty penalty, Batch batch) {
        int b = (int) batch.real.size(0);
        double v = loss.critic(critic.forward(Nd4j.concat(0, batch.real, batch.fake)), b).loss();
        return penalty == null ? v : v + penalty.value(critic, batch.xHat());
    }

    /** Analytic gradient into the params' grads, exactly as the training step computes it. */
    static void analyticGradient(Network critic, Loss loss, Penalty penalty, Batch batch) {
        int b = (int) batch.real.size(0);
        critic.zeroGrad();
        INDArray out = critic.forward(Nd4j.concat(0, batch.real, batch.fake));
        critic.backward(loss.critic(out, b).outputBar(), true);
        if (penalty != null) penalty.apply(critic, batch.xHat());
    }

    static long[] sampleEntries(long length, Rng rng) {
        if (length <= DCGAN_ENTRIES_PER_TENSOR) {
            long[] all = new long[(int) length];
            for (int i = 0; i < all.length; i++) all[i] = i;
            return all;
        }
        long[] e = new long[DCGAN_ENTRIES_PER_TENSOR];
        for (int i = 0; i < e.length; i++) e[i] = Math.floorMod(rng.nextLong(), length);
        return e;
    }

    static double checkAll(Network critic, Loss loss, Penalty penalty, Batch batch, boolean sampled) {
        analyticGradient(critic, loss, penalty, batch);
        Supplier<Double> f = () -> lossValue(critic, loss, penalty, batch);
        Rng pick = new Rng(SAMPLE_SEED);
        FiniteDifferences.judgedByRoundOff = 0;
        double worst = 0;
        for (Param p : critic.params()) {
            INDArray analytic = p.grad.dup();
            long[] entries = sampled ? sampleEntries(p.value.length(), pick) : null;
            worst = Math.max(worst, FiniteDifferences.check(p.name, p.value, analytic, entries, f));
        }
        System.out.printf("  %d entries below relative error 1e-5 except %d within the round-off bound%n", critic.parameterCount(), FiniteDifferences.judgedByRoundOff);
        return worst;
    }

    /**
     * Scales the output layer's weights so that the median slope ||grad_x D(x-hat)|| is 1: half the
     * samples then sit on each side of the one-sided penalty's hinge. The critic's input gradient is
     * linear in the output layer's weights, so this moves no kink.
     */
    static double[] balanceSlopes(Network critic, Batch batch) {
        Penalty probe = new Penalty(1, true);
        double[] norms = probe.apply(critic, batch.xHat()).gradientNorms();
        double median = io.wasserflow.models.diagnostics.Quantiles.of(norms, new double[] {0.5})[0];
        Param out = critic.linearLayers().get(critic.linearLayers().size() - 1).params().get(0);
        out.value.muli(1.0 / median);
        return probe.apply(critic, batch.xHat()).gradientNorms();
    }

    static Network mlpCritic(Architecture.Norm norm, long seed) {
        // Layer norm costs many small operations per pass: a narrower critic keeps that check fast.
        int width = norm == Architecture.Norm.LAYERNORM ? 8 : 16;
        return Networks.critic(Architecture.mlp(3, width).withNorms(norm, Architecture.Norm.NONE), new long[] {1, 1, 2}, Init.HE, new Rng(seed), D);
    }

    @Test
    void gradientPenaltyGradientMatchesFiniteDifferencesOnAnMlpCritic() {
        Network critic = mlpCritic(Architecture.Norm.NONE, 3);
        double worst = checkAll(critic, Loss.WGAN, new Penalty(10, false), kinkFreeBatch(critic, 8, 1, 1, 2), false);
        System.out.printf("MLP critic, WGAN-GP: worst relative error %.2e over all %d parameters%n", worst, critic.parameterCount());
    }

    @Test
    void oneSidedPenaltyGradientMatchesFiniteDifferencesOnAnMlpCritic() {
        Network critic = mlpCritic(Architecture.Norm.NONE, 5);
        Batch batch = kinkFreeBatch(critic, 8, 1, 1, 2);
        double[] norms = balanceSlopes(critic, batch);
        long above = java.util.Arrays.stream(norms).filter(n -> n > 1).count();
        assertTrue(above > 0 && above < norms.length, "the check needs slopes on both sides of 1, got " + java.util.Arrays.toString(norms));
        double worst = checkAll(critic, Loss.WGAN, new Penalty(10, true), batch, false);
        System.out.printf("MLP critic, WGAN-LP: worst relative error %.2e (%d of %d slopes above 1)%n", worst, above, norms.length);
    }

    @Test
    void penaltyGradientMatchesFiniteDifferencesThroughLayerNormalisation() {
        Network critic = mlpCritic(Architecture.Norm.LAYERNORM, 7);
        double worst = checkAll(critic, Loss.WGAN, new Penalty(10, false), kinkFreeBatch(critic, 6, 1, 1, 2), false);
        System.out.printf("MLP critic with layer norm, WGAN-GP: worst relative error %.2e%n", worst);
    }

    @Test
    void ganDiscriminatorLossWithPenaltyMatchesFiniteDifferences() {
        Network critic = mlpCritic(Architecture.Norm.NONE, 9);
        checkAll(critic, Loss.GAN, new Penalty(1, false), kinkFreeBatch(critic, 8, 1, 1, 2), false);
        checkAll(critic, Loss.GAN_MINIMAX, null, kinkFreeBatch(critic, 8, 1, 1, 2), false);
    }

    @Test
    void penaltyGradientMatchesFiniteDifferencesOnADcganCritic() {
        Network critic = Networks.critic(Architecture.dcgan(4), new long[] {1, 28, 28}, Init.HE, new Rng(11), D);
        Batch batch = kinkFreeBatch(critic, 3, 1, 28, 28);
        double worst = checkAll(critic, Loss.WGAN, new Penalty(10, false), batch, true);
        System.out.printf("DCGAN critic (DIM 4), WGAN-GP: worst relative error %.2e over %d sampled entries per tensor (seed %d)%n",
                worst, DCGAN_ENTRIES_PER_TENSOR, SAMPLE_SEED);
    }

    @Test
    void oneSidedPenaltyGradientMatchesFiniteDifferencesOnADcganCriticWithLayerNorm() {
        Network critic = Networks.critic(Architecture.dcgan(4).withNorms(Architecture.Norm.LAYERNORM, Architecture.Norm.NONE),
                new long[] {1, 28, 28}, Init.HE, new Rng(13), D);
        Batch batch = kinkFreeBatch(critic, 4, 1, 28, 28);
        double[] norms = balanceSlopes(critic, batch);
        assertTrue(java.util.Arrays.stream(norms).anyMatch(n -> n > 1), "the one-sided penalty must be active");
        checkAll(critic, Loss.WGAN, new Penalty(10, true), batch, true);
    }

    @Test
    void linearCriticPenaltyGradientIsTheClosedForm() {
        // D(x) = w.x + b: grad_x D = w for every x, so P = lambda (||w|| - 1)^2 and
        // dP/dw = 2 lambda (||w|| - 1) w / ||w||, dP/db = 0.
        Network critic = Networks.critic(Architecture.mlp(0, 0), new long[] {1, 1, 5}, Init.HE, new Rng(17), D);
        Param w = critic.params().get(0), b = critic.params().get(1);
        w.value.assign(Nd4j.create(new double[] {0.9, -1.2, 0.4, 0.7, -0.3}, new long[] {5, 1}, 'c'));
        double lambda = 10, norm = w.value.norm2Number().doubleValue();
        Batch batch = batch(3, 7, 1, 1, 5);
        critic.zeroGrad();
        Penalty.Result r = new Penalty(lambda, false).apply(critic, batch.xHat());
        // Penalty smooths the norm as sqrt(||g||^2 + 1e-12), which moves these values by about 4e-12.
        double smoothing = 1e-10;
        assertEquals(lambda * (norm - 1) * (norm - 1), r.value(), smoothing);
        INDArray expected = w.value.mul(2 * lambda * (norm - 1) / norm);
        for (int i = 0; i < 5; i++) assertEquals(expected.getDouble(i), w.grad.getDouble(i), smoothing);
        assertEquals(0.0, b.grad.getDouble(0), 0.0);
    }

    @Test
    void pureReluCriticPenaltyHasExactlyZeroBiasGradient() {
        Network critic = mlpCritic(Architecture.Norm.NONE, 19);
        Batch batch = kinkFreeBatch(critic, 8, 1, 1, 2);
        critic.zeroGrad();
        new Penalty(10, false).apply(critic, batch.xHat());
        for (Param p : critic.params()) if (!p.isWeight) assertEquals(0.0, p.grad.norm2Number().doubleValue(), 0.0, p.name);
    }
}
