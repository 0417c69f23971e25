package io.wasserflow.models.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Loss;
import io.wasserflow.models.train.Trainer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The line profile's slopes and generator gradients against finite differences of its own D, in float64. */
class LineProfileTest {
    static final double H = 1e-5;

    static Trainer critic(Loss loss) {
        ExperimentConfig c = ExperimentConfig.builder("profile", true, loss, loss.isWasserstein() ? "clip" : "none")
                .architecture(Architecture.mlp(2, 16)).dtype(DataType.DOUBLE).seed(4).build();
        return new Trainer(c, new long[] {1, 1, 1});
    }

    /** D at x - H and x + H, through the same network. */
    static double[] around(Trainer t, Loss loss, double x) {
        LineProfile p = LineProfile.of(t.critic(), loss, new double[] {x - H, x + H});
        return p.d();
    }

    @Test
    void slopeAndMinimaxGeneratorGradientAreTheDerivativesOfDAndLogOneMinusD() {
        for (Loss loss : new Loss[] {Loss.GAN_MINIMAX, Loss.GAN, Loss.WGAN}) {
            Trainer t = critic(loss);
            double[] x = {-3, -1.3, 0.4, 2.2};
            LineProfile p = LineProfile.of(t.critic(), loss, x);
            for (int i = 0; i < x.length; i++) {
                double[] d = around(t, loss, x[i]);
                double slope = (d[1] - d[0]) / (2 * H);
                double generatorLoss1 = generatorLoss(loss, d[1]), generatorLoss0 = generatorLoss(loss, d[0]);
                double gen = (generatorLoss1 - generatorLoss0) / (2 * H);
                assertEquals(slope, p.slope()[i], 1e-6 * Math.max(1, Math.abs(slope)), loss.id + " dD/dx at " + x[i]);
                assertEquals(gen, p.generatorGradient()[i], 1e-6 * Math.max(1, Math.abs(gen)), loss.id + " generator gradient at " + x[i]);
            }
        }
    }

    /** The loss the generator minimises for a fake with this D (SCIENCE.md). */
    static double generatorLoss(Loss loss, double d) {
        return switch (loss) {
            case WGAN -> -d;
            case GAN -> -Math.log(d);
            case GAN_MINIMAX -> Math.log(1 - d);
        };
    }

    @Test
    void interpolationBetweenGridPointsAndTheMeanSlope() {
        LineProfile p = new LineProfile(new double[] {-1, 0, 1}, new double[] {0, 0.5, 3}, new double[] {1, 2, 3}, new double[] {-1, -2, -3});
        assertEquals(1.5, p.absSlopeAt(-0.5));
        assertEquals(2.5, p.absGeneratorGradientAt(0.5));
        assertEquals(1.75, p.dAt(0.5));
        assertEquals(1.5, p.meanSlope(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> p.dAt(1.5));
    }

    @Test
    void aCriticOfTwoInputsIsRefused() {
        ExperimentConfig c = ExperimentConfig.builder("two", true, Loss.WGAN, "gp").architecture(Architecture.mlp(1, 4)).build();
        Trainer t = new Trainer(c, new long[] {1, 1, 2});
        assertThrows(IllegalArgumentException.class, () -> LineProfile.of(t.critic(), Loss.WGAN, new double[] {0}));
    }
}
