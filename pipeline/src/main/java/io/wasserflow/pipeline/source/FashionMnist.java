package io.wasserflow.pipeline.source;

import io.wasserflow.pipeline.BadInputException;
import io.wasserflow.schemas.DType;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST's training set (60,000 28x28 grey images, labels 0-9) from the standard IDX
 * files, gzipped or not, read whole into memory (47 MB); batches run through it in file order and
 * wrap around at the end of an epoch.
 */
public final class FashionMnist implements Dataset {
    /** Where Debian's dataset-fashion-mnist package puts the files (gzipped). */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    static final String IMAGES = "train-images-idx3-ubyte", LABELS = "train-labels-idx1-ubyte";
    /** The 10,000 test images, read only to check the quality classifier. */
    static final String TEST_IMAGES = "t10k-images-idx3-ubyte", TEST_LABELS = "t10k-labels-idx1-ubyte";
    /** IDX magic: two zero bytes, the type (0x08, unsigned byte), the number of dimensions. */
    static final int IMAGES_MAGIC = 0x00000803, LABELS_MAGIC = 0x00000801;
    private static final String INSTALL = "(apt-get install dataset-fashion-mnist, or --data DIR)";

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

    /** Whether dir holds the training images and labels, gzipped or not. */
    public static boolean installed(Path dir) {
        return find(dir, IMAGES) != null && find(dir, LABELS) != null;
    }

    public static FashionMnist load(Path dir) throws IOException {
        return load(dir, IMAGES, LABELS);
    }

    /** Whether dir holds the test images and labels too. */
    public static boolean testInstalled(Path dir) {
        return find(dir, TEST_IMAGES) != null && find(dir, TEST_LABELS) != null;
    }

    /** The test set (t10k files). */
    public static FashionMnist loadTest(Path dir) throws IOException {
        return load(dir, TEST_IMAGES, TEST_LABELS);
    }

    private static FashionMnist load(Path dir, String imagesName, String labelsName) throws IOException {
        if (!Files.isDirectory(dir)) throw new BadInputException("fashion-mnist: no folder " + dir + " " + INSTALL);
        Path images = find(dir, imagesName), labels = find(dir, labelsName);
        if (images == null || labels == null)
            throw new BadInputException("fashion-mnist: no " + imagesName + "[.gz] and " + labelsName + "[.gz] in " + dir + " " + INSTALL);
        byte[] px, lb;
        int n, h, w;
        try (DataInputStream in = open(images)) {
            if (in.readInt() != IMAGES_MAGIC) throw new BadInputException("fashion-mnist: " + images + " is not an IDX file of unsigned-byte images (bad magic number)");
            n = in.readInt();
            h = in.readInt();
            w = in.readInt();
            if (n < 1 || h < 1 || w < 1 || (long) n * h * w > Integer.MAX_VALUE - 8)
                throw new BadInputException("fashion-mnist: " + images + " declares an impossible shape " + n + "x" + h + "x" + w);
            px = new byte[n * h * w];
            in.readFully(px);
        } catch (EOFException e) {
            throw new BadInputException("fashion-mnist: " + images + " is truncated");
        }
        try (DataInputStream in = open(labels)) {
            if (in.readInt() != LABELS_MAGIC) throw new BadInputException("fashion-mnist: " + labels + " is not an IDX file of unsigned-byte labels (bad magic number)");
            int m = in.readInt();
            if (m != n) throw new BadInputException("fashion-mnist: " + images + " holds " + n + " images but " + labels + " " + m + " labels");
            lb = new byte[m];
            in.readFully(lb);
        } catch (EOFException e) {
            throw new BadInputException("fashion-mnist: " + labels + " is truncated");
        }
        return new FashionMnist(px, lb, n, h, w);
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
        if (p.getFileName().toString().endsWith(".gz")) in = new GZIPInputStream(in, 1 << 16);
        return new DataInputStream(new BufferedInputStream(in, 1 << 16));
    }

    /** Every image as pixels in [0, 1] (count x height x width, row-major) with its label: the quality classifier's data. */
    public io.wasserflow.models.quality.ImageQuality.Images images() {
        return images(0, count);
    }

    /** Images from, from + 1, ..., from + n - 1 (at most to the last), as {@link #images()} gives them. */
    public io.wasserflow.models.quality.ImageQuality.Images images(int from, int n) {
        n = Math.max(0, Math.min(n, count - from));
        int size = height * width;
        float[] px = new float[n * size];
        for (int i = 0; i < px.length; i++) px[i] = (pixels[from * size + i] & 0xFF) / 255f; // as DecodeImageBatches scales them
        int[] lb = new int[n];
        for (int i = 0; i < n; i++) lb[i] = labels[from + i] & 0xFF;
        return new io.wasserflow.models.quality.ImageQuality.Images(px, lb);
    }

    @Override public String name() { return "fashion-mnist"; }
    @Override public int channels() { return 1; }
    @Override public int height() { return height; }
    @Override public int width() { return width; }
    @Override public DType dtype() { return DType.UINT8; }
    @Override public long epochSize() { return count; }

    @Override public Batch next(int n) {
        Dataset.requireBatchSize(n);
        int size = height * width;
        byte[] v = new byte[n * size], l = new byte[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(pixels, cursor * size, v, i * size, size);
            l[i] = labels[cursor];
            cursor = (cursor + 1) % count;
        }
        return new Batch(n, 1, height, width, DType.UINT8, v, l);
    }
}
