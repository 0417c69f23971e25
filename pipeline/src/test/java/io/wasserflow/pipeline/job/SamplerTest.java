package io.wasserflow.pipeline.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.data.Gaussian1D;
import io.wasserflow.models.diagnostics.ToyQuality;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Loss;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.schemas.TrainingMetric;
import org.junit.jupiter.api.Test;

/** Samples on the line: a histogram picture and the exact W1 to the real N(2, 0.5). */
class SamplerTest {
    @Test
    void aGeneratorOnTheLineGetsHistogramsAndItsExactW1() {
        ExperimentConfig c = ExperimentConfig.builder("line", true, Loss.WGAN, "gp").architecture(Architecture.mlp(1, 8)).build();
        Trainer t = new Trainer(c, new long[] {1, 1, 1});
        Sampler.Samples s = new Sampler("run", Gaussian1D.ID, null).sample(t);
        assertTrue(s.png().length > 1000 && s.png()[1] == 'P', "a PNG");
        assertEquals(1, s.quality().size());
        TrainingMetric w1 = s.quality().get(0);
        // an untrained generator sits near 0, the real mode at 2: W1 about 2
        assertTrue(w1.getValue() > 1 && w1.getValue() < 3, "w1 " + w1.getValue());
    }

    @Test
    void w1OnTheLineIsTheMeanShiftOfSortedValues() {
        double[] a = {3, 1, 2}, b = {2.5, 1.5, 3.5};
        assertEquals(0.5, ToyQuality.w1OnTheLine(a, b), 1e-12);
        assertEquals(0, ToyQuality.w1OnTheLine(a, a));
    }
}
