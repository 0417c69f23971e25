package io.wasserflow.pipeline.source;

import io.wasserflow.schemas.DType;

/**
 * A source of images (or 2-D points as 1x1x2 images), read in batches. Finite datasets wrap
 * around at the end of an epoch; the endless toy sets count {@link #epochSize()} points an epoch.
 * Not thread-safe: one reader at a time.
 */
public interface Dataset {
    /** The name used on the command line and in topic names, e.g. "fashion-mnist". */
    String name();

    int channels();

    int height();

    int width();

    DType dtype();

    /** Images (points) in one epoch. */
    long epochSize();

    /** The next n (at least 1) images. */
    Batch next(int n);

    /**
     * n images: values row-major n x channels x height x width, one byte each for UINT8 or four
     * (float32, little-endian) for FLOAT32; labels one byte per image, or null when unlabelled.
     */
    record Batch(int count, int channels, int height, int width, DType dtype, byte[] values, byte[] labels) {
        public Batch {
            if (count < 1 || channels < 1 || height < 1 || width < 1)
                throw new IllegalArgumentException("batch shape must be positive, got " + count + "x" + channels + "x" + height + "x" + width);
            long expected = (long) count * channels * height * width * bytesPerValue(dtype);
            if (values.length != expected)
                throw new IllegalArgumentException("batch values hold " + values.length + " bytes, expected " + expected + " for " + count + "x" + channels + "x" + height + "x" + width + " " + dtype);
            if (labels != null && labels.length != count)
                throw new IllegalArgumentException("batch labels hold " + labels.length + " bytes, expected one per image (" + count + ")");
        }
    }

    static int bytesPerValue(DType dtype) {
        return dtype == DType.FLOAT32 ? 4 : 1;
    }

    static void requireBatchSize(int n) {
        if (n < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + n);
    }
}
