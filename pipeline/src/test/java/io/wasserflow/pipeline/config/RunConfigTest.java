package io.wasserflow.pipeline.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.data.Gaussian1D;
import io.wasserflow.models.lipschitz.Constraint;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.nets.Init;
import io.wasserflow.models.optim.OptimizerConfig;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Loss;
import org.junit.jupiter.api.Test;

class RunConfigTest {
    @Test
    void toyDefaultsFollowTheReferenceCode() {
        RunConfig r = RunConfig.parse(RunConfig.defaultYaml("8gaussians"));
        assertEquals("wasserflow.images.8gaussians", r.topic());
        ExperimentConfig clip = r.experiments().get(0), gp = r.experiments().get(1);
        assertEquals(new Constraint.Clip(0.01), clip.constraint());
        assertEquals(OptimizerConfig.rmsprop(5e-5), clip.optimizer());
        assertEquals(new Constraint.GradientPenalty(0.1), gp.constraint());
        assertEquals(OptimizerConfig.adam(1e-4, 0.5, 0.9), gp.optimizer());
        assertEquals(Architecture.mlp(3, 512), gp.architecture());
        assertEquals(256, gp.batchSize());
        assertEquals(2, gp.zDim());
        assertEquals(5, gp.nCritic());
    }

    @Test
    void imageDefaultsFollowTheReferenceCode() {
        ExperimentConfig gp = RunConfig.parse(RunConfig.defaultYaml("shapes")).experiments().get(1);
        assertEquals(new Constraint.GradientPenalty(10), gp.constraint());
        assertEquals(Architecture.dcgan(64), gp.architecture());
        assertEquals(64, gp.batchSize());
        assertEquals(128, gp.zDim());
        ExperimentConfig gan = RunConfig.parse("data: {dataset: shapes}\nexperiments: [{name: g, loss: gan}]").experiments().get(0);
        assertEquals(new Constraint.None(), gan.constraint());
        assertEquals(OptimizerConfig.adam(2e-4, 0.5, 0.999), gan.optimizer());
        assertEquals(1, gan.nCritic());
    }

    @Test
    void everyKeyIsRead() {
        String yaml = """
                data:
                  dataset: swissroll
                  topic: my.topic
                experiments:
                  - name: deep-clip
                    architecture: {mlp: {depth: 12, width: 64}}
                    loss: wgan
                    constraint: {clip: {c: 0.1}}
                    init: glorot
                    optimizer: {adam: {lr: 1e-3, betas: [0.0, 0.9]}}
                    n_critic: 3
                    warmup: true
                    batch_size: 32
                    z_dim: 4
                    seed: 42
                    critic_norm: layernorm
                    publish: {norms_every: 2, histograms_every: 10, samples_every: 5, histogram_range: 0.2, histogram_buckets: 20}
                    alerts: {vanishing_below: 1e-6, exploding_above: 100}
                """;
        RunConfig r = RunConfig.parse(yaml);
        ExperimentConfig c = r.experiments().get(0);
        assertEquals("my.topic", r.topic());
        assertEquals(Architecture.mlp(12, 64).withNorms(Architecture.Norm.LAYERNORM, Architecture.Norm.NONE), c.architecture());
        assertEquals(Loss.WGAN, c.loss());
        assertEquals(new Constraint.Clip(0.1), c.constraint());
        assertEquals(Init.GLOROT, c.init());
        assertEquals(OptimizerConfig.adam(1e-3, 0.0, 0.9), c.optimizer());
        assertEquals(3, c.nCritic());
        assertTrue(c.warmup());
        assertEquals(32, c.batchSize());
        assertEquals(4, c.zDim());
        assertEquals(42, c.seed());
        assertEquals(new ExperimentConfig.Publish(2, 10, 5, 0.2, 20), c.publish());
        assertEquals(new ExperimentConfig.Alerts(1e-6, 100), c.alerts());
    }

    @Test
    void publishLayersThinsPerLayerSeriesAndIsRefusedWhenUnknown() {
        RunConfig r = RunConfig.parse("""
                data: {dataset: 8gaussians}
                experiments:
                  - {name: a}
                  - {name: e, publish: {layers: ends}}
                  - {name: n, publish: {layers: none, histograms_every: 5}}
                """);
        assertEquals(ExperimentConfig.Layers.ALL, r.experiments().get(0).publish().layers());
        assertEquals(ExperimentConfig.Layers.ENDS, r.experiments().get(1).publish().layers());
        assertEquals(new ExperimentConfig.Publish(1, 5, 100, 0.3, 30, ExperimentConfig.Layers.NONE), r.experiments().get(2).publish());
        assertRefused("data: {dataset: 8gaussians}\nexperiments: [{name: a, publish: {layers: middle}}]", "experiments[0].publish.layers", "middle");
    }

    @Test
    void aFixedGeneratorIsReadWithItsDefaultsOrItsParameters() {
        RunConfig r = RunConfig.parse("""
                data: {dataset: gaussian-1d}
                experiments:
                  - {name: d, loss: gan-minimax, generator: fixed_gaussian}
                  - {name: c, loss: wgan, constraint: clip, generator: {fixed_gaussian: {mean: -3, std: 0.25}}}
                  - {name: t, generator: trained}
                  - {name: u}
                """);
        assertArrayEquals(new long[] {1, 1, 1}, r.dataShape());
        assertEquals(new ExperimentConfig.FixedGaussian(Gaussian1D.FAKE_MEAN, Gaussian1D.STD), r.experiments().get(0).fixedGenerator());
        assertEquals(new ExperimentConfig.FixedGaussian(-3, 0.25), r.experiments().get(1).fixedGenerator());
        assertFalse(r.experiments().get(1).trainsGenerator());
        assertNull(r.experiments().get(2).fixedGenerator());
        assertNull(r.experiments().get(3).fixedGenerator());
        assertEquals(Architecture.mlp(3, 512), r.experiments().get(3).architecture(), "points on the line take the toy defaults");
        assertRefused("data: {dataset: gaussian-1d}\nexperiments: [{name: a, generator: {fixed_gaussian: {std: 0}}}]", "experiments[0].generator.fixed_gaussian.std", "out of range");
        assertRefused("data: {dataset: gaussian-1d}\nexperiments: [{name: a, generator: {fixed_gaussian: {spread: 1}}}]", "experiments[0].generator.fixed_gaussian.spread", "unknown key");
        assertRefused("data: {dataset: gaussian-1d}\nexperiments: [{name: a, generator: frozen}]", "experiments[0].generator", "frozen");
    }

    @Test
    void theModelIsAGanUnlessTheConfigSaysBigan() {
        RunConfig r = RunConfig.parse("""
                data: {dataset: 8gaussians}
                experiments:
                  - {name: plain}
                  - {name: gan, model: gan}
                  - {name: bigan-gp, model: bigan, z_dim: 1}
                  - {name: bigan-gan, model: bigan, loss: gan}
                """);
        assertEquals(java.util.List.of(ExperimentConfig.Model.GAN, ExperimentConfig.Model.GAN, ExperimentConfig.Model.BIGAN, ExperimentConfig.Model.BIGAN),
                r.experiments().stream().map(ExperimentConfig::model).toList());
        assertEquals(new Constraint.GradientPenalty(0.1), r.experiments().get(2).constraint());
        assertEquals(OptimizerConfig.adam(2e-4, 0.5, 0.999), r.experiments().get(3).optimizer(), "a BiGAN takes the defaults of its loss");
        assertRefused("data: {dataset: 8gaussians}\nexperiments: [{name: a, model: vae}]", "experiments[0].model", "vae", "bigan");
        assertRefused("data: {dataset: 8gaussians}\nexperiments: [{name: a, model: bigan, loss: gan-minimax}]", "experiments[0].loss", "wgan or gan");
        assertRefused("data: {dataset: gaussian-1d}\nexperiments: [{name: a, model: bigan, generator: fixed_gaussian}]", "experiments[0].generator", "cannot be fixed");
    }

    @Test
    void aParsedRunSurvivesJavaSerialization() throws Exception {
        // what a job spec carries to its operators: every kind of constraint, optimizer and architecture
        RunConfig r = RunConfig.parse("""
                data: {dataset: shapes}
                experiments:
                  - {name: clip, constraint: clip, optimizer: sgd}
                  - {name: gp, optimizer: {adam: {lr: 1e-3}}, precision: float64}
                  - {name: lp, constraint: lp, architecture: {mlp: {depth: 2}}, critic_norm: layernorm}
                  - {name: sn, constraint: {sn: {power_iterations: 2}}}
                  - {name: gan, loss: gan, optimizer: rmsprop, publish: {samples_every: 0}, alerts: {exploding_above: 10}}
                  - {name: bigan, model: bigan}
                """);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(r);
        }
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(r, in.readObject());
        }
    }

    @Test
    void spectralNormalisationIsAConstraintWithTheGradientPenaltysOptimizer() {
        RunConfig r = RunConfig.parse("""
                data: {dataset: 8gaussians}
                experiments:
                  - {name: sn, constraint: sn}
                  - {name: sn3, constraint: {sn: {power_iterations: 3}}}
                """);
        ExperimentConfig sn = r.experiments().get(0);
        assertEquals(new Constraint.SpectralNorm(1), sn.constraint());
        assertEquals("sn", sn.constraint().id());
        assertEquals(OptimizerConfig.adam(1e-4, 0.5, 0.9), sn.optimizer());
        assertEquals(5, sn.nCritic());
        assertEquals(new Constraint.SpectralNorm(3), r.experiments().get(1).constraint());
        ExperimentConfig images = RunConfig.parse("data: {dataset: shapes}\nexperiments: [{name: sn, constraint: sn}]").experiments().get(0);
        assertEquals(OptimizerConfig.adam(1e-4, 0.5, 0.9), images.optimizer());
    }

    @Test
    void outOfRangePowerIterationsAreRefusedWithTheKeysPath() {
        for (String n : new String[] {"0", "-1", "101"})
            assertRefused("data: {dataset: 8gaussians}\nexperiments: [{name: a, constraint: {sn: {power_iterations: " + n + "}}}]",
                    "experiments[0].constraint.sn.power_iterations", "out of range");
        assertRefused("data: {dataset: 8gaussians}\nexperiments: [{name: a, constraint: {sn: {power_iterations: 1.5}}}]",
                "experiments[0].constraint.sn.power_iterations", "whole number");
        assertRefused("data: {dataset: 8gaussians}\nexperiments: [{name: a, constraint: {sn: {lambda: 1}}}]", "experiments[0].constraint.sn.lambda", "unknown key");
    }

    @Test
    void toBuilderChangesOnlyWhatIsSet() {
        ExperimentConfig c = RunConfig.parse("data: {dataset: 8gaussians}\nexperiments: [{name: a, constraint: clip, seed: 3}]").experiments().get(0);
        assertEquals(c, c.toBuilder().build());
        ExperimentConfig seeded = c.toBuilder().seed(4).build();
        assertEquals(4, seeded.seed());
        assertEquals(c, seeded.toBuilder().seed(3).build());
    }

    /** Issue 21, item 1: local runs checkpoint every minute by default, keeping three; the section sets both. */
    @Test
    void checkpointsHaveStatedDefaultsAndAreChecked() {
        assertEquals(new RunConfig.Checkpoints(60, 3), RunConfig.parse("data: {dataset: 8gaussians}\nexperiments: [{name: a}]\n").checkpoints());
        assertEquals(new RunConfig.Checkpoints(0, 5), RunConfig.parse("data: {dataset: 8gaussians}\nexperiments: [{name: a}]\ncheckpoints: {interval_seconds: 0, retained: 5}\n").checkpoints());
        assertEquals(new RunConfig.Checkpoints(10, 3), RunConfig.parse("data: {dataset: 8gaussians}\nexperiments: [{name: a}]\ncheckpoints: {interval_seconds: 10}\n").checkpoints());
        assertRefused("data: {dataset: 8gaussians}\nexperiments: [{name: a}]\ncheckpoints: {retained: 0}\n", "checkpoints.retained", "out of range");
        assertRefused("data: {dataset: 8gaussians}\nexperiments: [{name: a}]\ncheckpoints: {every: 5}\n", "checkpoints.every", "unknown key");
    }

    /** Issue 19, item 2: trainer subtasks from the job unless set; one BLAS thread a trainer unless set, whatever the slots. */
    @Test
    void theTrainerSectionHasStatedDefaultsAndIsChecked() {
        String base = "data: {dataset: 8gaussians}\nexperiments: [{name: a}]\n";
        assertEquals(new RunConfig.TrainerSlots(0, 1), RunConfig.parse(base).trainer());
        assertEquals(new RunConfig.TrainerSlots(4, 2), RunConfig.parse(base + "trainer: {parallelism: 4, blas_threads: 2}\n").trainer());
        assertEquals(new RunConfig.TrainerSlots(3, 1), RunConfig.parse(base + "trainer: {parallelism: 3}\n").trainer());
        assertRefused(base + "trainer: {blas_threads: 0}\n", "trainer.blas_threads", "out of range");
        assertRefused(base + "trainer: {parallelism: -1}\n", "trainer.parallelism", "out of range");
        assertRefused(base + "trainer: {slots: 4}\n", "trainer.slots", "unknown key");
    }

    static void assertRefused(String yaml, String... mentions) {
        ConfigException e = assertThrows(ConfigException.class, () -> RunConfig.parse(yaml));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        for (String m : mentions) assertTrue(e.getMessage().contains(m), "'" + e.getMessage() + "' should mention " + m);
    }

    @Test
    void badConfigsAreRefusedWithTheKeysPath() {
        assertRefused("data: {dataset: 8gaussians}\nexperiments: [{name: a, optimiser: adam}]", "experiments[0].optimiser", "unknown key");
        assertRefused("data: {dataset: 8gaussians}\nexperiments: [{name: a, constraint: {clip: {c: -1}}}]", "experiments[0].constraint.clip.c", "out of range");
        assertRefused("data: {dataset: 8gaussians}\nexperiments: [{name: a}, {name: b, n_critic: 0}]", "experiments[1].n_critic", "out of range");
        assertRefused("data: {dataset: 8gaussians}\nexperiments: [{name: a, batch_size: many}]", "experiments[0].batch_size", "whole number");
        assertRefused("data: {dataset: 8gaussians}\nexperiments: [{name: a, constraint: spectral}]", "experiments[0].constraint", "spectral");
        assertRefused("data: {dataset: 8gaussians}\nexperiments: [{name: a, architecture: {dcgan: {}}}]", "experiments[0].architecture", "28x28");
        assertRefused("data: {dataset: cifar}\nexperiments: [{name: a}]", "data.dataset", "unknown dataset");
        assertRefused("data: {dataset: 8gaussians}\nexperiments: [{name: a}, {name: a}]", "duplicate experiment name");
        assertRefused("data: {dataset: 8gaussians}\nexperiments: []", "at least one");
        assertRefused("experiments: [{name: a}]", "data");
        assertRefused("data: {dataset: 8gaussians\nexperiments: [", "malformed YAML");
        assertRefused("", "empty");
    }
}
