package io.wasserflow.models.train;

import io.wasserflow.models.util.Rng;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Straight lines through the generator's latent space: line r runs from z_a(r) to z_b(r), both
 * drawn from N(0, I) like the training noise, by an Rng of the seed (so a grid is reproducible),
 * in {@code steps} equal steps with both endpoints: z(r, j) = (1 - t) z_a(r) + t z_b(r),
 * t = j / (steps - 1). Smooth changes along a line, rather than jumps or one image throughout,
 * are the usual sign that a generator did not memorise its training images.
 *
 * @param from z_a, [rows, zDim]; {@code to} z_b, [rows, zDim]
 */
public record Interpolation(INDArray from, INDArray to, int steps) {
    /** Points per line, endpoints included. */
    public static final int STEPS = 10;

    /** Rows lines of {@link #STEPS} points in the latent space of config; the z_a of all rows first, then the z_b, from one Rng. */
    public static Interpolation draw(ExperimentConfig config, int rows, long seed) {
        if (rows < 1) throw new IllegalArgumentException("an interpolation needs at least one line, not " + rows);
        Rng rng = new Rng(seed);
        INDArray a = Noise.gaussian(rng, config.dtype(), rows, config.zDim()), b = Noise.gaussian(rng, config.dtype(), rows, config.zDim());
        return new Interpolation(a, b, STEPS);
    }

    public int rows() {
        return (int) from.size(0);
    }

    /** The latent points, [rows * steps, zDim]: line r's point j at row r * steps + j. */
    public INDArray points() {
        int rows = rows();
        long zDim = from.size(1);
        INDArray z = Nd4j.create(from.dataType(), rows * (long) steps, zDim);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < steps; j++) {
                double t = (double) j / (steps - 1);
                z.putRow(r * (long) steps + j, from.getRow(r).mul(1 - t).addi(to.getRow(r).mul(t)));
            }
        return z;
    }

    /** The generator's outputs at every point, in one batch (as samples are drawn), [rows * steps, C, H, W]. */
    public INDArray through(Trainer trainer) {
        return trainer.generate(points());
    }
}
