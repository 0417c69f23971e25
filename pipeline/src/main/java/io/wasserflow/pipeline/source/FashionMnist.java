package io.wasserflow.pipeline.source;

import io.wasserflow.pipeline.cli.UsageException;
import io.wasserflow.schemas.DType;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Fashion-MNIST's training set from the standard IDX files, gzipped or not. */
public final class FashionMnist implements Dataset {
    /** Where Debian's dataset-fashion-mnist package puts the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    static final int IMAGES_MAGIC = 0x00000803, LABELS_MAGIC = 0x00000801;

    private final byte[] pixels, labels;
    private final int count, height, width;
    private int cursor;

    FashionMnist(byte[] pixels, byte[] labels, int count, int height, int width) {
        this.pixels = pixels;
        this.labels = labels;
        this.count = count;
        this.height = height;
        this.width = width;
    }

    public static boolean installed(Path dir) {
        return find(dir, "train-images-idx3-ubyte") != null && find(dir, "train-labels-idx1-ubyte") != null;
    }

    public static FashionMnist load(Path dir) throws IOException {
        Path images = find(dir, "train-images-idx3-ubyte"), labels = find(dir, "train-labels-idx1-ubyte");
        if (images == null || labels == null)
            throw new UsageException("fashion-mnist: no train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz] in " + dir
                    + " (apt-get install dataset-fashion-mnist, or --data DIR)");
        try (DataInputStream in = open(images)) {
            if (in.readInt() != IMAGES_MAGIC) throw new UsageException("fashion-mnist: " + images + " is not an IDX image file (bad magic number)");
            int n = in.readInt(), h = in.readInt(), w = in.readInt();
            byte[] px = new byte[n * h * w];
            in.readFully(px);
            byte[] lb;
            try (DataInputStream l = open(labels)) {
                if (l.readInt() != LABELS_MAGIC) throw new UsageException("fashion-mnist: " + labels + " is not an IDX label file (bad magic number)");
                int m = l.readInt();
                if (m != n) throw new UsageException("fashion-mnist: " + n + " images but " + m + " labels");
                lb = new byte[m];
                l.readFully(lb);
            }
            return new FashionMnist(px, lb, n, h, w);
        }
    }

    private static Path find(Path dir, String base) {
        for (String name : new String[] {base, base + ".gz"}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    private static DataInputStream open(Path p) throws IOException {
        InputStream in = Files.newInputStream(p);
        if (p.toString().endsWith(".gz")) in = new GZIPInputStream(in, 1 << 16);
        return new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16));
    }

    @Override public String name() { return "fashion-mnist"; }
    @Override public int channels() { return 1; }
    @Override public int height() { return height; }
    @Override public int width() { return width; }
    @Override public DType dtype() { return DType.UINT8; }
    @Override public long epochSize() { return count; }

    @Override public Batch next(int n) {
        int size = height * width;
        byte[] v = new byte[n * size], l = new byte[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(pixels, cursor * size, v, i * size, size);
            l[i] = labels[cursor];
            cursor = (cursor + 1) % count;
        }
        return new Batch(n, v, l);
    }
}
