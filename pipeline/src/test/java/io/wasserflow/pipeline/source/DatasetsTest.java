package io.wasserflow.pipeline.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wasserflow.models.data.Gaussian1D;
import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.util.Rng;
import io.wasserflow.schemas.DType;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
    /** n images of h x w whose pixel k is (image * 7 + k) mod 251, labels image mod 10. */
    static void writeIdx(Path dir, boolean gzip, int n, int h, int w) throws IOException {
        String ext = gzip ? ".gz" : "";
        try (DataOutputStream out = new DataOutputStream(open(dir.resolve(FashionMnist.IMAGES + ext), gzip))) {
            out.writeInt(FashionMnist.IMAGES_MAGIC);
            out.writeInt(n);
            out.writeInt(h);
            out.writeInt(w);
            for (int i = 0; i < n; i++)
                for (int k = 0; k < h * w; k++) out.writeByte((i * 7 + k) % 251);
        }
        try (DataOutputStream out = new DataOutputStream(open(dir.resolve(FashionMnist.LABELS + ext), gzip))) {
            out.writeInt(FashionMnist.LABELS_MAGIC);
            out.writeInt(n);
            for (int i = 0; i < n; i++) out.writeByte(i % 10);
        }
    }

    static OutputStream open(Path p, boolean gzip) throws IOException {
        OutputStream o = Files.newOutputStream(p);
        return gzip ? new GZIPOutputStream(o) : o;
    }

    @Test
    void readsIdxFilesGzippedOrNotAndWrapsAroundTheEpoch(@TempDir Path tmp) throws IOException {
        for (boolean gzip : new boolean[] {true, false}) {
            Path dir = Files.createDirectories(tmp.resolve(gzip ? "gz" : "plain"));
            writeIdx(dir, gzip, 5, 4, 3);
            assertTrue(FashionMnist.installed(dir));
            FashionMnist f = FashionMnist.load(dir);
            assertEquals(5, f.epochSize());
            assertEquals(4, f.height());
            assertEquals(3, f.width());
            Dataset.Batch b = f.next(7); // 5 images, then the first two again
            assertEquals(7, b.count());
            assertEquals(DType.UINT8, b.dtype());
            assertEquals(7 * 12, b.values().length);
            for (int j = 0; j < 7; j++)
                for (int k = 0; k < 12; k++) assertEquals((byte) (((j % 5) * 7 + k) % 251), b.values()[j * 12 + k], "image " + j + " pixel " + k);
            assertArrayEquals(new byte[] {0, 1, 2, 3, 4, 0, 1}, b.labels());
            assertArrayEquals(new byte[] {2, 3}, f.next(2).labels(), "the next batch goes on where this one stopped");
        }
    }

    @Test
    void aMissingFolderOrFileSaysHowToInstallFashionMnist(@TempDir Path tmp) {
        for (Path dir : new Path[] {tmp.resolve("nowhere"), tmp}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.open("fashion-mnist", dir, 1));
            assertTrue(e.getMessage().startsWith("fashion-mnist: no "), e.getMessage());
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            assertTrue(e.getMessage().endsWith("(apt-get install dataset-fashion-mnist, or --data DIR)"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }
        assertFalse(FashionMnist.installed(tmp.resolve("nowhere")));
    }

    @Test
    void brokenIdxFilesAreNamed(@TempDir Path tmp) throws IOException {
        writeIdx(tmp, false, 5, 4, 3);
        Path images = tmp.resolve(FashionMnist.IMAGES);
        byte[] good = Files.readAllBytes(images);

        Files.write(images, Arrays.copyOf(good, good.length - 1));
        assertEquals("fashion-mnist: " + images + " is truncated", assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(tmp)).getMessage());

        byte[] labelsAsImages = good.clone();
        labelsAsImages[3] = 1;
        Files.write(images, labelsAsImages);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(tmp)).getMessage().contains("bad magic number"));

        byte[] negative = good.clone();
        negative[4] = (byte) 0x80;
        Files.write(images, negative);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(tmp)).getMessage().contains("impossible shape"));

        writeIdx(tmp, false, 5, 4, 3);
        Files.write(tmp.resolve(FashionMnist.LABELS), new byte[] {0, 0, 8, 1, 0, 0, 0, 4, 0, 1, 2, 3});
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(tmp)).getMessage().contains("5 images but"));
    }

    @Test
    void readsTheInstalledFashionMnist() throws IOException {
        assumeTrue(FashionMnist.installed(FashionMnist.DEFAULT_DIR), "dataset-fashion-mnist is not installed");
        Dataset f = Datasets.open("fashion-mnist", null, 1);
        assertEquals(60_000, f.epochSize());
        assertEquals(28, f.height());
        assertEquals(28, f.width());
        int[] perClass = new int[10];
        for (int i = 0; i < 60; i++) {
            Dataset.Batch b = f.next(1000);
            assertEquals(1000 * 784, b.values().length);
            for (byte label : b.labels()) perClass[label]++;
        }
        int[] expected = new int[10];
        Arrays.fill(expected, 6000);
        assertArrayEquals(expected, perClass, "Fashion-MNIST's training set has 6,000 images of each class");
    }

    @Test
    void shapesAreDrawnFromTheSeed() throws IOException {
        Dataset a = Datasets.open("shapes", null, 3), b = Datasets.open("shapes", null, 3);
        Dataset.Batch first = a.next(10);
        assertEquals(first.count(), b.next(10).count());
        assertArrayEquals(first.values(), Datasets.open("shapes", null, 3).next(10).values(), "same seed, same images");
        assertFalse(Arrays.equals(first.values(), Datasets.open("shapes", null, 4).next(10).values()), "another seed, other images");
        assertFalse(Arrays.equals(first.values(), a.next(10).values()), "the stream goes on");

        Dataset.Batch batch = Datasets.open("shapes", null, 4).next(200);
        assertEquals(28, batch.height());
        int[] kinds = new int[Shapes.KINDS];
        for (int i = 0; i < 200; i++) {
            kinds[batch.labels()[i]]++;
            int lit = 0, max = 0;
            for (int k = 0; k < 784; k++) {
                int v = batch.values()[i * 784 + k] & 0xff;
                if (v != 0) lit++;
                max = Math.max(max, v);
            }
            assertTrue(lit >= 10 && lit < 784 / 2, "image " + i + " has a shape on a black ground: " + lit + " pixels lit");
            assertTrue(max >= 128, "image " + i + " is bright enough: " + max);
        }
        for (int k : kinds) assertTrue(k > 20, "every kind of shape is drawn: " + Arrays.toString(kinds));
    }

    @Test
    void toySetsAreFloat32PointsFromToy2D() throws IOException {
        for (String name : new String[] {"8gaussians", "25gaussians", "swissroll"}) {
            Dataset d = Datasets.open(name, null, 1);
            assertEquals(name, d.name());
            assertTrue(Datasets.isToy(name));
            assertEquals(DType.FLOAT32, d.dtype());
            assertEquals(100_000, d.epochSize());
            Dataset.Batch b = d.next(256);
            assertNull(b.labels());
            assertEquals(4 * 2 * 256, b.values().length);
            double[] expected = Toy2D.byId(name).sample(new Rng(1), 256);
            ByteBuffer got = ByteBuffer.wrap(b.values()).order(ByteOrder.LITTLE_ENDIAN);
            for (double e : expected) assertEquals((float) e, got.getFloat());
        }
    }

    @Test
    void theLineGaussianIsFloat32PointsOfOneValue() throws IOException {
        Dataset d = Datasets.open(Gaussian1D.ID, null, 1);
        assertEquals("gaussian-1d", d.name());
        assertTrue(Datasets.isToy(d.name()));
        assertArrayEquals(new long[] {1, 1, 1}, Datasets.dataShape(d.name()));
        assertEquals(1, d.channels());
        assertEquals(1, d.height());
        assertEquals(1, d.width());
        assertEquals(DType.FLOAT32, d.dtype());
        assertEquals(100_000, d.epochSize());
        Dataset.Batch b = d.next(300);
        assertNull(b.labels());
        assertEquals(4 * 300, b.values().length);
        double[] expected = Gaussian1D.sample(new Rng(1), 300);
        ByteBuffer got = ByteBuffer.wrap(b.values()).order(ByteOrder.LITTLE_ENDIAN);
        double sum = 0;
        for (double e : expected) {
            float v = got.getFloat();
            assertEquals((float) e, v);
            sum += v;
        }
        assertEquals(Gaussian1D.REAL_MEAN, sum / 300, 0.15); // 5 standard errors of 0.5 / sqrt(300)
        assertArrayEquals(new long[] {1, 1, 2}, Datasets.dataShape("8gaussians"));
        assertArrayEquals(new long[] {1, 28, 28}, Datasets.dataShape("shapes"));
    }

    @Test
    void badNamesAndSizesAreRefusedByName() throws IOException {
        assertEquals("unknown dataset 'cifar' (datasets: fashion-mnist, shapes, 8gaussians, 25gaussians, swissroll, gaussian-1d)",
                assertThrows(IllegalArgumentException.class, () -> Datasets.open("cifar", null, 1)).getMessage());
        assertFalse(Datasets.isToy("shapes"));
        assertEquals("batch size must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> Datasets.open("shapes", null, 1).next(0)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new Dataset.Batch(2, 1, 1, 2, DType.FLOAT32, new byte[8], null)).getMessage().startsWith("batch values hold 8 bytes, expected 16"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new Dataset.Batch(2, 1, 1, 2, DType.UINT8, new byte[4], new byte[3])).getMessage().startsWith("batch labels hold 3 bytes"));
    }
}
