package io.wasserflow.pipeline.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wasserflow.pipeline.cli.UsageException;
import io.wasserflow.schemas.DType;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
    static void writeIdx(Path dir, boolean gzip, int n) throws IOException {
        String ext = gzip ? ".gz" : "";
        try (DataOutputStream out = new DataOutputStream(open(dir.resolve("train-images-idx3-ubyte" + ext), gzip))) {
            out.writeInt(FashionMnist.IMAGES_MAGIC);
            out.writeInt(n);
            out.writeInt(28);
            out.writeInt(28);
            for (int i = 0; i < n * 28 * 28; i++) out.writeByte(i % 251);
        }
        try (DataOutputStream out = new DataOutputStream(open(dir.resolve("train-labels-idx1-ubyte" + ext), gzip))) {
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
    void readsIdxFilesGzippedOrNot(@TempDir Path tmp) throws IOException {
        for (boolean gzip : new boolean[] {true, false}) {
            Path dir = Files.createDirectories(tmp.resolve("gz" + gzip));
            writeIdx(dir, gzip, 5);
            FashionMnist f = FashionMnist.load(dir);
            assertEquals(5, f.epochSize());
            Dataset.Batch b = f.next(7); // wraps around the epoch
            assertEquals(7 * 784, b.values().length);
            assertEquals((byte) (784 % 251), b.values()[784]);
            assertArrayEquals(new byte[] {0, 1, 2, 3, 4, 0, 1}, b.labels());
        }
    }

    @Test
    void aMissingFolderSaysHowToInstallFashionMnist(@TempDir Path tmp) {
        UsageException e = assertThrows(UsageException.class, () -> FashionMnist.load(tmp));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
    }

    @Test
    void readsTheInstalledFashionMnist() throws IOException {
        assumeTrue(FashionMnist.installed(FashionMnist.DEFAULT_DIR), "dataset-fashion-mnist is not installed");
        FashionMnist f = FashionMnist.load(FashionMnist.DEFAULT_DIR);
        assertEquals(60_000, f.epochSize());
        assertEquals(28, f.height());
        Dataset.Batch b = f.next(64);
        assertEquals(64 * 784, b.values().length);
        for (byte label : b.labels()) assertTrue(label >= 0 && label < 10);
    }

    @Test
    void shapesAreDeterministicForASeed() throws IOException {
        Dataset a = Datasets.open("shapes", null, 3), b = Datasets.open("shapes", null, 3);
        assertArrayEquals(a.next(10).values(), b.next(10).values());
        Dataset.Batch batch = Datasets.open("shapes", null, 4).next(20);
        int lit = 0;
        for (byte v : batch.values()) if (v != 0) lit++;
        assertTrue(lit > 20 * 20, "shapes cover some pixels");
    }

    @Test
    void toySetsAreFloat32Points() throws IOException {
        Dataset d = Datasets.open("8gaussians", null, 1);
        assertEquals(DType.FLOAT32, d.dtype());
        assertEquals(100_000, d.epochSize());
        assertEquals(4 * 2 * 256, d.next(256).values().length);
        assertThrows(UsageException.class, () -> Datasets.open("cifar", null, 1));
    }
}
