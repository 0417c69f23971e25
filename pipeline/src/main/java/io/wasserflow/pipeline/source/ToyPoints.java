package io.wasserflow.pipeline.source;

import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.util.Rng;
import io.wasserflow.schemas.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The endless 2-D toy sets as float32 1x1x2 images; an epoch is 100,000 points, as in the reference toy code. */
public final class ToyPoints implements Dataset {
    static final long EPOCH = 100_000;
    private final Toy2D toy;
    private final Rng rng;

    public ToyPoints(Toy2D toy, long seed) {
        this.toy = toy;
        this.rng = new Rng(seed);
    }

    @Override public String name() { return toy.id; }
    @Override public int channels() { return 1; }
    @Override public int height() { return 1; }
    @Override public int width() { return 2; }
    @Override public DType dtype() { return DType.FLOAT32; }
    @Override public long epochSize() { return EPOCH; }

    @Override public Batch next(int n) {
        Dataset.requireBatchSize(n);
        double[] xy = toy.sample(rng, n);
        ByteBuffer b = ByteBuffer.allocate(4 * xy.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : xy) b.putFloat((float) v);
        return new Batch(n, 1, 1, 2, DType.FLOAT32, b.array(), null);
    }
}
