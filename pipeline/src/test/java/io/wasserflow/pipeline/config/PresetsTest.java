package io.wasserflow.pipeline.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.lipschitz.Constraint;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Loss;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The presets of presets/: every one valid, shipped in the jar as on disk, and found by --config NAME from disk first, then from the jar. */
class PresetsTest {
    /** The repository's presets folder (tests run in pipeline/). */
    static final Path DISK = Path.of("..", Presets.DIR);

    static List<String> onDisk() throws Exception {
        try (Stream<Path> s = Files.list(DISK)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).map(n -> n.substring(0, n.length() - 5)).sorted().toList();
        }
    }

    @Test
    void everyPresetParsesAndValidates() throws Exception {
        List<String> names = onDisk();
        assertTrue(names.containsAll(List.of("figure1", "toy-modes", "toy-modes-25", "fashion", "wgan-figure2")), names.toString());
        for (String name : names) {
            RunConfig c = RunConfig.parse(Files.readString(DISK.resolve(name + ".yaml")));
            assertFalse(c.experiments().isEmpty(), name);
        }
    }

    @Test
    void theJarShipsEveryPresetByteForByte() throws Exception {
        // the classpath is what the build packs into the jar (target/classes)
        for (String name : onDisk()) {
            String jar = Presets.fromJar(name);
            assertNotNull(jar, name + " is not in the jar");
            assertEquals(Files.readString(DISK.resolve(name + ".yaml")), jar, name);
        }
        // and nothing else: an empty working folder lists exactly the jar's presets, which are the disk's
        assertEquals(onDisk(), Presets.names(Path.of("no-such-folder")));
    }

    @Test
    void aNameResolvesFromDiskFirstThenFromTheJar(@TempDir Path work) throws Exception {
        String jarText = Presets.fromJar("figure1");
        // no presets/ in the working folder: the jar's copy, under every spelling
        for (String spec : List.of("figure1", "figure1.yaml", "presets/figure1.yaml")) {
            Presets.Source s = Presets.resolve(spec, work);
            assertEquals(jarText, s.yaml(), spec);
            assertEquals("jar:presets/figure1.yaml", s.origin(), spec);
        }
        // a checkout's (edited) preset wins over the jar's
        Files.createDirectories(work.resolve("presets"));
        String edited = jarText.replace("width: 512", "width: 64");
        Files.writeString(work.resolve("presets/figure1.yaml"), edited);
        for (String spec : List.of("figure1", "figure1.yaml", "presets/figure1.yaml")) {
            Presets.Source s = Presets.resolve(spec, work);
            assertEquals(edited, s.yaml(), spec);
            assertEquals("presets/figure1.yaml", s.origin(), spec);
        }
        RunConfig fromDisk = RunConfig.parse(Presets.resolve("figure1", work).yaml());
        assertEquals(Architecture.mlp(12, 64).withNorms(Architecture.Norm.NONE, Architecture.Norm.NONE), fromDisk.experiments().get(0).architecture());
        // a file is a file, wherever it is
        Path own = work.resolve("mine.yaml");
        Files.writeString(own, "data: {dataset: 8gaussians}\nexperiments: [{name: a}]\n");
        assertEquals(Files.readString(own), Presets.resolve(own.toString(), work).yaml());
        assertEquals(List.of("a"), RunConfig.parse(Presets.resolve("mine.yaml", work).yaml()).experiments().stream().map(ExperimentConfig::name).toList());
    }

    @Test
    void theJarsFigure1IsThePapersSetup() throws Exception {
        RunConfig c = Presets.load("figure1"); // from the jar here: pipeline/ has no presets folder
        assertEquals("swissroll", c.dataset());
        assertEquals(List.of("clip-0.1", "clip-0.01", "clip-0.001", "gp"), c.experiments().stream().map(ExperimentConfig::name).toList());
        for (ExperimentConfig e : c.experiments())
            assertEquals(Architecture.mlp(12, 512).withNorms(Architecture.Norm.NONE, Architecture.Norm.NONE), e.architecture(), e.name());
        assertEquals(new Constraint.Clip(0.1), c.experiments().get(0).constraint());
        assertEquals(new Constraint.GradientPenalty(0.1), c.experiments().get(3).constraint());
    }

    /** Section 4.3's presets build the networks they name: batch norm in the generator, or an MLP generator against a DCGAN critic. */
    @Test
    void theSection43PresetsBuildTheirGenerators() throws Exception {
        long[] fashion = {1, 28, 28};
        java.util.function.Function<ExperimentConfig, io.wasserflow.models.nets.Network> generator = e -> io.wasserflow.models.nets.Networks.generator(
                e.architecture(), fashion, e.zDim(), e.init(), new io.wasserflow.models.util.Rng(1), org.nd4j.linalg.api.buffer.DataType.FLOAT);
        java.util.function.Function<ExperimentConfig, io.wasserflow.models.nets.Network> critic = e -> io.wasserflow.models.nets.Networks.critic(
                e.architecture(), fashion, e.init(), new io.wasserflow.models.util.Rng(1), org.nd4j.linalg.api.buffer.DataType.FLOAT);
        RunConfig bn = Presets.load("fashion-bn");
        assertEquals(List.of("gan-bn", "wgan-clip-bn", "wgan-gp-bn", "gan", "wgan-clip", "wgan-gp"), bn.experiments().stream().map(ExperimentConfig::name).toList());
        long dcganGenerator = 0;
        for (ExperimentConfig e : bn.experiments()) {
            long norms = generator.apply(e).layers().stream().filter(l -> l instanceof io.wasserflow.models.layers.BatchNorm).count();
            assertEquals(e.name().endsWith("-bn") ? 3 : 0, norms, e.name() + ": batch norm after each hidden layer of the DCGAN generator, or none");
            assertEquals(Architecture.Kind.DCGAN, e.architecture().kind());
            if (!e.name().endsWith("-bn")) dcganGenerator = generator.apply(e).parameterCount();
        }
        RunConfig mlp = Presets.load("fashion-mlp");
        for (ExperimentConfig e : mlp.experiments()) {
            io.wasserflow.models.nets.Network g = generator.apply(e), d = critic.apply(e);
            assertEquals(5, g.linearLayers().size(), e.name() + ": 4 hidden layers and the output");
            assertTrue(g.linearLayers().stream().allMatch(l -> l instanceof io.wasserflow.models.layers.Dense), e.name());
            assertEquals(List.of(784L), List.of(g.layers().get(g.layers().size() - 3).outputShape(new long[] {512})[0]), e.name() + ": 784 pixels out");
            assertTrue(d.linearLayers().get(0) instanceof io.wasserflow.models.layers.Conv2d, e.name() + ": the DCGAN critic stays");
            // the parameter counts the preset's comment states
            assertEquals(1_256_208L, g.parameterCount(), e.name());
        }
        assertEquals(1_554_177L, dcganGenerator, "the DCGAN generator's parameter count in fashion-mlp.yaml's comment");
        // the keys: a depth and width of one's own, and refusals that name the path
        RunConfig own = RunConfig.parse("data: {dataset: fashion-mnist}\nexperiments: [{name: a, generator_architecture: {mlp: {depth: 2, width: 64}}}]\n");
        assertEquals(3, generator.apply(own.experiments().get(0)).linearLayers().size());
        ConfigException bad = assertThrows(ConfigException.class, () -> RunConfig.parse(
                "data: {dataset: fashion-mnist}\nexperiments: [{name: a, generator_architecture: {mlp: {width: 0}}}]\n"));
        assertTrue(bad.getMessage().contains("generator_architecture.mlp.width"), bad.getMessage());
    }

    @Test
    void theJarsWganFigure2TrainsADiscriminatorAndAClippedCriticAgainstOneFixedFake() throws Exception {
        RunConfig c = Presets.load("wgan-figure2");
        assertEquals("gaussian-1d", c.dataset());
        assertArrayEquals(new long[] {1, 1, 1}, c.dataShape());
        assertEquals(List.of("gan-minimax", "wgan-clip"), c.experiments().stream().map(ExperimentConfig::name).toList());
        ExperimentConfig gan = c.experiments().get(0), wgan = c.experiments().get(1);
        assertEquals(Loss.GAN_MINIMAX, gan.loss());
        assertEquals(new Constraint.None(), gan.constraint());
        assertEquals(Loss.WGAN, wgan.loss());
        assertEquals(new Constraint.Clip(0.01), wgan.constraint());
        for (ExperimentConfig e : c.experiments()) {
            assertEquals(new ExperimentConfig.FixedGaussian(-2, 0.5), e.fixedGenerator(), e.name());
            assertEquals(Architecture.mlp(3, 512), e.architecture(), e.name());
            assertEquals(1000, e.criticStepsIn(1000), e.name() + ": --steps counts critic steps");
        }
    }

    @Test
    void theModeCoveragePresetsCompareSpectralNormalisationLive() throws Exception {
        for (String name : List.of("toy-modes", "toy-modes-25")) {
            RunConfig c = RunConfig.parse(Files.readString(DISK.resolve(name + ".yaml")));
            ExperimentConfig sn = c.experiments().stream().filter(e -> e.name().equals("wgan-sn")).findFirst().orElseThrow();
            assertEquals(new Constraint.SpectralNorm(1), sn.constraint(), name);
            assertEquals(io.wasserflow.models.optim.OptimizerConfig.adam(1e-4, 0.5, 0.9), sn.optimizer(), name);
            assertEquals(List.of("clip", "gp", "lp", "sn"), c.experiments().stream().filter(e -> e.loss().isWasserstein())
                    .map(e -> e.constraint().id()).toList(), name + ": the four constraints side by side");
        }
    }

    /** The section 5.1 presets: three methods over the same random settings, each expanded experiment a valid one, within the sweep maximum. */
    @Test
    void theRobustnessPresetsCrossThreeMethodsWithTheSameRandomSettings() throws Exception {
        for (String name : List.of("robustness-toy", "robustness-fashion")) {
            RunConfig c = RunConfig.parse(Files.readString(DISK.resolve(name + ".yaml")));
            int draws = name.equals("robustness-toy") ? 24 : 32;
            assertEquals(List.of("gan", "wgan-clip", "wgan-gp"), c.sweep().methods(), name);
            assertEquals(3 * draws, c.experiments().size(), name);
            assertTrue(c.experiments().size() <= Sweep.MAX_EXPERIMENTS, name);
            assertEquals(c.experiments(), RunConfig.parse(Files.readString(DISK.resolve(name + ".yaml"))).experiments(), name + " expands the same each time");
            for (int i = 0; i < draws; i++) {
                ExperimentConfig gan = c.experiments().get(i), clip = c.experiments().get(draws + i), gp = c.experiments().get(2 * draws + i);
                assertEquals(Loss.GAN, gan.loss());
                assertTrue(clip.constraint() instanceof Constraint.Clip, clip.name());
                assertTrue(gp.constraint() instanceof Constraint.GradientPenalty, gp.name());
                // the same setting for every method: rate, n_critic, networks, initialisation
                assertEquals(gan.optimizer().lr(), clip.optimizer().lr(), clip.name());
                assertEquals(gan.optimizer().lr(), gp.optimizer().lr(), gp.name());
                assertEquals(gan.nCritic(), gp.nCritic(), gp.name());
                assertEquals(gan.architecture(), clip.architecture(), clip.name());
                assertEquals(gan.architecture(), gp.architecture(), gp.name());
                assertEquals(gan.init(), gp.init(), gp.name());
                assertEquals(name.equals("robustness-toy") ? Architecture.Kind.MLP : Architecture.Kind.DCGAN, gan.architecture().kind());
            }
            // the draws vary what they say they vary
            assertTrue(c.experiments().stream().map(ExperimentConfig::nCritic).distinct().count() >= 3, name);
            assertTrue(c.experiments().stream().map(e -> e.architecture().generatorNorm()).distinct().count() == 2, name);
            assertTrue(c.experiments().stream().mapToDouble(e -> e.optimizer().lr()).min().orElseThrow() < 1e-4, name);
        }
    }

    @Test
    void anUnknownNameListsThePresets(@TempDir Path work) {
        ConfigException e = assertThrows(ConfigException.class, () -> Presets.resolve("figure2", work));
        assertEquals("config: no config file figure2 and no preset 'figure2' (presets: " + String.join(", ", new TreeSet<>(Presets.names(work))) + ")", e.getMessage());
        assertTrue(e.getMessage().contains("figure1, robustness-fashion, robustness-toy, toy-modes, toy-modes-25"), e.getMessage());
        ConfigException path = assertThrows(ConfigException.class, () -> Presets.resolve("some/where/run.yaml", work));
        assertTrue(path.getMessage().startsWith("config: no config file some/where/run.yaml ("), path.getMessage());
    }
}
