package io.wasserflow.pipeline.cli;

import io.wasserflow.models.data.Gaussian1D;
import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Interpolation;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.models.util.Rng;
import io.wasserflow.pipeline.BadInputException;
import io.wasserflow.pipeline.run.RunDir;
import io.wasserflow.pipeline.run.RunFolder;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.render.LineSamples;
import io.wasserflow.pipeline.render.LatentLines;
import io.wasserflow.pipeline.render.SampleGrid;
import io.wasserflow.pipeline.render.Scatter;
import io.wasserflow.pipeline.source.Datasets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `wasserflow sample`: samples from a finished run's saved generator, with no broker or job: a PNG
 * (a grid of images, or a scatter over the true density for 2-D data) or the raw values as CSV;
 * with {@code --interpolate}, the generator along straight lines in its latent space
 * ({@link Interpolation}): a grid, one line a row, or for 2-D data the lines' points over the density.
 */
@Command(name = "sample", description = "Samples a finished run's saved generator: a PNG grid (a scatter over the true density for 2-D data), or the raw values, one sample a row. "
        + "With --interpolate: the generator along straight lines between pairs of latent points, one line a row of " + Interpolation.STEPS
        + " images (for 2-D data, the lines' points over the density).")
final class SampleCommand implements Callable<Integer> {
    @Mixin
    RunIdOption runOption;

    @Option(names = "--experiment", required = true, paramLabel = "NAME", description = "its experiment")
    String name;

    /** Lines of an interpolation grid: 8 rows of 10 images by default, near a square; at most 64, still a picture one can read. */
    static final int LINES = 8, MAX_LINES = 64;

    @Option(names = "--n", paramLabel = "N", description = "samples, 1 to 100000 (default 64); with --interpolate, lines, 1 to " + MAX_LINES + " (default " + LINES + ")")
    Integer n;

    @Option(names = "--interpolate", description = "draw the generator along straight lines between pairs of latent points (a PNG)")
    boolean interpolate;

    @Option(names = "--seed", paramLabel = "S", description = "the seed of the generator's noise")
    long seed = 0;

    @Option(names = "--out", required = true, paramLabel = "FILE.png|FILE.csv", description = "the picture or the values")
    Path out;

    @Mixin
    WorkdirOption workdirOption;

    @Override
    public Integer call() throws Exception {
        String runId = runOption.id;
        Path workdir = workdirOption.dir;
        String file = out.getFileName() == null ? "" : out.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean csv = file.endsWith(".csv");
        if (!csv && !file.endsWith(".png")) throw new BadInputException("--out must name a .png or a .csv file, not " + out);
        if (interpolate && csv) throw new BadInputException("--interpolate draws a picture: --out must name a .png file, not " + out);
        int n = this.n != null ? this.n : interpolate ? LINES : 64;
        if (interpolate && (n < 1 || n > MAX_LINES)) throw new BadInputException("--n must be between 1 and " + MAX_LINES + " lines with --interpolate, not " + n);
        if (n < 1 || n > 100_000) throw new BadInputException("--n must be between 1 and 100000, not " + n);

        RunDir dir = RunDir.of(workdir, runId);
        if (!Files.isDirectory(dir.dir())) throw new BadInputException("no run " + runId + " in " + RunDir.runs(workdir) + RunFolder.knownRuns(RunDir.runs(workdir)));
        RunConfig config = RunConfig.load(dir.config());
        ExperimentConfig c = config.experiments().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow(() -> new BadInputException(
                "run " + runId + " has no experiment " + name + " (it has " + String.join(", ", config.experiments().stream().map(ExperimentConfig::name).toList()) + ")"));
        if (interpolate && !c.trainsGenerator())
            throw new BadInputException("experiment " + name + " holds its generator fixed (a Gaussian, no latent space): --interpolate has nothing to draw");
        Path state = dir.state(name);
        if (state == null) throw new BadInputException("run " + runId + " saved no generator for " + name + " (no final state in " + dir.dir() + ": did the run finish?)");
        Trainer trainer = new Trainer(c, config.dataShape());
        trainer.restoreState(Files.readAllBytes(state));
        if (out.toAbsolutePath().getParent() != null) Files.createDirectories(out.toAbsolutePath().getParent());
        if (interpolate) {
            Files.write(out, LatentLines.png(trainer, Interpolation.draw(c, n, seed), config.dataset()));
            System.out.printf("%d lines of %d points through the latent space of %s (run %s, generator step %d) in %s%n", n, Interpolation.STEPS, name, runId,
                    trainer.generatorSteps(), out);
            return 0;
        }

        float[] v = trainer.sample(n, seed).castTo(DataType.FLOAT).data().asFloat();
        int perSample = v.length / n;
        if (csv) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < perSample; j++) s.append(j == 0 ? "" : ",").append(v[i * perSample + j]);
                s.append('\n');
            }
            Files.writeString(out, s);
        } else if (Datasets.isLine(config.dataset())) {
            double[] fake = new double[n];
            for (int i = 0; i < n; i++) fake[i] = v[i];
            Files.write(out, LineSamples.png(fake, Gaussian1D.sample(new Rng(seed), 1000), String.format(Locale.ROOT, "%s, generator step %d", name, trainer.generatorSteps())));
        } else if (Datasets.isToy(config.dataset())) {
            double[][] fake = new double[n][];
            for (int i = 0; i < n; i++) fake[i] = new double[] {v[2 * i], v[2 * i + 1]};
            double[] truth = Toy2D.byId(config.dataset()).sample(new Rng(seed), 1000);
            double[][] real = new double[truth.length / 2][];
            for (int i = 0; i < real.length; i++) real[i] = new double[] {truth[2 * i], truth[2 * i + 1]};
            Files.write(out, Scatter.png(fake, real, String.format(Locale.ROOT, "%s, generator step %d", name, trainer.generatorSteps())));
        } else {
            // the generator ends in a sigmoid: its pixels are grey levels in [0, 1], as the data's (uint8 / 255)
            long[] s = trainer.dataShape();
            Files.write(out, SampleGrid.png(v, n, (int) s[0], (int) s[1], (int) s[2], (int) Math.ceil(Math.sqrt(n))));
        }
        System.out.printf("%d samples of %s (run %s, generator step %d) in %s%n", n, name, runId, trainer.generatorSteps(), out);
        return 0;
    }
}
