package io.wasserflow.models.quality;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Reads the first images and labels of a gzipped Fashion-MNIST IDX pair (tests only; the pipeline has its own reader). */
final class Idx {
    static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

    static boolean installed() {
        return Files.isRegularFile(DIR.resolve("train-images-idx3-ubyte.gz")) && Files.isRegularFile(DIR.resolve("t10k-images-idx3-ubyte.gz"));
    }

    record Data(float[] images, int[] labels) {}

    /** @param split "train" or "t10k" */
    static Data read(String split, int count) throws IOException {
        float[] px;
        try (DataInputStream in = open(DIR.resolve(split + "-images-idx3-ubyte.gz"))) {
            if (in.readInt() != 0x803) throw new IOException("bad magic");
            int n = Math.min(count, in.readInt());
            int size = in.readInt() * in.readInt();
            byte[] b = new byte[n * size];
            in.readFully(b);
            px = new float[b.length];
            for (int i = 0; i < b.length; i++) px[i] = (b[i] & 0xFF) / 255f;
        }
        int[] labels;
        try (DataInputStream in = open(DIR.resolve(split + "-labels-idx1-ubyte.gz"))) {
            if (in.readInt() != 0x801) throw new IOException("bad magic");
            int n = Math.min(count, in.readInt());
            labels = new int[n];
            for (int i = 0; i < n; i++) labels[i] = in.readUnsignedByte();
        }
        return new Data(px, labels);
    }

    private static DataInputStream open(Path p) throws IOException {
        return new DataInputStream(new BufferedInputStream(new GZIPInputStream(Files.newInputStream(p), 1 << 16), 1 << 16));
    }
}
