package io.wasserflow.models.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.nets.Architecture;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Latent lines: from a seed, straight, endpoints included, and the generator's outputs at the endpoints are its outputs at z_a and z_b. */
class InterpolationTest {
    static final ExperimentConfig CONFIG = ExperimentConfig.builder("gp", true, Loss.WGAN, "gp").architecture(Architecture.mlp(2, 16)).zDim(5).batchSize(8).build();

    @Test
    void linesAreStraightWithBothEndpoints() {
        Interpolation lines = Interpolation.draw(CONFIG, 3, 7);
        INDArray z = lines.points().castTo(DataType.DOUBLE);
        int steps = Interpolation.STEPS;
        assertArrayEquals(new long[] {3L * steps, 5}, z.shape());
        double[] a = lines.from().castTo(DataType.DOUBLE).data().asDouble(), b = lines.to().castTo(DataType.DOUBLE).data().asDouble();
        for (int r = 0; r < 3; r++)
            for (int j = 0; j < steps; j++)
                for (int k = 0; k < 5; k++) {
                    double t = (double) j / (steps - 1), expected = (1 - t) * a[r * 5 + k] + t * b[r * 5 + k];
                    assertEquals(expected, z.getDouble(r * steps + j, k), 1e-6, "line " + r + " step " + j);
                }
        for (int r = 0; r < 3; r++) {
            assertArrayEquals(lines.from().getRow(r).dup().data().asFloat(), z.getRow(r * steps).castTo(DataType.FLOAT).dup().data().asFloat(), 0f);
            assertArrayEquals(lines.to().getRow(r).dup().data().asFloat(), z.getRow(r * steps + steps - 1).castTo(DataType.FLOAT).dup().data().asFloat(), 0f);
        }
    }

    @Test
    void aSeedDrawsTheSameLinesAndAnotherSeedOthers() {
        Interpolation x = Interpolation.draw(CONFIG, 2, 11), y = Interpolation.draw(CONFIG, 2, 11), w = Interpolation.draw(CONFIG, 2, 12);
        assertEquals(x.points(), y.points());
        assertTrue(!x.points().equals(w.points()));
        assertTrue(!x.from().equals(x.to()), "the two ends of a line differ");
        assertThrows(IllegalArgumentException.class, () -> Interpolation.draw(CONFIG, 0, 1));
    }

    @Test
    void theGeneratorsOutputsAtTheEndsOfTheLinesAreItsOutputsAtTheEndpoints() {
        Trainer t = new Trainer(CONFIG, new long[] {1, 1, 2});
        Interpolation lines = Interpolation.draw(CONFIG, 4, 3);
        float[] grid = lines.through(t).castTo(DataType.FLOAT).data().asFloat();
        float[] a = t.generate(lines.from()).castTo(DataType.FLOAT).data().asFloat(), b = t.generate(lines.to()).castTo(DataType.FLOAT).data().asFloat();
        int steps = Interpolation.STEPS;
        for (int r = 0; r < 4; r++)
            for (int k = 0; k < 2; k++) {
                assertEquals(a[2 * r + k], grid[2 * (r * steps) + k], 1e-6, "line " + r + " start");
                assertEquals(b[2 * r + k], grid[2 * (r * steps + steps - 1) + k], 1e-6, "line " + r + " end");
            }
    }
}
