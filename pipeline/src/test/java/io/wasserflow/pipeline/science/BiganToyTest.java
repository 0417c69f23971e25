package io.wasserflow.pipeline.science;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.models.util.Rng;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.report.ReadBack;
import io.wasserflow.pipeline.testing.PresetDemo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The {@code bigan-toy} preset's WGAN-GP BiGAN through the real pipeline (an embedded broker, the
 * job on a MiniCluster) and {@code report}: its errors published at every samples step, the
 * reconstruction error at the end well below the untrained networks', the reconstruction pictures
 * and the report's BiGAN section. As the preset ships it except a 64-wide MLP and batch 128 (the
 * speed of CI), {@value #GENERATOR_STEPS} generator steps.
 */
class BiganToyTest {
    static final int GENERATOR_STEPS = 200, SAMPLES_EVERY = 50;
    static final String EXPERIMENT = "bigan-gp";

    @TempDir
    static Path workdir;
    static PresetDemo demo;

    /** The preset's WGAN-GP BiGAN as the jar ships it, but for a 64-wide MLP of depth 2 and batch 128. */
    static String ciConfig() throws Exception {
        return PresetDemo.experiment("bigan-toy", EXPERIMENT, gp -> {
            assertEquals("bigan", gp.get("model"));
            assertEquals(Map.of("gp", Map.of("lambda", 0.1)), gp.get("constraint"));
            gp.put("architecture", Map.of("mlp", Map.of("depth", 2, "width", 64)));
            gp.put("batch_size", 128);
        });
    }

    @BeforeAll
    static void trainThenReport() throws Exception {
        demo = PresetDemo.run(ciConfig(), GENERATOR_STEPS, workdir);
        System.out.printf(Locale.ROOT, "BiganToyTest: demo %d s, report %d s%n", demo.trainSeconds(), demo.reportSeconds());
    }

    @Test
    void theReconstructionErrorEndsWellBelowTheUntrainedNetworks() {
        ReadBack.Experiment e = demo.run().get(EXPERIMENT);
        assertEquals(GENERATOR_STEPS, e.generatorSteps());
        double[][] rec = e.qualityOverTime().get("reconstruction_error"), lat = e.qualityOverTime().get("latent_error");
        assertNotNull(rec, "reconstruction error published");
        assertEquals(GENERATOR_STEPS / SAMPLES_EVERY, rec[0].length, "at every samples step");
        assertEquals(rec[0].length, lat[0].length);
        ExperimentConfig c = RunConfig.parse(demo.yaml()).experiments().get(0);
        Trainer untrained = new Trainer(c, new long[] {1, 1, 2});
        double before = untrained.reconstructionError(Nd4j.create(Toy2D.EIGHT_GAUSSIANS.sample(new Rng(3), 512), new long[] {512, 1, 1, 2}, 'c')
                .castTo(DataType.FLOAT));
        double after = e.quality().get("reconstruction_error");
        System.out.printf(Locale.ROOT, "BiganToyTest: reconstruction error %.4f untrained, %s over generator steps %s; latent error %s%n", before,
                java.util.Arrays.toString(rec[1]), java.util.Arrays.toString(rec[0]), java.util.Arrays.toString(lat[1]));
        assertTrue(after < 0.6 * before, "reconstruction error " + before + " untrained, " + after + " at the end");
    }

    @Test
    void theReportHasTheBiganSectionAndItsReconstructions() {
        assertTrue(demo.markdown().contains("## BiGAN: the encoder"), demo.markdown());
        assertTrue(demo.markdown().contains("(bigan-reconstruction_error.png)") && Files.isRegularFile(demo.report().resolve("bigan-reconstruction_error.png")));
        assertTrue(demo.markdown().contains("(bigan-latent_error.png)"));
        assertTrue(!demo.markdown().contains("(bigan-probe.png)"), "no probe on 2-D data");
        String picture = String.format(Locale.ROOT, "reconstructions/%s-g%06d.png", EXPERIMENT, GENERATOR_STEPS);
        assertTrue(demo.markdown().contains("## BiGAN reconstructions") && demo.markdown().contains("(" + picture + ")"), demo.markdown());
        assertTrue(Files.isRegularFile(demo.report().resolve(picture)));
        assertTrue(Files.isRegularFile(workdir.resolve("runs").resolve(demo.runId()).resolve(picture)), "kept in the run folder");
    }
}
