package io.wasserflow.pipeline.job;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Cuts an experiment's own batches out of the stream's records, whatever their size; the partial batch is kept. */
final class BatchCutter {
    private final int batchSize, sampleSize;
    private final long[] shape;
    private float[] pending = new float[0];
    private int pendingSamples;

    /** @param shape one sample's [channels, height, width] */
    BatchCutter(int batchSize, long[] shape) {
        this.batchSize = batchSize;
        this.shape = shape.clone();
        this.sampleSize = (int) (shape[0] * shape[1] * shape[2]);
    }

    void append(ImageRecord b) {
        int need = (pendingSamples + b.count) * sampleSize;
        if (pending.length < need) pending = Arrays.copyOf(pending, Math.max(need, 2 * pending.length));
        System.arraycopy(b.values, 0, pending, pendingSamples * sampleSize, b.count * sampleSize);
        pendingSamples += b.count;
    }

    boolean hasBatch() {
        return pendingSamples >= batchSize;
    }

    /** The next batch, [B, C, H, W]. */
    INDArray take() {
        float[] batch = Arrays.copyOf(pending, batchSize * sampleSize);
        System.arraycopy(pending, batchSize * sampleSize, pending, 0, (pendingSamples - batchSize) * sampleSize);
        pendingSamples -= batchSize;
        return Nd4j.create(batch, new long[] {batchSize, shape[0], shape[1], shape[2]}, 'c');
    }

    /** The samples that do not yet fill a batch, flattened. */
    float[] pending() {
        return Arrays.copyOf(pending, pendingSamples * sampleSize);
    }

    void restore(float[] values) {
        pending = values.clone();
        pendingSamples = values.length / sampleSize;
    }
}
