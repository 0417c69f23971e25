package io.wasserflow.models.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.layers.Conv2d;
import io.wasserflow.models.layers.Dense;
import io.wasserflow.models.util.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The power iteration against the largest singular value computed exactly, in both weight layouts. */
class PowerIterationTest {
    static INDArray randn(long seed, long... shape) {
        Rng rng = new Rng(seed);
        long n = 1;
        for (long s : shape) n *= s;
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextGaussian();
        return Nd4j.create(v, shape, 'c');
    }

    @Test
    void theReferenceIsExactOnAKnownMatrix() {
        // [[3, 0], [4, 5]]: singular values sqrt(45) and sqrt(5)
        assertEquals(Math.sqrt(45), ExactSingularValue.largest(new double[] {3, 0, 4, 5}, 2, 2), 1e-14);
    }

    @Test
    void denseWeightSigmaMatchesTheExactLargestSingularValue() {
        INDArray w = randn(1, 7, 5); // [in, out]: the matrix A = W^T
        Dense layer = new Dense("d", w, Nd4j.zeros(DataType.DOUBLE, 5));
        PowerIteration p = PowerIteration.of(layer, new Rng(2));
        for (int i = 0; i < 200; i++) p.step(w);
        double exact = ExactSingularValue.largest(w.dup('c').data().asDouble(), 7, 5);
        assertEquals(exact, p.sigma(w), 1e-10 * exact);
        // u spans the outputs, v the inputs: A v = sigma u
        assertEquals(5, p.u().length());
        assertEquals(7, p.v().length());
    }

    @Test
    void convolutionKernelSigmaIsThatOfTheOutByInKKMatrix() {
        INDArray w = randn(3, 4, 3, 3, 3); // [out, in, k, k] read as [4, 27]
        Conv2d layer = new Conv2d("c", w, Nd4j.zeros(DataType.DOUBLE, 4), 1, 1);
        PowerIteration p = PowerIteration.of(layer, new Rng(4));
        for (int i = 0; i < 200; i++) p.step(w);
        double exact = ExactSingularValue.largest(w.dup('c').data().asDouble(), 4, 27);
        assertEquals(exact, p.sigma(w), 1e-10 * exact);
        assertEquals(27, p.v().length());
    }

    @Test
    void oneWarmStartedStepPerMeasurementTracksAMovingWeight() {
        // the published measurement: one step per call, the weight moving a little between calls
        INDArray w = randn(5, 32, 16), drift = randn(6, 32, 16).muli(1e-3);
        PowerIteration p = PowerIteration.of(new Dense("d", w, Nd4j.zeros(DataType.DOUBLE, 16)), new Rng(7));
        double error = Double.NaN;
        for (int i = 0; i < 100; i++) {
            w.addi(drift);
            double published = p.step(w); // |A v|, what SpectralNorms publishes
            double exact = ExactSingularValue.largest(w.dup('c').data().asDouble(), 32, 16);
            assertEquals(p.sigma(w), published, 1e-12 * exact, "the step's |A v| is u^T A v after it");
            error = Math.abs(published - exact) / exact;
            assertTrue(p.sigma(w) <= exact * (1 + 1e-12), "a Rayleigh quotient never exceeds sigma_max");
            assertTrue(published <= exact * (1 + 1e-12), "|A v| of a unit v never exceeds sigma_max");
        }
        assertTrue(error < 1e-3, "after 100 measurements the estimate is within 0.1%: " + error);
    }
}
