package io.wasserflow.pipeline.source;

import io.wasserflow.models.util.Rng;
import io.wasserflow.schemas.DType;

/**
 * 28x28 grey images of simple shapes (disc, square, triangle, cross) of random size, position and
 * intensity, drawn from a seed: the built-in image set that needs nothing installed. The label is
 * the shape's kind. An epoch is 60,000 images, Fashion-MNIST's size.
 */
public final class Shapes implements Dataset {
    static final int SIZE = 28, KINDS = 4, EPOCH = 60_000;
    private final Rng rng;

    public Shapes(long seed) {
        this.rng = new Rng(seed);
    }

    @Override public String name() { return "shapes"; }
    @Override public int channels() { return 1; }
    @Override public int height() { return SIZE; }
    @Override public int width() { return SIZE; }
    @Override public DType dtype() { return DType.UINT8; }
    @Override public long epochSize() { return EPOCH; }

    @Override public Batch next(int n) {
        Dataset.requireBatchSize(n);
        byte[] v = new byte[n * SIZE * SIZE], l = new byte[n];
        for (int i = 0; i < n; i++) l[i] = (byte) draw(v, i * SIZE * SIZE);
        return new Batch(n, 1, SIZE, SIZE, DType.UINT8, v, l);
    }

    private int draw(byte[] out, int offset) {
        int kind = rng.nextInt(KINDS);
        double r = 4 + 6 * rng.nextDouble(); // half-size 4..10 pixels
        double cx = r + (SIZE - 2 * r) * rng.nextDouble(), cy = r + (SIZE - 2 * r) * rng.nextDouble();
        int grey = 128 + rng.nextInt(128);
        for (int y = 0; y < SIZE; y++)
            for (int x = 0; x < SIZE; x++) {
                double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
                boolean inside = switch (kind) {
                    case 0 -> dx * dx + dy * dy <= r * r;
                    case 1 -> Math.abs(dx) <= r * 0.8 && Math.abs(dy) <= r * 0.8;
                    case 2 -> dy <= r * 0.8 && dy >= -r * 0.8 && Math.abs(dx) <= (dy + r * 0.8) * 0.6;
                    default -> (Math.abs(dx) <= r * 0.25 && Math.abs(dy) <= r) || (Math.abs(dy) <= r * 0.25 && Math.abs(dx) <= r);
                };
                if (inside) out[offset + y * SIZE + x] = (byte) grey;
            }
        return kind;
    }
}
