package io.wasserflow.pipeline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.lipschitz.Constraint;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.optim.OptimizerConfig;
import io.wasserflow.models.train.ExperimentConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A config's sweep: section expands deterministically into named experiments, each read and checked as any listed experiment. */
class SweepTest {
    static final String METHODS = """
            data: {dataset: 8gaussians}
            experiments:
              - {name: gan, loss: gan, architecture: {mlp: {depth: 2, width: 32}}}
              - {name: wgan-clip, constraint: clip, architecture: {mlp: {depth: 2, width: 32}}}
              - {name: wgan-gp, constraint: {gp: {lambda: 0.1}}, architecture: {mlp: {depth: 2, width: 32}}}
            """;

    static RunConfig parse(String sweep) {
        return RunConfig.parse(METHODS + "sweep:\n" + sweep.indent(2));
    }

    static List<String> names(RunConfig c) {
        return c.experiments().stream().map(ExperimentConfig::name).toList();
    }

    static ConfigException refused(String sweep) {
        return assertThrows(ConfigException.class, () -> parse(sweep));
    }

    @Test
    void aGridCrossesTheMethodsAndTheNameSaysTheSetting() {
        RunConfig c = parse("lr: [1e-4, 0.001]\nseed: [1, 2]\n");
        assertEquals(List.of("gan-lr1e-4-seed1", "gan-lr1e-4-seed2", "gan-lr0.001-seed1", "gan-lr0.001-seed2",
                "wgan-clip-lr1e-4-seed1", "wgan-clip-lr1e-4-seed2", "wgan-clip-lr0.001-seed1", "wgan-clip-lr0.001-seed2",
                "wgan-gp-lr1e-4-seed1", "wgan-gp-lr1e-4-seed2", "wgan-gp-lr0.001-seed1", "wgan-gp-lr0.001-seed2"), names(c));
        Map<String, ExperimentConfig> byName = c.experiments().stream().collect(Collectors.toMap(ExperimentConfig::name, Function.identity()));
        // each method keeps its own keys and optimizer kind; the swept key goes where that method keeps it
        assertEquals(OptimizerConfig.adam(0.001, 0.5, 0.999), byName.get("gan-lr0.001-seed2").optimizer());
        assertEquals(OptimizerConfig.rmsprop(1e-4), byName.get("wgan-clip-lr1e-4-seed1").optimizer());
        assertEquals(OptimizerConfig.adam(1e-4, 0.5, 0.9), byName.get("wgan-gp-lr1e-4-seed1").optimizer());
        assertEquals(2, byName.get("wgan-gp-lr1e-4-seed2").seed());
        assertEquals(new Constraint.GradientPenalty(0.1), byName.get("wgan-gp-lr1e-4-seed2").constraint());
        assertEquals(Architecture.mlp(2, 32), byName.get("gan-lr1e-4-seed1").architecture());
        // and the run knows each experiment's method and setting
        Sweep.Member m = c.sweep().member("wgan-clip-lr0.001-seed2");
        assertEquals("wgan-clip", m.method());
        assertEquals("lr=0.001 seed=2", m.label());
        assertEquals(List.of("gan", "wgan-clip", "wgan-gp"), c.sweep().methods());
        assertTrue(RunConfig.parse(METHODS).sweep().isEmpty());
    }

    @Test
    void aKeyAMethodHasNoUseForIsLeftOutOfItsSettings() {
        RunConfig c = parse("c: [0.01, 0.1]\nlambda: [0.1, 10]\n");
        assertEquals(List.of("gan", "wgan-clip-c0.01", "wgan-clip-c0.1", "wgan-gp-lambda0.1", "wgan-gp-lambda10"), names(c));
        assertEquals(new Constraint.Clip(0.1), c.experiments().get(2).constraint());
        assertEquals(new Constraint.GradientPenalty(10), c.experiments().get(4).constraint());
        assertEquals("", c.sweep().member("gan").label());
    }

    @Test
    void randomDrawsAreSeededAndSharedByEveryMethod() {
        String sweep = """
                draws: 6
                draw_seed: 7
                lr: {random: {low: 1e-5, high: 1e-2}}
                n_critic: {random: [1, 2, 5]}
                width: {random: {low: 8, high: 64}}
                generator_norm: {random: {choices: [none, batchnorm]}}
                """;
        RunConfig a = parse(sweep), b = parse(sweep);
        assertEquals(a.experiments(), b.experiments(), "the same text expands to the same experiments");
        assertEquals(18, a.experiments().size());
        assertEquals(List.of("gan-r0", "gan-r1", "gan-r2", "gan-r3", "gan-r4", "gan-r5"), names(a).subList(0, 6));
        for (int i = 0; i < 6; i++) {
            ExperimentConfig gan = a.experiments().get(i), clip = a.experiments().get(6 + i), gp = a.experiments().get(12 + i);
            // draw i is the same setting for every method
            assertEquals(gan.optimizer().lr(), clip.optimizer().lr());
            assertEquals(gan.optimizer().lr(), gp.optimizer().lr());
            assertEquals(gan.nCritic(), gp.nCritic());
            assertEquals(gan.architecture(), clip.architecture());
            assertEquals(a.sweep().members().get(i).label(), a.sweep().members().get(12 + i).label());
            assertTrue(gan.optimizer().lr() >= 1e-5 && gan.optimizer().lr() <= 1e-2, gan.name());
            assertTrue(gan.architecture().width() >= 8 && gan.architecture().width() <= 64, gan.name());
            assertTrue(List.of(1, 2, 5).contains(gan.nCritic()), gan.name());
        }
        // the label shows the value trained: drawn reals keep three significant digits
        ExperimentConfig first = a.experiments().get(0);
        String label = a.sweep().members().get(0).label();
        assertTrue(label.startsWith("lr=" + Sweep.text(first.optimizer().lr()) + " n_critic=" + first.nCritic() + " width=" + first.architecture().width()
                + " generator_norm="), label);
        assertEquals(first.optimizer().lr(), new java.math.BigDecimal(first.optimizer().lr()).round(new java.math.MathContext(3)).doubleValue());
        // the draws differ from one another, and another seed draws others
        assertTrue(new HashSet<>(a.experiments().subList(0, 6).stream().map(e -> e.optimizer().lr()).toList()).size() > 3);
        assertNotEquals(a.experiments(), parse(sweep.replace("draw_seed: 7", "draw_seed: 8")).experiments());
    }

    @Test
    void gridsMultiplyTheDraws() {
        RunConfig c = parse("lr: {random: {low: 1e-5, high: 1e-3, count: 3}}\nseed: [1, 2]\n");
        assertEquals(18, c.experiments().size());
        assertEquals(List.of("wgan-gp-seed1-r0", "wgan-gp-seed1-r1", "wgan-gp-seed1-r2", "wgan-gp-seed2-r0"), names(c).subList(12, 16));
        assertEquals(c.experiments().get(12).optimizer().lr(), c.experiments().get(15).optimizer().lr(), "the same draws for every grid point");
    }

    @Test
    void aSweepOverTheMaximumIsRefusedInOneLineNamingTheCount() {
        ConfigException e = refused("seed: [" + "1, ".repeat(0) + java.util.stream.IntStream.range(0, 100).mapToObj(Integer::toString).collect(Collectors.joining(", ")) + "]\n");
        assertEquals("config: sweep: expands to 300 experiments (gan 100, wgan-clip 100, wgan-gp 100), more than the 256 a run may hold", e.getMessage());
    }

    @Test
    void badSweepsAreRefusedInOneLineNamingTheKey() {
        assertEquals("config: sweep.learning_rate: unknown key (allowed: base_channels, batch_size, betas, c, critic_norm, depth, draw_seed, draws, generator_norm, "
                + "init, lambda, lr, n_critic, seed, width, z_dim)", refused("learning_rate: [1e-4]\n").getMessage());
        assertEquals("config: sweep.n_critic[1]: 0 is out of range [1, 10000]", refused("n_critic: [1, 0]\n").getMessage());
        assertEquals("config: sweep.lr.random.high: 20.0 is out of range [0.0, 10.0]", refused("draws: 4\nlr: {random: {low: 1e-4, high: 20}}\n").getMessage());
        assertEquals("config: sweep.init[0]: unknown init 'orthogonal' (he, glorot or pytorch)", refused("init: [orthogonal]\n").getMessage());
        assertEquals("config: sweep.base_channels: no experiment has it (base_channels needs architecture dcgan)", refused("base_channels: [8]\n").getMessage());
        assertEquals("config: sweep.draws: missing: how many random settings to draw", refused("lr: {random: {low: 1e-4, high: 1e-3}}\n").getMessage());
        assertTrue(refused("lr: 1e-4\n").getMessage().startsWith("config: sweep.lr: expected a list of values (a grid) or {random: ...}"));
        assertTrue(refused("{}\n").getMessage().startsWith("config: sweep: needs at least one key to vary"));
        assertEquals("config: sweep: two settings give the experiment name 'gan-lr1e-4' (values that print alike?)",
                refused("lr: [1e-4, 0.0001]\n").getMessage());
        // a combination the experiment's own checks refuse, named by the expanded experiment
        ConfigException e = assertThrows(ConfigException.class, () -> RunConfig.parse(
                "data: {dataset: 8gaussians}\nexperiments: [{name: a, generator_architecture: mlp}]\nsweep: {depth: [0, 100]}\n"));
        assertTrue(e.getMessage().contains("sweep.depth[1]: 100 is out of range"), e.getMessage());
        for (String bad : List.of("learning_rate: [1e-4]\n", "n_critic: [1, 0]\n", "lr: 1e-4\n"))
            assertEquals(1, refused(bad).getMessage().lines().count(), bad);
    }
}
