package io.wasserflow.models.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.data.Gaussian1D;
import io.wasserflow.models.diagnostics.LineProfile;
import io.wasserflow.models.util.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * WGAN paper, Figure 2 (SCIENCE.md, part two), on the wgan-figure2 preset's settings: the reference
 * toy networks (3 x 512 ReLU MLPs), real N(2, 0.5), fake held fixed at N(-2, 0.5). A minimax GAN
 * discriminator (Adam 2e-4 (0.5, 0.999)) and a clipped WGAN critic (c 0.01, RMSProp 5e-5) each take
 * 120 critic steps on the same real stream (a few seconds each on an idle machine). Each function's
 * slope at the fake mode is compared with its own mean slope between the modes, which puts both on
 * one scale. Measured with these seeds: the GAN's ratio 1.2e-6 (its minimax generator gradient
 * the same), the WGAN critic's 0.59; D(-2) 3.6e-8, D(2) 0.99998.
 */
class Figure2SlopesTest {
    static final int STEPS = 120;
    static final double MU_R = Gaussian1D.REAL_MEAN, MU_F = Gaussian1D.FAKE_MEAN;

    static LineProfile trained(Loss loss, String constraint) {
        ExperimentConfig c = ExperimentConfig.builder(loss.id, true, loss, constraint)
                .fixedGenerator(new ExperimentConfig.FixedGaussian(MU_F, Gaussian1D.STD))
                .normsEvery(0).histogramsEvery(0).samplesEvery(0).build();
        Trainer t = new Trainer(c, new long[] {1, 1, 1});
        Rng data = new Rng(5);
        while (t.steps() < STEPS) t.step(Nd4j.create(Gaussian1D.sample(data, c.batchSize()), new long[] {c.batchSize(), 1, 1, 1}, 'c'));
        return LineProfile.of(t.critic(), loss, LineProfile.grid(-4, 4, 161));
    }

    @Test
    void theDiscriminatorSaturatesAtTheFakesWhileTheClippedCriticKeepsItsSlope() {
        LineProfile gan = trained(Loss.GAN_MINIMAX, "none"), wgan = trained(Loss.WGAN, "clip");
        double ganMean = Math.abs(gan.meanSlope(MU_F, MU_R)), wganMean = Math.abs(wgan.meanSlope(MU_F, MU_R));
        double ganSlope = gan.absSlopeAt(MU_F) / ganMean, ganGenerator = gan.absGeneratorGradientAt(MU_F) / ganMean;
        double wganSlope = wgan.absSlopeAt(MU_F) / wganMean;
        String measured = String.format("D(mu_f) %.3g, D(mu_r) %.6f; at mu_f over the mean slope: GAN |dD/dx| %.3g, |d log(1-D)/dx| %.3g; WGAN |dD/dx| %.3g",
                gan.dAt(MU_F), gan.dAt(MU_R), ganSlope, ganGenerator, wganSlope);
        assertTrue(gan.dAt(MU_F) < 0.01 && gan.dAt(MU_R) > 0.99, "the discriminator separates the modes: " + measured);
        assertTrue(ganSlope < 1e-4, "the discriminator's slope vanishes at the fakes: " + measured);
        assertTrue(ganGenerator < 1e-4, "so does the minimax generator's gradient: " + measured);
        assertTrue(wganSlope > 0.3 && wganSlope < 3, "the clipped critic's slope at the fakes is about its mean slope: " + measured);
        assertTrue(ganSlope < 1e-3 * wganSlope, "orders of magnitude apart: " + measured);
    }
}
