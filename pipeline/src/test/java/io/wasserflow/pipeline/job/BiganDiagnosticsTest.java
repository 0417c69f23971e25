package io.wasserflow.pipeline.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Loss;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.models.util.Rng;
import io.wasserflow.pipeline.source.FashionMnist;
import io.wasserflow.schemas.TrainingMetric;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A BiGAN's samples step: its errors and reconstruction picture, and on Fashion-MNIST its linear probe against the untrained encoder. */
class BiganDiagnosticsTest {
    static Map<String, Double> measures(Sampler.Samples s) {
        Map<String, Double> out = new TreeMap<>();
        for (TrainingMetric m : s.quality()) out.put(m.getLabels().get("measure"), m.getValue());
        return out;
    }

    @Test
    void aToyBiganPublishesItsErrorsAndAReconstructionPicture() {
        ExperimentConfig c = ExperimentConfig.builder("bigan", true, Loss.WGAN, "gp").model(ExperimentConfig.Model.BIGAN).architecture(Architecture.mlp(2, 16)).build();
        Trainer t = new Trainer(c, new long[] {1, 1, 2});
        INDArray real = Nd4j.create(Toy2D.EIGHT_GAUSSIANS.sample(new Rng(1), 64), new long[] {64, 1, 1, 2}, 'c').castTo(DataType.FLOAT);
        Sampler.Samples s = new Sampler("run", "8gaussians", null).sample(t, real, false);
        Map<String, Double> m = measures(s);
        assertEquals(t.reconstructionError(real), m.get("reconstruction_error"), 1e-6);
        assertTrue(m.get("latent_error") > 0);
        assertTrue(!m.containsKey("probe_accuracy"), "no probe on toy data");
        assertTrue(s.reconstructions() != null && s.reconstructions()[1] == 'P', "a PNG");
        Sampler.Samples gan = new Sampler("run", "8gaussians", null).sample(new Trainer(c.toBuilder().model(ExperimentConfig.Model.GAN).build(), new long[] {1, 1, 2}), real, false);
        assertNull(gan.reconstructions());
        assertTrue(!measures(gan).containsKey("reconstruction_error"));
    }

    @Test
    void onFashionMnistTheProbeOfAnUntrainedEncoderIsItsRandomBaseline() {
        assumeTrue(FashionMnist.installed(FashionMnist.DEFAULT_DIR), "Fashion-MNIST is not installed");
        ExperimentConfig c = ExperimentConfig.builder("bigan", false, Loss.WGAN, "gp").model(ExperimentConfig.Model.BIGAN)
                .architecture(Architecture.dcgan(2)).zDim(16).batchSize(16).samplesEvery(10).build();
        Trainer t = new Trainer(c, new long[] {1, 28, 28});
        INDArray real = Nd4j.rand(DataType.FLOAT, 16, 1, 28, 28);
        BiganDiagnostics d = new BiganDiagnostics("run", "fashion-mnist", FashionMnist.DEFAULT_DIR);
        BiganDiagnostics.Result r = d.measure(t, real, true);
        Map<String, Double> m = new TreeMap<>();
        for (TrainingMetric x : r.quality()) m.put(x.getLabels().get("measure"), x.getValue());
        System.out.println("untrained DCGAN(2) encoder, 16 features, linear probe: " + m);
        assertEquals(m.get("probe_accuracy_random"), m.get("probe_accuracy"), 0.0, "at step 0 the encoder is the untrained one");
        assertTrue(m.get("probe_accuracy") > 0.3, "random convolutional features are far above chance: " + m);
        assertTrue(r.reconstructions() != null && r.reconstructions()[1] == 'P');
    }

    @Test
    void theProbeRunsEveryFifthSamplesStepAndAtTheLast() {
        assertEquals(java.util.List.of(0L, 500L, 1000L), java.util.stream.LongStream.rangeClosed(0, 1200).filter(g -> g % 100 == 0)
                .filter(g -> BiganDiagnostics.probeDue(g, 100, false)).boxed().toList());
        assertTrue(BiganDiagnostics.probeDue(1234, 100, true));
        assertTrue(!BiganDiagnostics.probeDue(500, 0, false), "no samples, no probe but at the end");
    }
}
