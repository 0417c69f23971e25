package io.wasserflow.pipeline.job;

/** A decoded, validated batch: pixels scaled to [0, 1] (uint8 / 255) or the float32 points as they were. */
public class ImageRecord {
    public long sequence;
    public long offset;
    public int count, channels, height, width;
    public float[] values;

    public ImageRecord() {}
}
