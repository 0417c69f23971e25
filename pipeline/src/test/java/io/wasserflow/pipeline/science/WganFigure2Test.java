package io.wasserflow.pipeline.science;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.data.Gaussian1D;
import io.wasserflow.models.diagnostics.LineProfile;
import io.wasserflow.pipeline.cli.Cli;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.report.LineProfiles;
import io.wasserflow.pipeline.report.ReadBack;
import io.wasserflow.pipeline.testing.PresetDemo;
import io.wasserflow.pipeline.run.RunDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Figure 2 of the WGAN paper (SCIENCE.md, part two) through the real pipeline: {@code wasserflow
 * demo --config wgan-figure2} (the preset as the jar ships it: real N(2, 0.5) streamed through an
 * embedded Kafka broker into the Flink job on a MiniCluster, the fake held fixed at N(-2, 0.5), a
 * minimax GAN discriminator and a clipped WGAN critic side by side on the reference toy networks),
 * shortened for CI to {@value #STEPS} critic steps (with a fixed generator, --steps counts critic
 * steps), then {@code wasserflow report}. The functions are read from the run folder's saved
 * critics exactly as the report's Figure 2 reads them.
 * <p>
 * What the paper shows and this checks: the discriminator separates the modes (D near 0 at the
 * fakes, near 1 at the reals) and its slope and the minimax generator's gradient at the fake mode
 * are orders of magnitude below its own mean slope between the modes, while the clipped critic's
 * slope there is about its mean slope. The model-level Figure2SlopesTest measured, at 120 critic
 * steps, 1e-6 and 0.6 for these ratios.
 */
class WganFigure2Test {
    static final int STEPS = 120;
    static final double MU_R = Gaussian1D.REAL_MEAN, MU_F = Gaussian1D.FAKE_MEAN;

    @TempDir
    static Path workdir;
    static String runId;
    static Map<String, LineProfiles.Entry> profiles;
    static Path report;

    @BeforeAll
    static void runThePresetAndItsReport() throws Exception {
        assertEquals(0, Cli.run("demo", "--config", "wgan-figure2", "--steps", String.valueOf(STEPS), "--workdir", workdir.toString()));
        runId = PresetDemo.onlyRunId(workdir);
        RunDir dir = RunDir.of(workdir, runId);
        profiles = LineProfiles.of(dir, RunConfig.load(dir.config()));
        report = workdir.resolve("report");
        assertEquals(0, Cli.run("report", "--run", runId, "--out", report.toString(), "--workdir", workdir.toString()));
        profiles.forEach((name, e) -> System.out.printf(Locale.ROOT, "WganFigure2Test: %s D(mu_f) %.3g D(mu_r) %.6f, at mu_f over the mean slope: |dD/dx| %.3g, generator %.3g%n",
                name, e.profile().dAt(MU_F), e.profile().dAt(MU_R), relativeSlope(e.profile()), e.profile().absGeneratorGradientAt(MU_F) / meanSlope(e.profile())));
    }

    static double meanSlope(LineProfile p) {
        return Math.abs(p.meanSlope(MU_F, MU_R));
    }

    static double relativeSlope(LineProfile p) {
        return p.absSlopeAt(MU_F) / meanSlope(p);
    }

    @Test
    void eachCriticTrainedTheGivenStepsAgainstTheFixedFakeAndNoGeneratorStep() throws Exception {
        Map<String, ReadBack.Experiment> run = ReadBack.read(workdir, runId);
        assertEquals(List.of("gan-minimax", "wgan-clip"), List.copyOf(run.keySet()));
        for (ReadBack.Experiment e : run.values()) {
            assertEquals(STEPS, e.criticSteps(), e.config().name());
            assertEquals(0, e.generatorSteps(), e.config().name());
        }
        assertEquals(List.of("gan-minimax", "wgan-clip"), List.copyOf(profiles.keySet()));
        for (LineProfiles.Entry e : profiles.values()) assertEquals(MU_F, e.fakeMean());
    }

    @Test
    void aFixedGeneratorHasNoLatentLinesToDraw() {
        Cli.Outcome o = Cli.capture("sample", "--run", runId, "--experiment", "gan-minimax", "--interpolate", "--out",
                workdir.resolve("lines.png").toString(), "--workdir", workdir.toString());
        assertEquals(2, o.code(), o.toString());
        assertEquals("wasserflow sample: experiment gan-minimax holds its generator fixed (a Gaussian, no latent space): --interpolate has nothing to draw", o.err());
    }

    @Test
    void theDiscriminatorSeparatesTheModes() {
        LineProfile gan = profiles.get("gan-minimax").profile();
        assertTrue(gan.dAt(MU_F) < 0.01, "D(mu_f) " + gan.dAt(MU_F));
        assertTrue(gan.dAt(MU_R) > 0.99, "D(mu_r) " + gan.dAt(MU_R));
    }

    @Test
    void atTheFakesTheDiscriminatorsSlopeVanishesAndTheClippedCriticsDoesNot() {
        LineProfile gan = profiles.get("gan-minimax").profile(), wgan = profiles.get("wgan-clip").profile();
        double ganSlope = relativeSlope(gan), ganGenerator = gan.absGeneratorGradientAt(MU_F) / meanSlope(gan), wganSlope = relativeSlope(wgan);
        String measured = String.format(Locale.ROOT, "GAN |dD/dx| %.3g, minimax generator gradient %.3g, WGAN |dD/dx| %.3g (each over its mean slope)", ganSlope, ganGenerator, wganSlope);
        assertTrue(ganSlope < 1e-4, measured);
        assertTrue(ganGenerator < 1e-4, measured);
        assertTrue(wganSlope > 0.3 && wganSlope < 3, measured);
        assertTrue(ganSlope < 1e-3 * wganSlope, measured);
    }

    @Test
    void theReportDrawsFigure2AndSaysWhatItShows() throws Exception {
        String md = Files.readString(report.resolve("report.md"));
        assertTrue(md.contains("## Discriminator and critic along the line (WGAN Figure 2)"), md);
        assertTrue(md.contains("![discriminator and critic along the line](figure2-functions.png)"), md);
        assertTrue(md.contains("![slopes and generator gradients on a log axis](figure2-gradients.png)"), md);
        assertTrue(md.contains("| gan-minimax | gan-minimax | -2 |"), md);
        assertTrue(md.contains("| wgan-clip | wgan | -2 |"), md);
        for (String png : List.of("figure2-functions.png", "figure2-gradients.png")) {
            byte[] b = Files.readAllBytes(report.resolve(png));
            assertTrue(b.length > 1000 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G', png + " is a PNG of " + b.length + " bytes");
        }
    }
}
