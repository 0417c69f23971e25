package io.wasserflow.pipeline.source;

import io.wasserflow.models.data.Gaussian1D;
import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.util.Rng;
import io.wasserflow.schemas.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.BiFunction;

/**
 * The endless toy sets as float32 images of one row: the 2-D sets as 1x1x2, the line's Gaussian
 * ({@link Gaussian1D}) as 1x1x1. An epoch is 100,000 points, as in the reference toy code.
 */
public final class ToyPoints implements Dataset {
    static final long EPOCH = 100_000;
    private final String name;
    private final int width;
    /** n points' coordinates, row-major, from the dataset's random generator. */
    private final BiFunction<Rng, Integer, double[]> draw;
    private final Rng rng;

    public ToyPoints(Toy2D toy, long seed) {
        this(toy.id, 2, toy::sample, seed);
    }

    private ToyPoints(String name, int width, BiFunction<Rng, Integer, double[]> draw, long seed) {
        this.name = name;
        this.width = width;
        this.draw = draw;
        this.rng = new Rng(seed);
    }

    /** The WGAN paper's Figure 2 real distribution, N(2, 0.5) on the line, as 1x1x1 points. */
    public static ToyPoints line(long seed) {
        return new ToyPoints(Gaussian1D.ID, 1, Gaussian1D::sample, seed);
    }

    @Override public String name() { return name; }
    @Override public int channels() { return 1; }
    @Override public int height() { return 1; }
    @Override public int width() { return width; }
    @Override public DType dtype() { return DType.FLOAT32; }
    @Override public long epochSize() { return EPOCH; }

    @Override public Batch next(int n) {
        Dataset.requireBatchSize(n);
        double[] values = draw.apply(rng, n);
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) b.putFloat((float) v);
        return new Batch(n, 1, 1, width, DType.FLOAT32, b.array(), null);
    }
}
