package io.wasserflow.pipeline.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.train.Interpolation;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.cli.Cli;
import io.wasserflow.pipeline.config.RunConfig;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** The report of an image run draws each experiment's saved generator along latent lines, from the run folder alone (no Fashion-MNIST needed). */
class ImageReportTest {
    static final String YAML = """
            data: {dataset: shapes}
            experiments:
              - {name: img, constraint: gp, architecture: {mlp: {depth: 1, width: 16}}, batch_size: 8, n_critic: 1, publish: {samples_every: 2}}
            """;

    @Test
    void interpolationGridStartsAndEndsAtTheSavedGeneratorsOutputs(@TempDir Path tmp) throws Exception {
        RunFixture run = RunFixture.train(tmp.resolve("work"), "r-img", YAML, 4);
        Path out = tmp.resolve("report");
        assertEquals(0, Cli.run("report", "--run", run.runId(), "--out", out.toString(), "--workdir", run.workdir().toString()));
        String md = Files.readString(out.resolve(Report.REPORT));
        assertTrue(md.contains("](interpolation-img.png)"), md);

        // the saved state, restored as report restores it, at the lines report draws (seed 0)
        RunConfig config = RunConfig.parse(YAML);
        Trainer saved = new Trainer(config.experiments().get(0), config.dataShape());
        saved.restoreState(Files.readAllBytes(run.dir().resolve("img.state")));
        assertEquals(run.trainers().get("img").parameterDigest(), saved.parameterDigest());
        Interpolation lines = Interpolation.draw(saved.config(), Report.INTERPOLATION_LINES, 0);
        float[] a = saved.generate(lines.from()).castTo(DataType.FLOAT).data().asFloat(), b = saved.generate(lines.to()).castTo(DataType.FLOAT).data().asFloat();

        BufferedImage grid = ImageIO.read(out.resolve("interpolation-img.png").toFile());
        int cols = Interpolation.STEPS, gap = 2, scale = (grid.getWidth() - gap * (cols + 1)) / (cols * 28), cell = 28 * scale + gap;
        assertEquals(Report.INTERPOLATION_LINES * cell + gap, grid.getHeight(), "one row a line");
        for (int r = 0; r < Report.INTERPOLATION_LINES; r++)
            for (int i = 0; i < 28; i += 3)
                for (int j = 0; j < 28; j += 3) {
                    int first = grid.getRGB(gap + j * scale, gap + r * cell + i * scale) & 0xFF;
                    int last = grid.getRGB(gap + (cols - 1) * cell + j * scale, gap + r * cell + i * scale) & 0xFF;
                    assertEquals(Math.round(255 * a[r * 784 + i * 28 + j]), first, 1, "line " + r + " start, pixel " + i + "," + j);
                    assertEquals(Math.round(255 * b[r * 784 + i * 28 + j]), last, 1, "line " + r + " end, pixel " + i + "," + j);
                }
    }
}
