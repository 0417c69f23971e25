package io.wasserflow.models.lipschitz;

import static io.wasserflow.models.lipschitz.CriticLossGradientTest.D;
import static io.wasserflow.models.lipschitz.CriticLossGradientTest.kinkFreeBatch;
import static io.wasserflow.models.lipschitz.CriticLossGradientTest.lossValue;
import static io.wasserflow.models.lipschitz.CriticLossGradientTest.mlpCritic;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.diagnostics.ExactSingularValue;
import io.wasserflow.models.layers.FiniteDifferences;
import io.wasserflow.models.layers.Layer;
import io.wasserflow.models.layers.Param;
import io.wasserflow.models.lipschitz.CriticLossGradientTest.Batch;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.nets.Init;
import io.wasserflow.models.nets.Network;
import io.wasserflow.models.nets.Networks;
import io.wasserflow.models.train.Loss;
import io.wasserflow.models.util.Rng;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Spectral normalisation's gradient against finite differences in float64, with u and v held at
 * their values after the update's power step (SCIENCE.md, Part two): W_sn = W / (u^T W v) is then
 * an exact function of W, and d sigma / dW = u v^T.
 */
class SpectralNormalisationTest {
    static final long[] TOY = {1, 1, 2}, IMAGE = {1, 28, 28};

    /** The critic loss's analytic gradient through W / sigma, as the critic step takes it. */
    static void analyticGradient(Network critic, SpectralNormalisation sn, Batch batch) {
        int b = (int) batch.real().size(0);
        critic.zeroGrad();
        INDArray out = critic.forward(Nd4j.concat(0, batch.real(), batch.fake()));
        critic.backward(Loss.WGAN.critic(out, b).outputBar(), true);
        sn.backward();
    }

    static double check(Network critic, SpectralNormalisation sn, Batch batch, boolean sampled) {
        analyticGradient(critic, sn, batch);
        // each stencil point moves W, so W_sn follows it with the vectors held
        Supplier<Double> f = () -> {
            sn.refresh();
            return lossValue(critic, Loss.WGAN, null, batch);
        };
        Rng pick = new Rng(CriticLossGradientTest.SAMPLE_SEED);
        FiniteDifferences.judgedByRoundOff = 0;
        double worst = 0;
        for (Param p : critic.params()) {
            INDArray analytic = p.grad.dup();
            long[] entries = sampled ? CriticLossGradientTest.sampleEntries(p.value.length(), pick) : null;
            worst = Math.max(worst, FiniteDifferences.check(p.name, p.value, analytic, entries, f));
        }
        sn.refresh();
        return worst;
    }

    @Test
    void spectralNormGradientMatchesFiniteDifferencesOnAnMlpCritic() {
        Network critic = mlpCritic(Architecture.Norm.NONE, 21);
        SpectralNormalisation sn = new SpectralNormalisation(critic, 1, new Rng(22));
        sn.powerStep(); // the update's power step; u and v are held from here on
        double worst = check(critic, sn, kinkFreeBatch(critic, 8, 1, 1, 2), false);
        System.out.printf("MLP critic, sn: worst relative error %.2e over all %d parameters (%d by the round-off bound)%n",
                worst, critic.parameterCount(), FiniteDifferences.judgedByRoundOff);
    }

    @Test
    void spectralNormGradientMatchesFiniteDifferencesOnADcganCritic() {
        Network critic = Networks.critic(Architecture.dcgan(4), IMAGE, Init.HE, new Rng(23), D);
        SpectralNormalisation sn = new SpectralNormalisation(critic, 2, new Rng(24));
        sn.powerStep();
        double worst = check(critic, sn, kinkFreeBatch(critic, 3, 1, 28, 28), true);
        System.out.printf("DCGAN critic (DIM 4), sn: worst relative error %.2e over %d sampled entries per tensor%n",
                worst, CriticLossGradientTest.DCGAN_ENTRIES_PER_TENSOR);
    }

    @Test
    void normalisedWeightsHaveSpectralNormOneAfterEnoughPowerSteps() {
        Network critic = Networks.critic(Architecture.dcgan(2), IMAGE, Init.HE, new Rng(25), D);
        SpectralNormalisation sn = new SpectralNormalisation(critic, 1, new Rng(26));
        for (int i = 0; i < 300; i++) sn.powerStep();
        for (Layer l : critic.linearLayers()) {
            INDArray w = l.params().get(0).effective();
            boolean dense = w.rank() == 2;
            int rows = (int) w.size(0), cols = (int) (w.length() / w.size(0)); // dense [in, out] is A^T: the same singular values
            double sigma = ExactSingularValue.largest(w.dup('c').data().asDouble(), rows, cols);
            assertEquals(1.0, sigma, 1e-6, l.name() + (dense ? " (dense)" : " (conv, [out, in*k*k])"));
        }
    }

    @Test
    void everyPassComputesWithTheNormalisedWeights() {
        // the same critic twice: one spectrally normalised, one plain whose weights are set to W_sn
        Network sn = mlpCritic(Architecture.Norm.NONE, 27), plain = mlpCritic(Architecture.Norm.NONE, 27);
        SpectralNormalisation norm = new SpectralNormalisation(sn, 1, new Rng(28));
        norm.powerStep();
        List<Layer> a = sn.linearLayers(), b = plain.linearLayers();
        for (int i = 0; i < a.size(); i++) b.get(i).params().get(0).value.assign(a.get(i).params().get(0).effective());
        Batch batch = kinkFreeBatch(sn, 8, 1, 1, 2);
        INDArray xHat = batch.xHat();
        // forward and the input gradient (the generator step's route through the critic)
        assertArrayEquals(plain.forward(xHat).data().asDouble(), sn.forward(xHat).data().asDouble());
        INDArray ones = Nd4j.ones(D, xHat.size(0), 1);
        assertArrayEquals(plain.backward(ones, false).data().asDouble(), sn.backward(ones, false).data().asDouble());
        // the penalty's tangent route, which accumulates gradients with respect to the weights the passes use
        sn.zeroGrad();
        plain.zeroGrad();
        Penalty penalty = new Penalty(10, false);
        assertEquals(penalty.apply(plain, xHat).value(), penalty.apply(sn, xHat).value(), 0.0);
        for (int i = 0; i < a.size(); i++)
            assertArrayEquals(b.get(i).params().get(0).grad.data().asDouble(), a.get(i).params().get(0).grad.data().asDouble(), a.get(i).name());
    }

    @Test
    void theCriticIsNormalisedFromConstructionAndFewerThanOnePowerStepIsRefused() {
        Network critic = mlpCritic(Architecture.Norm.NONE, 29);
        new SpectralNormalisation(critic, 1, new Rng(30));
        for (Layer l : critic.linearLayers()) {
            Param w = l.params().get(0);
            assertTrue(w.effective() != w.value, l.name() + " computes with its raw weight");
        }
        assertThrows(IllegalArgumentException.class, () -> new SpectralNormalisation(mlpCritic(Architecture.Norm.NONE, 31), 0, new Rng(1)));
    }
}
