package io.wasserflow.models.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.diagnostics.LayerValue;
import io.wasserflow.models.diagnostics.StepReport;
import io.wasserflow.models.diagnostics.WeightHistogram;
import io.wasserflow.models.layers.Param;
import io.wasserflow.models.lipschitz.Constraint;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.util.Rng;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The training loop's schedule, constraints, diagnostics and state, on small fast networks. */
class TrainerTest {
    static final long[] TOY = {1, 1, 2};

    static ExperimentConfig small(String constraint) {
        return ExperimentConfig.builder(constraint, true, Loss.WGAN, constraint)
                .architecture(Architecture.mlp(2, 32)).batchSize(32)
                .histogramsEvery(3).samplesEvery(0)
                .build();
    }

    static List<INDArray> batches(int n, int b, long seed) {
        Rng rng = new Rng(seed);
        List<INDArray> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(Nd4j.create(Toy2D.EIGHT_GAUSSIANS.sample(rng, b), new long[] {b, 1, 1, 2}, 'c').castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
        return out;
    }

    static List<StepReport> run(Trainer t, List<INDArray> batches) {
        List<StepReport> all = new ArrayList<>();
        for (INDArray b : batches) all.addAll(t.step(b));
        return all;
    }

    @Test
    void aGeneratorStepFollowsEveryNCriticSteps() {
        Trainer t = new Trainer(small("gp"), TOY);
        List<StepReport> reports = run(t, batches(12, 32, 1));
        assertEquals(12, t.criticSteps());
        assertEquals(2, t.generatorSteps());
        assertEquals(StepReport.Kind.GENERATOR, reports.get(5).kind());
        assertEquals(StepReport.Kind.GENERATOR, reports.get(11).kind());
    }

    @Test
    void aFixedGeneratorTakesNoStepsNeverChangesAndItsFakesAreItsGaussian() {
        ExperimentConfig c = small("clip").toBuilder().fixedGenerator(new ExperimentConfig.FixedGaussian(-2, 0.5)).build();
        Trainer t = new Trainer(c, new long[] {1, 1, 1});
        List<INDArray> generatorBefore = new ArrayList<>();
        for (Param p : t.generator().params()) generatorBefore.add(p.value.dup());
        String criticBefore = t.critic().params().get(0).value.toString();
        Rng rng = new Rng(3);
        List<StepReport> reports = new ArrayList<>();
        for (int i = 0; i < 12; i++)
            reports.addAll(t.step(Nd4j.create(io.wasserflow.models.data.Gaussian1D.sample(rng, 32), new long[] {32, 1, 1, 1}, 'c')));
        assertEquals(12, reports.size());
        assertTrue(reports.stream().allMatch(r -> r.kind() == StepReport.Kind.CRITIC));
        assertEquals(0, t.generatorSteps());
        assertEquals(12, t.steps(), "--steps counts critic steps when the generator is fixed");
        assertEquals(12, c.criticStepsIn(12));
        for (int i = 0; i < generatorBefore.size(); i++) assertEquals(generatorBefore.get(i), t.generator().params().get(i).value);
        assertNotEquals(criticBefore, t.critic().params().get(0).value.toString(), "the critic trains against the fixed fakes");
        double[] fakes = t.sample(20_000, 9).data().asDouble();
        double mean = java.util.Arrays.stream(fakes).average().orElseThrow();
        double sd = Math.sqrt(java.util.Arrays.stream(fakes).map(v -> (v - mean) * (v - mean)).sum() / (fakes.length - 1));
        assertEquals(-2, mean, 0.02); // standard error 0.5 / sqrt(20000) = 0.0035
        assertEquals(0.5, sd, 0.01);
    }

    @Test
    void aTrainedGeneratorCountsGeneratorStepsAndTheirCriticSteps() {
        ExperimentConfig c = small("gp");
        assertEquals(15, c.criticStepsIn(3)); // n_critic 5
        Trainer t = new Trainer(c, TOY);
        run(t, batches(10, 32, 1));
        assertEquals(2, t.steps());
    }

    @Test
    void warmupTrainsTheCritic100TimesForTheFirst25GeneratorSteps() {
        ExperimentConfig c = small("clip").toBuilder().warmup(true).build();
        assertEquals(100, c.criticStepsBefore(0));
        assertEquals(100, c.criticStepsBefore(24));
        assertEquals(5, c.criticStepsBefore(25));
        assertEquals(100, c.criticStepsBefore(500));
        assertEquals(5, c.criticStepsBefore(501));
        Trainer t = new Trainer(c, TOY);
        run(t, batches(101, 32, 2));
        assertEquals(1, t.generatorSteps());
    }

    @Test
    void clippingKeepsEveryCriticParameterWithinTheBound() {
        double c = 0.01;
        Trainer t = new Trainer(small("clip"), TOY);
        run(t, batches(20, 32, 3));
        for (Param p : t.critic().params()) {
            assertTrue(p.value.amaxNumber().doubleValue() <= (float) c, p.name + " exceeds c");
        }
    }

    @Test
    void clipShareReachesOneWithATinyClipValue() {
        // With c far below RMSProp's step (lr 5e-5), every update overshoots to +-c; measured on this
        // critic the share after 10 steps is 0.5-0.9 for c = 1e-3..1e-6, 1.0 in every layer at 1e-8.
        ExperimentConfig cfg = small("clip").toBuilder().constraint(new Constraint.Clip(1e-8)).build();
        Trainer t = new Trainer(cfg, TOY);
        List<StepReport> reports = run(t, batches(10, 32, 4));
        StepReport.Critic last = (StepReport.Critic) (reports.get(reports.size() - 1) instanceof StepReport.Critic ? reports.get(reports.size() - 1) : reports.get(reports.size() - 2));
        assertEquals(3, last.clipFractions().size());
        for (LayerValue v : last.clipFractions()) assertEquals(1.0, v.value(), 0.0, v.layer());
    }

    @Test
    void diagnosticsCoverEveryLayerOfBothNetworks() {
        Trainer t = new Trainer(small("gp"), TOY);
        List<StepReport> reports = run(t, batches(6, 32, 5));
        StepReport.Critic critic = (StepReport.Critic) reports.get(0);
        StepReport.Generator generator = (StepReport.Generator) reports.get(5);
        assertTrue(Double.isFinite(critic.wassersteinEstimate().getAsDouble()));
        assertTrue(critic.gradientPenalty().getAsDouble() >= 0);
        assertEquals(critic.loss(), -critic.wassersteinEstimate().getAsDouble() + critic.gradientPenalty().getAsDouble(), 1e-5);
        assertEquals(List.of("dense0", "dense1", "dense2"), critic.weightGradientNorms().stream().map(LayerValue::layer).toList());
        assertEquals(3, critic.activationGradientNorms().size());
        // the last activation is the critic's output: its gradient is +-1/B on each of 2B rows
        assertEquals(Math.sqrt(2.0 * 32) / 32, critic.activationGradientNorms().get(2).value(), 1e-6);
        assertEquals(5, critic.inputGradientQuantiles().length);
        double[] q = critic.inputGradientQuantiles();
        for (int i = 1; i < q.length; i++) assertTrue(q[i] >= q[i - 1]);
        assertEquals("generator", generator.weightGradientNorms().get(0).network());
        assertEquals(3, generator.activationGradientNorms().size());
        assertTrue(Double.isFinite(generator.loss()));
        // histograms every 3rd critic step: step 0 and 3
        List<WeightHistogram> h = critic.histograms();
        assertEquals(3, h.size());
        assertEquals(t.critic().linearLayers().get(0).params().get(0).value.length(), h.get(0).total());
        assertTrue(reports.get(1).histograms().isEmpty());
    }

    @Test
    void diagnosticsOffSkipsThemAndLeavesTrainingBitForBitAsItWas() {
        List<INDArray> data = batches(15, 32, 8);
        Trainer on = new Trainer(small("clip"), TOY), toggled = new Trainer(small("clip"), TOY);
        run(on, data);
        List<StepReport> reports = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            toggled.diagnostics(i % 2 == 0); // the bench's alternation
            reports.addAll(toggled.step(data.get(i)));
        }
        assertEquals(on.parameterDigest(), toggled.parameterDigest());
        StepReport.Critic off = (StepReport.Critic) reports.get(1); // critic step 1: diagnostics off
        assertTrue(off.weightGradientNorms().isEmpty() && off.activationGradientNorms().isEmpty() && off.clipFractions().isEmpty() && off.histograms().isEmpty());
        assertEquals(3, reports.get(0).weightGradientNorms().size());
        assertTrue(Double.isFinite(off.loss()));
    }

    @Test
    void theSameSeedGivesTheSameParametersBitForBit() {
        List<INDArray> data = batches(15, 32, 6);
        Trainer a = new Trainer(small("gp"), TOY), b = new Trainer(small("gp"), TOY);
        run(a, data);
        run(b, data);
        assertEquals(a.parameterDigest(), b.parameterDigest());
        Trainer c = new Trainer(small("gp").toBuilder().seed(2).build(), TOY);
        run(c, data);
        assertNotEquals(a.parameterDigest(), c.parameterDigest());
    }

    @Test
    void saveRestoreContinueEqualsAnUninterruptedRunBitForBit() {
        for (String constraint : new String[] {"gp", "clip", "lp", "sn"}) {
            List<INDArray> data = batches(23, 32, 7);
            Trainer whole = new Trainer(small(constraint), TOY);
            run(whole, data);

            Trainer first = new Trainer(small(constraint), TOY);
            run(first, data.subList(0, 13)); // mid-way between generator steps
            byte[] state = first.saveState();
            Trainer resumed = new Trainer(small(constraint).toBuilder().seed(99).build(), TOY); // a different seed: everything must come from the state
            resumed.restoreState(state);
            run(resumed, data.subList(13, 23));

            assertEquals(whole.criticSteps(), resumed.criticSteps());
            assertEquals(whole.generatorSteps(), resumed.generatorSteps());
            assertEquals(whole.parameterDigest(), resumed.parameterDigest(), constraint);
            assertArrayEquals(whole.saveState(), resumed.saveState(), constraint);
        }
    }

    @Test
    void anOlderStateVersionIsRefusedWithTheReason() {
        byte[] state = new Trainer(small("gp"), TOY).saveState();
        java.nio.ByteBuffer.wrap(state).putInt(Integer.BYTES, 1); // the version follows the magic
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Trainer(small("gp"), TOY).restoreState(state));
        assertEquals("cannot restore trainer state: trainer state version 1, this build reads only version 2 "
                + "(older states lack the spectral-norm vectors): start the run afresh", e.getMessage());
    }

    /** The critic reports of a run, in order. */
    static List<StepReport.Critic> criticReports(List<StepReport> reports) {
        return reports.stream().filter(r -> r instanceof StepReport.Critic).map(r -> (StepReport.Critic) r).toList();
    }

    @Test
    void everyConstraintPublishesEachCriticLayersSpectralNormAtTheNormsCadence() {
        for (String constraint : new String[] {"clip", "gp", "lp", "sn", "none"}) {
            Trainer t = new Trainer(small(constraint).toBuilder().normsEvery(2).build(), TOY);
            List<StepReport.Critic> critic = criticReports(run(t, batches(6, 32, 9)));
            for (int i = 0; i < critic.size(); i++) {
                List<LayerValue> sigmas = critic.get(i).spectralNorms();
                if (i % 2 == 1) {
                    assertTrue(sigmas.isEmpty(), constraint + ": critic step " + i + " is off the norms cadence");
                    continue;
                }
                assertEquals(List.of("dense0", "dense1", "dense2"), sigmas.stream().map(LayerValue::layer).toList(), constraint);
                for (LayerValue v : sigmas) {
                    assertEquals("critic", v.network());
                    assertTrue(v.value() > 0 && Double.isFinite(v.value()), constraint + " " + v);
                }
            }
        }
    }

    @Test
    void aClippedCriticsSpectralNormsStayWithinTheBoundClippingImplies() {
        // every entry of a clipped [m, n] weight is within c, so sigma <= ||W||_F <= c sqrt(m n)
        double c = 0.01;
        Trainer t = new Trainer(small("clip"), TOY);
        List<StepReport.Critic> critic = criticReports(run(t, batches(30, 32, 10)));
        List<io.wasserflow.models.layers.Layer> layers = t.critic().linearLayers();
        for (StepReport.Critic r : critic)
            for (int i = 0; i < layers.size(); i++) {
                long[] shape = layers.get(i).params().get(0).value.shape();
                double bound = c * Math.sqrt(shape[0] * shape[1]), sigma = r.spectralNorms().get(i).value();
                assertTrue(sigma <= bound, "critic step " + r.criticStep() + " " + layers.get(i).name() + ": sigma " + sigma + " > " + bound);
            }
    }

    @Test
    void anSnCriticsNormalisedWeightsHaveSpectralNormOneOnceThePowerStepsConverge() {
        Trainer t = new Trainer(small("sn").toBuilder().histogramsEvery(0).build(), TOY);
        List<StepReport.Critic> critic = criticReports(run(t, batches(50, 32, 11)));
        for (LayerValue v : critic.get(critic.size() - 1).spectralNorms()) assertEquals(1.0, v.value(), 1e-2, v.layer());
        // before the power steps have converged, the estimate of sigma(W) was below it: W / sigma then has sigma above 1
        assertTrue(critic.get(0).spectralNorms().stream().anyMatch(v -> v.value() > 1 + 1e-2), critic.get(0).spectralNorms().toString());
    }

    @Test
    void toyGeneratorsHaveALinearOutputAndImageGeneratorsASigmoid() {
        assertTrue(!io.wasserflow.models.nets.Networks.isImage(TOY));
        assertTrue(io.wasserflow.models.nets.Networks.isImage(new long[] {1, 28, 28}));
        Trainer t = new Trainer(small("gp"), TOY);
        for (io.wasserflow.models.layers.Param p : t.generator().params()) p.value.muli(30);
        INDArray s = t.sample(256, 3);
        assertTrue(s.minNumber().doubleValue() < -1 && s.maxNumber().doubleValue() > 1, "toy samples must not be squashed into (0, 1)");
    }

    @Test
    void dcganTrainerRunsOnImages() {
        ExperimentConfig cfg = ExperimentConfig.builder("dcgan", false, Loss.WGAN, "gp")
                .architecture(Architecture.dcgan(4)).nCritic(2).batchSize(4).build();
        Trainer t = new Trainer(cfg, new long[] {1, 28, 28});
        INDArray images = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4, 1, 28, 28);
        List<StepReport> reports = new ArrayList<>();
        for (int i = 0; i < 4; i++) reports.addAll(t.step(images));
        assertEquals(2, t.generatorSteps());
        for (StepReport r : reports) assertTrue(r.finite());
        assertArrayEquals(new long[] {3, 1, 28, 28}, t.sample(3, 1).shape());
    }
}
