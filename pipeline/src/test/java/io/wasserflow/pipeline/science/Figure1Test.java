package io.wasserflow.pipeline.science;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.pipeline.cli.Cli;
import io.wasserflow.pipeline.report.ReadBack;
import io.wasserflow.pipeline.testing.PresetDemo;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Figure 1 of the WGAN-GP paper (section 3.2, SCIENCE.md "Claims") through the real pipeline:
 * {@code wasserflow demo --config figure1} (the preset as the jar ships it: WGAN on the swiss
 * roll, generator and critic 12-layer ReLU MLPs of width 512 without normalisation, clipping at
 * c = 0.1, 0.01 and 0.001 and the gradient penalty side by side; an embedded Kafka broker and a
 * Flink MiniCluster), shortened for CI to {@value #GENERATOR_STEPS} generator steps, that is
 * {@value #CRITIC_STEPS} critic steps per experiment, everything else as the preset has it. The
 * metrics are read back from the finished run folder as {@code report} reads them: the per-layer
 * activation-gradient norms are the report's Figure 1 (the mean over the latest critic steps),
 * the weights its latest critic histograms and "weights at ±c".
 * <p>
 * What the paper shows and this checks: with c = 0.1 the norm of the critic loss's gradient with
 * respect to successive layers' activations grows towards the input (explodes), with c = 0.001 it
 * shrinks towards it (vanishes, down to float32 underflow), with the penalty it stays within one
 * order of magnitude across layers; clipping piles the critic's weights up at ±c, the penalty
 * does not. The explosion at c = 0.1 shows within a few critic steps (first over last layer's
 * norm about 1.2 at critic step 1, 10 at step 5: measured); the vanishing and the crowding at the
 * two small c are there from the first step. The thresholds hold with a wide margin at this length.
 */
class Figure1Test {
    static final int GENERATOR_STEPS = 2, CRITIC_STEPS = 10; // n_critic 5

    @TempDir
    static Path workdir;
    static String runId;
    static Map<String, ReadBack.Experiment> run;
    static long seconds;

    @BeforeAll
    static void runThePreset() throws Exception {
        long start = System.nanoTime();
        assertEquals(0, Cli.run("demo", "--config", "figure1", "--steps", String.valueOf(GENERATOR_STEPS), "--workdir", workdir.toString()));
        seconds = (System.nanoTime() - start) / 1_000_000_000L;
        runId = PresetDemo.onlyRunId(workdir);
        run = ReadBack.read(workdir, runId);
        System.out.printf(Locale.ROOT, "Figure1Test: demo --config figure1 --steps %d took %d s%n", GENERATOR_STEPS, seconds);
        run.forEach((name, e) -> System.out.printf(Locale.ROOT, "Figure1Test: %s critic steps %s, first/last %.3g, norms %s, weights at ±c %.3f, histogram mass at the ends %.3f%n",
                name, e.figure1Steps(), e.figure1()[0] / e.figure1()[e.figure1().length - 1], Arrays.toString(e.figure1()), e.clipShare(), massAtTheEnds(e)));
    }

    static ReadBack.Experiment experiment(String name) {
        ReadBack.Experiment e = run.get(name);
        assertNotNull(e, name);
        assertEquals(GENERATOR_STEPS, e.generatorSteps(), name);
        assertEquals(CRITIC_STEPS, e.criticSteps(), name);
        assertEquals(13, e.criticLayers().size(), name + ": 12 hidden layers and the output layer, " + e.criticLayers());
        return e;
    }

    /**
     * The share of the latest critic histogram's weights at the ends of its range (±c for a clipped critic, ±histogram_range
     * otherwise): beyond an end, or in the bucket next to it. Both, because a weight clipped to exactly ±c in float32 lands on
     * either side of the double edge ±c, as c rounds up (0.1, 0.001: the open-ended buckets) or down (0.01: the last in-range ones).
     */
    static double massAtTheEnds(ReadBack.Experiment e) {
        long[] c = e.histogramCounts();
        if (c == null) return Double.NaN;
        long total = Arrays.stream(c).sum();
        return (double) (c[0] + c[1] + c[c.length - 2] + c[c.length - 1]) / total;
    }

    @Test
    void withClippingAtAPointOneTheNormGrowsTowardsTheInput() {
        double[] f = experiment("clip-0.1").figure1();
        for (int i = 0; i + 1 < f.length; i++) assertTrue(f[i] > f[i + 1], "layer " + i + " over layer " + (i + 1) + ": " + Arrays.toString(f));
        assertTrue(f[0] / f[f.length - 1] > 3, "first over last " + f[0] / f[f.length - 1]);
    }

    @Test
    void withClippingAtAPointZeroZeroOneTheNormShrinksTowardsTheInput() {
        double[] f = experiment("clip-0.001").figure1();
        for (int i = 0; i + 1 < f.length; i++) assertTrue(f[i] <= f[i + 1], "layer " + i + " over layer " + (i + 1) + ": " + Arrays.toString(f));
        assertTrue(f[0] / f[f.length - 1] < 1e-6, "first over last " + f[0] / f[f.length - 1]);
    }

    @Test
    void withThePenaltyTheNormStaysWithinAnOrderOfMagnitude() {
        double[] f = experiment("gp").figure1();
        double max = Arrays.stream(f).max().orElseThrow(), min = Arrays.stream(f).min().orElseThrow();
        assertTrue(min > 0 && max / min < 10, "max over min " + max / min + ": " + Arrays.toString(f));
    }

    @Test
    void clippingPilesTheWeightsUpAtTheBoundsThePenaltyDoesNot() {
        for (String name : List.of("clip-0.01", "clip-0.001")) {
            ReadBack.Experiment e = experiment(name);
            assertTrue(e.clipShare() > 0.9, name + " weights at ±c " + e.clipShare());
            assertTrue(massAtTheEnds(e) > 0.9, name + " histogram mass at ±c " + massAtTheEnds(e));
        }
        // c = 0.1 is wide for width 512 (He's uniform bound is 0.108): fewer weights reach it, but a point mass at ±c, where a
        // continuous distribution has none
        ReadBack.Experiment wide = experiment("clip-0.1");
        assertTrue(wide.clipShare() > 0.05, "clip-0.1 weights at ±c " + wide.clipShare());
        assertTrue(massAtTheEnds(wide) > 0.05, "clip-0.1 histogram mass at ±c " + massAtTheEnds(wide));
        assertTrue(massAtTheEnds(wide) < massAtTheEnds(experiment("clip-0.01")), "the smaller c, the more weights at it");

        ReadBack.Experiment gp = experiment("gp");
        assertTrue(gp.clipFractions().isEmpty(), "no clip share without clipping");
        assertNotNull(gp.histogramCounts(), "the penalty's critic histograms");
        assertTrue(massAtTheEnds(gp) < 0.01, "gp histogram mass at ±histogram_range " + massAtTheEnds(gp));
    }
}
