package io.wasserflow.models.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.diagnostics.LayerValue;
import io.wasserflow.models.diagnostics.StepReport;
import io.wasserflow.models.diagnostics.WeightHistogram;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.util.Rng;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** BiGAN's three networks in the trainer: the schedule, the encoder's series, state, and learning to invert. */
class BiganTrainerTest {
    static final long[] TOY = TrainerTest.TOY;

    static ExperimentConfig bigan(String constraint) {
        return TrainerTest.small(constraint).toBuilder().model(ExperimentConfig.Model.BIGAN).build();
    }

    @Test
    void aBiganHasAnEncoderAJointCriticAndAGeneratorStepThatTrainsBoth() {
        Trainer t = new Trainer(bigan("gp"), TOY);
        assertEquals(List.of(4L, 32L), List.of(t.critic().inputShape()[2], t.critic().layers().get(1).params().get(0).value.size(1)),
                "the critic reads [x, z]: 2 + 2 inputs");
        assertArrayEquals(new long[] {5, 2}, t.encode(Nd4j.rand(DataType.FLOAT, 5, 1, 1, 2)).shape());
        String encoderBefore = t.encoder().params().get(0).value.toString(), generatorBefore = t.generator().params().get(0).value.toString();
        List<StepReport> reports = TrainerTest.run(t, TrainerTest.batches(6, 32, 1));
        assertEquals(1, t.generatorSteps());
        assertNotEquals(encoderBefore, t.encoder().params().get(0).value.toString(), "the encoder trains in the generator step");
        assertNotEquals(generatorBefore, t.generator().params().get(0).value.toString());
        StepReport.Generator g = (StepReport.Generator) reports.get(5);
        assertEquals(List.of("generator", "generator", "generator", "encoder", "encoder", "encoder"),
                g.weightGradientNorms().stream().map(LayerValue::network).toList());
        assertEquals(List.of("generator", "generator", "generator", "encoder", "encoder", "encoder"),
                g.activationGradientNorms().stream().map(LayerValue::network).toList());
        assertEquals(List.of("generator", "generator", "generator", "encoder", "encoder", "encoder"),
                g.histograms().stream().map(WeightHistogram::network).toList());
        for (StepReport r : reports) assertTrue(r.finite());
        StepReport.Critic c = (StepReport.Critic) reports.get(0);
        assertTrue(c.wassersteinEstimate().isPresent() && c.gradientPenalty().isPresent());
    }

    @Test
    void aGanKeepsItsTwoNetworks() {
        Trainer t = new Trainer(TrainerTest.small("gp"), TOY);
        assertEquals(null, t.encoder());
        assertEquals(2, t.critic().inputShape()[2]);
        assertThrows(IllegalStateException.class, () -> t.encode(Nd4j.rand(DataType.FLOAT, 2, 1, 1, 2)));
    }

    @Test
    void saveRestoreContinueEqualsAnUninterruptedRunBitForBitWithThreeNetworks() {
        for (String constraint : new String[] {"gp", "clip", "lp", "sn"}) {
            List<INDArray> data = TrainerTest.batches(23, 32, 7);
            Trainer whole = new Trainer(bigan(constraint), TOY);
            TrainerTest.run(whole, data);

            Trainer first = new Trainer(bigan(constraint), TOY);
            TrainerTest.run(first, data.subList(0, 13)); // mid-way between generator steps
            byte[] state = first.saveState();
            Trainer resumed = new Trainer(bigan(constraint).toBuilder().seed(99).build(), TOY);
            resumed.restoreState(state);
            TrainerTest.run(resumed, data.subList(13, 23));

            assertEquals(whole.generatorSteps(), resumed.generatorSteps());
            assertEquals(whole.parameterDigest(), resumed.parameterDigest(), constraint);
            assertArrayEquals(whole.saveState(), resumed.saveState(), constraint);
            // the encoder is in the digest: a trainer whose encoder alone differs has another digest
            Trainer other = new Trainer(bigan(constraint), TOY);
            other.restoreState(state);
            other.encoder().params().get(0).value.addi(1e-3);
            assertNotEquals(first.parameterDigest(), other.parameterDigest());
        }
    }

    @Test
    void aGanStateIsNotABiganState() {
        byte[] gan = new Trainer(TrainerTest.small("gp"), TOY).saveState();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer(bigan("gp"), TOY).restoreState(gan));
        assertTrue(e.getMessage().contains("tensors"), e.getMessage());
    }

    @Test
    void biganRefusesTheSaturatingLossAndAFixedGenerator() {
        ExperimentConfig minimax = bigan("none").toBuilder().loss(Loss.GAN_MINIMAX).build();
        assertEquals("model bigan trains with loss wgan or gan, not gan-minimax",
                assertThrows(IllegalArgumentException.class, () -> new Trainer(minimax, TOY)).getMessage());
        ExperimentConfig fixed = bigan("clip").toBuilder().fixedGenerator(new ExperimentConfig.FixedGaussian(0, 1)).build();
        assertThrows(IllegalArgumentException.class, () -> new Trainer(fixed, TOY));
    }

    /**
     * A short BiGAN run on the 8 Gaussians with a 2-D latent (WGAN-GP, 2 x 64, Adam 1e-3): the encoder
     * learns to invert the generator, so ||x - G(E(x))|| on a fixed real sample falls. The error is
     * noisy from step to step (measured with this seed: 2.02 at the start, 0.45-1.2 after 500 critic
     * steps), so the test compares the start with the mean of the last ten measurements, every 20 critic steps.
     */
    @Test
    void theReconstructionErrorFallsInAShortRun() {
        ExperimentConfig c = ExperimentConfig.builder("bigan-toy", true, Loss.WGAN, "gp").model(ExperimentConfig.Model.BIGAN)
                .architecture(Architecture.mlp(2, 64)).batchSize(128).optimizer(io.wasserflow.models.optim.OptimizerConfig.adam(1e-3, 0.5, 0.9))
                .normsEvery(0).histogramsEvery(0).samplesEvery(0).build();
        Trainer t = new Trainer(c, TOY);
        Rng rng = new Rng(21);
        INDArray probe = Nd4j.create(Toy2D.EIGHT_GAUSSIANS.sample(new Rng(5), 512), new long[] {512, 1, 1, 2}, 'c').castTo(DataType.FLOAT);
        double before = t.reconstructionError(probe), latentBefore = t.latentError(512, 6);
        double late = 0, latentLate = 0;
        for (int i = 1; i <= 1000; i++) {
            t.step(Nd4j.create(Toy2D.EIGHT_GAUSSIANS.sample(rng, 128), new long[] {128, 1, 1, 2}, 'c').castTo(DataType.FLOAT));
            if (i > 800 && i % 20 == 0) {
                late += t.reconstructionError(probe) / 10;
                latentLate += t.latentError(512, 6) / 10;
            }
        }
        System.out.printf("BiGAN 8gaussians, %d generator steps: reconstruction error %.4f -> %.4f, latent error %.4f -> %.4f (means of the last 10)%n",
                t.generatorSteps(), before, late, latentBefore, latentLate);
        assertTrue(late < 0.6 * before, "reconstruction error " + before + " -> " + late);
        assertTrue(latentLate < 0.6 * latentBefore, "latent error " + latentBefore + " -> " + latentLate);
    }
}
