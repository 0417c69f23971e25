package io.wasserflow.pipeline.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.pipeline.cli.Cli;
import io.wasserflow.pipeline.config.Sweep;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `report` on a finished small sweep made by real trainers: the success-rate chart, the table per method, the settings that fail. */
class SweepReportTest {
    /**
     * Three methods over a grid of two learning rates on 8gaussians, small MLPs: a rate of 1e-6
     * cannot move the generator in 60 steps, so every method fails there. (Covering 7 of 8 modes
     * takes hundreds of steps, more than a test may spend: which of the faster settings succeed is
     * read from the records, not assumed.)
     */
    static final String YAML = """
            data: {dataset: 8gaussians}
            experiments:
              - {name: gan, loss: gan, architecture: {mlp: {depth: 2, width: 64}}, init: pytorch, batch_size: 64, publish: {histograms_every: 0, samples_every: 20}}
              - {name: wgan-clip, constraint: clip, architecture: {mlp: {depth: 2, width: 64}}, init: pytorch, batch_size: 64, publish: {histograms_every: 0, samples_every: 20}}
              - {name: wgan-gp, constraint: gp, architecture: {mlp: {depth: 2, width: 64}}, init: pytorch, batch_size: 64, publish: {histograms_every: 0, samples_every: 20}}
            sweep:
              lr: [1e-6, 3e-3]
            """;
    static final int GENERATOR_STEPS = 60;

    @TempDir
    Path tmp;

    @Test
    void theReportOfASweepDrawsTheSuccessChartAndListsTheSettingsThatFail() throws Exception {
        RunFixture run = RunFixture.train(tmp.resolve("work"), "r-sweep", YAML, GENERATOR_STEPS);
        Path out = tmp.resolve("report");
        assertEquals(0, Cli.run("report", "--run", run.runId(), "--out", out.toString(), "--workdir", run.workdir().toString()));
        String md = Files.readString(out.resolve(Report.REPORT));
        Path keep = Path.of("target", "sweep-report-test"); // a copy for a human to look at
        Files.createDirectories(keep);
        Files.writeString(keep.resolve(Report.REPORT), md);
        Files.copy(out.resolve(SweepReport.CHART), keep.resolve(SweepReport.CHART), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        BufferedImage chart = ImageIO.read(out.resolve(SweepReport.CHART).toFile());
        assertNotNull(chart, "the chart decodes as a PNG");
        assertEquals(800, chart.getWidth());
        assertTrue(md.contains("![share of settings that succeed, by method](" + SweepReport.CHART + ")"), md);

        // the table's counts are the records': modes covered at the last samples step, at least 7 of 8
        Sweep sweep = run.config().sweep();
        List<String> failing = new ArrayList<>();
        for (String method : sweep.methods()) {
            int n = 0, succeeded = 0;
            for (Sweep.Member m : sweep.members()) {
                if (!m.method().equals(method)) continue;
                n++;
                double modes = run.last(m.experiment(), "wasserflow_sample_quality", "modes");
                if (modes >= 7) succeeded++;
                else failing.add(String.format(Locale.ROOT, "| %s | %s | `%s` | %d/8 modes |", method, m.experiment(), m.label(), Math.round(modes)));
            }
            assertEquals(2, n);
            String row = String.format(Locale.ROOT, "| %s | %d | %d | %.0f%% | ", method, n, succeeded, 100.0 * succeeded / n);
            assertTrue(md.contains(row), "the row of " + method + ": " + row + "\n" + md);
        }
        // the slow rate fails for every method, and the table says so, with the setting
        for (String method : sweep.methods()) assertTrue(failing.stream().anyMatch(f -> f.contains(method + "-lr1e-6")), method + " at lr 1e-6 fails");
        for (String row : failing) assertTrue(md.contains(row), "listed as failing: " + row + "\n" + md);
        assertEquals(failing.size(), md.lines().filter(l -> l.matches("\\| [a-z-]+ \\| [a-z-]+-lr[0-9e.-]+ \\| `lr=.*` \\| .* \\|")).count(), "only the failing settings listed");
        // a Wasserstein method has a rank correlation across settings (its two settings: too few, so '–') and over training
        assertTrue(md.matches("(?s).*\\| wgan-gp \\| 2 \\| \\d \\| \\d+% \\| – \\| -?[01]\\.\\d\\d \\(2\\) \\|.*"), md);
        assertTrue(md.matches("(?s).*\\| gan \\| 2 \\| \\d \\| \\d+% \\| – \\| – \\|.*"), "a GAN has no estimate: " + md);
        // and a run without a sweep has no such section
        RunFixture plain = RunFixture.train(tmp.resolve("work"), "r-plain", YAML.substring(0, YAML.indexOf("sweep:")), 20);
        Path plainOut = tmp.resolve("plain");
        assertEquals(0, Cli.run("report", "--run", plain.runId(), "--out", plainOut.toString(), "--workdir", plain.workdir().toString()));
        assertFalse(Files.readString(plainOut.resolve(Report.REPORT)).contains("## Sweep"));
        assertFalse(Files.exists(plainOut.resolve(SweepReport.CHART)));
    }
}
