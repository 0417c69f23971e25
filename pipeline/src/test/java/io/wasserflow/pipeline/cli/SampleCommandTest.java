package io.wasserflow.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Interpolation;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.config.RunConfig;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** `sample` reads a finished run's folder alone: exactly the saved generator's samples, as CSV or PNG; bad requests get one line. */
class SampleCommandTest {
    static final String YAML = """
            data: {dataset: 8gaussians}
            experiments:
              - {name: gp, constraint: gp, architecture: {mlp: {depth: 2, width: 32}}, batch_size: 32}
              - {name: unfinished, constraint: gp, architecture: {mlp: {depth: 2, width: 32}}, batch_size: 32}
            """;

    @TempDir
    static Path workdir;
    static Trainer trained;

    /** A run folder as a finished run leaves it: its config, and the state of the experiments that ended (not "unfinished"). */
    @BeforeAll
    static void finishedRun() throws Exception {
        RunConfig config = RunConfig.parse(YAML);
        ExperimentConfig c = config.experiments().get(0);
        trained = new Trainer(c, config.dataShape());
        Nd4j.getRandom().setSeed(3);
        for (int i = 0; i < 12; i++) trained.step(Nd4j.randn(DataType.FLOAT, 32, 1, 1, 2));
        Path dir = workdir.resolve("runs").resolve("r-1");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.yaml"), YAML);
        Files.write(dir.resolve("gp.state"), trained.saveState());
    }

    static String[] sample(String... more) {
        List<String> argv = new java.util.ArrayList<>(List.of("sample", "--workdir", workdir.toString()));
        argv.addAll(List.of(more));
        return argv.toArray(String[]::new);
    }

    @Test
    void csvHoldsExactlyTheSavedGeneratorsSamples() throws Exception {
        Path out = workdir.resolve("out/gp.csv");
        assertEquals(0, Main.run(sample("--run", "r-1", "--experiment", "gp", "--n", "10", "--seed", "5", "--out", out.toString())));
        List<String> rows = Files.readAllLines(out);
        float[] expected = trained.sample(10, 5).castTo(DataType.FLOAT).data().asFloat();
        assertEquals(10, rows.size());
        for (int i = 0; i < 10; i++) {
            String[] xy = rows.get(i).split(",");
            assertEquals(2, xy.length, rows.get(i));
            assertEquals(expected[2 * i], Float.parseFloat(xy[0]), 0, "row " + i);
            assertEquals(expected[2 * i + 1], Float.parseFloat(xy[1]), 0, "row " + i);
        }
    }

    /** An image generator's pixels are grey levels in [0, 1] (a sigmoid, like the data's uint8 / 255): the grid draws them as they are. */
    @Test
    void imageGridDrawsTheGeneratorsPixelsAsGreyLevels() throws Exception {
        String yaml = """
                data: {dataset: shapes}
                experiments:
                  - {name: img, constraint: gp, architecture: {mlp: {depth: 1, width: 16}}, batch_size: 4}
                """;
        RunConfig config = RunConfig.parse(yaml);
        Trainer t = new Trainer(config.experiments().get(0), config.dataShape());
        Path dir = workdir.resolve("runs").resolve("r-img");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.yaml"), yaml);
        Files.write(dir.resolve("img.state"), t.saveState());
        Path out = workdir.resolve("img.png");
        assertEquals(0, Main.run(sample("--run", "r-img", "--experiment", "img", "--n", "1", "--seed", "2", "--out", out.toString())));
        float[] v = t.sample(1, 2).castTo(DataType.FLOAT).data().asFloat();
        BufferedImage image = ImageIO.read(out.toFile());
        // one 28x28 image scaled by a whole factor after a gap: its top-left pixel is at (gap, gap), the bottom-right one at the far corner
        int scale = (image.getWidth() - 2 * 2) / 28, gap = (image.getWidth() - 28 * scale) / 2;
        for (int[] ij : new int[][] {{0, 0}, {13, 14}, {27, 27}, {5, 20}}) {
            int grey = image.getRGB(gap + ij[1] * scale, gap + ij[0] * scale) & 0xFF;
            assertEquals(Math.round(255 * v[ij[0] * 28 + ij[1]]), grey, "pixel " + ij[0] + "," + ij[1]);
        }
    }

    @Test
    void pngIsAScatterOverTheTrueDensity() throws Exception {
        Path out = workdir.resolve("gp.png");
        assertEquals(0, Main.run(sample("--run", "r-1", "--experiment", "gp", "--out", out.toString())));
        BufferedImage image = ImageIO.read(out.toFile());
        assertNotNull(image, "a PNG");
        assertTrue(image.getWidth() >= 200 && image.getHeight() >= 200, image.getWidth() + "x" + image.getHeight());
    }

    /** A run folder holding one finished image experiment (an MLP generator: no batch norm, so a point's output does not depend on its batch). */
    static Trainer imageRun(String runId, String name) throws Exception {
        String yaml = """
                data: {dataset: shapes}
                experiments:
                  - {name: %s, constraint: gp, architecture: {mlp: {depth: 1, width: 16}}, batch_size: 4}
                """.formatted(name);
        RunConfig config = RunConfig.parse(yaml);
        Trainer t = new Trainer(config.experiments().get(0), config.dataShape());
        Path dir = workdir.resolve("runs").resolve(runId);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.yaml"), yaml);
        Files.write(dir.resolve(name + ".state"), t.saveState());
        return t;
    }

    /** The grey level of pixel (i, j) of image (row, col) of a grid of 28x28 images drawn by SampleGrid with cols columns. */
    static int grey(BufferedImage grid, int cols, int row, int col, int i, int j) {
        int gap = 2, scale = (grid.getWidth() - gap * (cols + 1)) / (cols * 28), cell = 28 * scale + gap;
        return grid.getRGB(gap + col * cell + j * scale, gap + row * cell + i * scale) & 0xFF;
    }

    @Test
    void interpolationRowsRunBetweenTheGeneratorsOutputsAtTheEndpoints() throws Exception {
        Trainer t = imageRun("r-lines", "img");
        Path out = workdir.resolve("lines.png");
        assertEquals(0, Main.run(sample("--run", "r-lines", "--experiment", "img", "--interpolate", "--n", "3", "--seed", "4", "--out", out.toString())));
        BufferedImage grid = ImageIO.read(out.toFile());
        int cols = Interpolation.STEPS;
        Interpolation lines = Interpolation.draw(t.config(), 3, 4);
        float[] a = t.generate(lines.from()).castTo(DataType.FLOAT).data().asFloat(), b = t.generate(lines.to()).castTo(DataType.FLOAT).data().asFloat();
        int plane = 28 * 28, differs = 0;
        for (int r = 0; r < 3; r++)
            for (int i = 0; i < 28; i++)
                for (int j = 0; j < 28; j++) {
                    // first column: z_a, last: z_b (grey levels: one level of rounding apart at most, from the batch's float sums)
                    assertEquals(Math.round(255 * a[r * plane + i * 28 + j]), grey(grid, cols, r, 0, i, j), 1, "line " + r + " start, pixel " + i + "," + j);
                    assertEquals(Math.round(255 * b[r * plane + i * 28 + j]), grey(grid, cols, r, cols - 1, i, j), 1, "line " + r + " end, pixel " + i + "," + j);
                    if (Math.abs(grey(grid, cols, r, cols / 2, i, j) - grey(grid, cols, r, 0, i, j)) > 2) differs++;
                }
        assertTrue(differs > 0, "the middle of a line differs from its start");
        assertEquals(3 * (28 * ((grid.getWidth() - 2 * (cols + 1)) / (cols * 28)) + 2) + 2, grid.getHeight(), "one row a line");

        Path again = workdir.resolve("lines-again.png"), other = workdir.resolve("lines-other.png");
        assertEquals(0, Main.run(sample("--run", "r-lines", "--experiment", "img", "--interpolate", "--n", "3", "--seed", "4", "--out", again.toString())));
        assertEquals(0, Main.run(sample("--run", "r-lines", "--experiment", "img", "--interpolate", "--n", "3", "--seed", "5", "--out", other.toString())));
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(out), Files.readAllBytes(again)), "the same seed draws the same grid");
        assertTrue(!java.util.Arrays.equals(Files.readAllBytes(out), Files.readAllBytes(other)), "another seed, other lines");
    }

    @Test
    void interpolationOfTwoDimensionalDataIsAScatterOfTheLines() throws Exception {
        Path out = workdir.resolve("gp-lines.png");
        assertEquals(0, Main.run(sample("--run", "r-1", "--experiment", "gp", "--interpolate", "--out", out.toString())));
        BufferedImage image = ImageIO.read(out.toFile());
        assertNotNull(image, "a PNG");
        assertTrue(image.getWidth() >= 200 && image.getHeight() >= 200, image.getWidth() + "x" + image.getHeight());
    }

    @Test
    void badInterpolationRequestsGetOneLine() {
        MainTest.assertOneLineError(MainTest.run(sample("--run", "r-1", "--experiment", "gp", "--interpolate", "--out", "x.csv")),
                "--interpolate draws a picture: --out must name a .png file");
        MainTest.assertOneLineError(MainTest.run(sample("--run", "r-1", "--experiment", "gp", "--interpolate", "--n", "65", "--out", "x.png")),
                "--n must be between 1 and 64 lines with --interpolate");
        MainTest.assertOneLineError(MainTest.run(sample("--run", "r-1", "--experiment", "gp", "--interpolate", "--n", "0", "--out", "x.png")),
                "--n must be between 1 and 64 lines with --interpolate");
        MainTest.assertOneLineError(MainTest.run(sample("--run", "r-1", "--experiment", "unfinished", "--interpolate", "--out", "x.png")),
                "saved no generator for unfinished");
    }

    @Test
    void badRequestsGetOneLine() {
        MainTest.assertOneLineError(MainTest.run(sample("--run", "r-9", "--experiment", "gp", "--out", "x.png")), "no run r-9");
        MainTest.assertOneLineError(MainTest.run(sample("--run", "r-1", "--experiment", "clip", "--out", "x.png")), "has no experiment clip (it has gp, unfinished)");
        MainTest.assertOneLineError(MainTest.run(sample("--run", "r-1", "--experiment", "unfinished", "--out", "x.png")), "saved no generator for unfinished");
        MainTest.assertOneLineError(MainTest.run(sample("--run", "r-1", "--experiment", "gp", "--out", "x.jpg")), "--out must name a .png or a .csv file");
        MainTest.assertOneLineError(MainTest.run(sample("--run", "r-1", "--experiment", "gp", "--n", "0", "--out", "x.png")), "--n must be between 1 and 100000");
        MainTest.assertOneLineError(MainTest.run(sample("--run", "r-1", "--experiment", "gp", "--seed", "x", "--out", "x.png")), "--seed must be a whole number");
        MainTest.assertOneLineError(MainTest.run(sample("--experiment", "gp", "--out", "x.png")), "--run is required");
    }
}
