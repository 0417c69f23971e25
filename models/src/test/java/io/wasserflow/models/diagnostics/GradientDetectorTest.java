package io.wasserflow.models.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.lipschitz.Constraint;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.optim.OptimizerConfig;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Loss;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.models.util.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The in-job detector on real training: clipping far too tight vanishes, a huge learning rate goes non-finite, the penalty stays quiet. */
class GradientDetectorTest {
    static final long[] TOY = {1, 1, 2};

    static ExperimentConfig config(String constraint) {
        return ExperimentConfig.builder(constraint, true, Loss.WGAN, constraint).architecture(Architecture.mlp(4, 32)).batchSize(64).build();
    }

    /** Trains {@code steps} critic batches and returns every change the detector reported. */
    static List<GradientDetector.Alert> train(ExperimentConfig c, int steps, GradientDetector detector) {
        Trainer t = new Trainer(c, TOY);
        Rng rng = new Rng(5);
        List<GradientDetector.Alert> changes = new ArrayList<>();
        for (int s = 0; s < steps; s++) {
            INDArray real = Nd4j.create(Toy2D.EIGHT_GAUSSIANS.sample(rng, c.batchSize()), new long[] {c.batchSize(), 1, 1, 2}, 'c').castTo(DataType.FLOAT);
            for (StepReport r : t.step(real)) changes.addAll(detector.check(r));
        }
        return changes;
    }

    @Test
    void clippingFarTooTightRaisesOneVanishingAlertPerCriticLayer() {
        ExperimentConfig c = config("clip").toBuilder().constraint(new Constraint.Clip(1e-6)).build();
        GradientDetector d = new GradientDetector(c.alerts());
        List<GradientDetector.Alert> changes = train(c, 12, d);
        List<GradientDetector.Alert> vanishing = changes.stream()
                .filter(a -> a.kind() == GradientDetector.Kind.VANISHING && a.network().equals("critic")).toList();
        assertTrue(vanishing.size() >= 3, "the layers far from the output see products of tiny weights: " + changes);
        assertTrue(vanishing.stream().allMatch(a -> a.firing() && a.value() < c.alerts().vanishingBelow()), vanishing.toString());
        assertEquals(vanishing.size(), vanishing.stream().map(GradientDetector.Alert::layer).distinct().count(), "reported once while it lasts, not every step");
        assertTrue(d.firing().size() >= vanishing.size());
    }

    @Test
    void aHugeLearningRateGoesNonFiniteAndTheLossIsFlagged() {
        ExperimentConfig c = config("clip").toBuilder().constraint(new Constraint.None()).optimizer(OptimizerConfig.sgd(1e12)).build();
        List<GradientDetector.Alert> changes = train(c, 10, new GradientDetector(c.alerts()));
        assertTrue(changes.stream().anyMatch(a -> a.kind() == GradientDetector.Kind.NON_FINITE && a.layer().equals("loss") && a.firing()), changes.toString());
    }

    @Test
    void aHealthyPenaltyRunRaisesNothing() {
        ExperimentConfig c = config("gp");
        assertEquals(List.of(), train(c, 30, new GradientDetector(c.alerts())));
    }

    @Test
    void anAlertEndsWhenTheNormRecovers() {
        GradientDetector d = new GradientDetector(new ExperimentConfig.Alerts(1e-8, 1e3));
        List<GradientDetector.Alert> a = d.check(report(1e4)), b = d.check(report(1e4)), c = d.check(report(1.0));
        assertEquals(List.of(new GradientDetector.Alert(GradientDetector.Kind.EXPLODING, "critic", "1", 1e4, 1e3, true)), a);
        assertEquals(List.of(), b);
        assertEquals(List.of(new GradientDetector.Alert(GradientDetector.Kind.EXPLODING, "critic", "1", 1.0, 1e3, false)), c);
        assertEquals(List.of(), d.firing());
    }

    static StepReport report(double norm) {
        return new StepReport.Critic(1, 0, OptionalDouble.of(0), 0, OptionalDouble.of(0), List.of(new LayerValue("critic", "1", norm)), List.of(), null,
                List.of(), List.of(), List.of(), 0.01, 64);
    }
}
