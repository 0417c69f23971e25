package io.wasserflow.pipeline.source;

import io.wasserflow.schemas.DType;

/**
 * A source of images (or 2-D points as 1x1x2 images), read in batches. Finite datasets wrap
 * around at the end of an epoch; the endless toy sets count {@link #epochSize()} points an epoch.
 */
public interface Dataset {
    String name();

    int channels();

    int height();

    int width();

    DType dtype();

    /** Images (points) in one epoch. */
    long epochSize();

    /** The next n images: values row-major (uint8, or float32 little-endian), and labels or null. */
    Batch next(int n);

    record Batch(int count, byte[] values, byte[] labels) {}
}
