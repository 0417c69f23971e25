package io.wasserflow.pipeline.job;

import io.wasserflow.models.quality.FashionClassifier;
import io.wasserflow.models.quality.LinearProbe;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.metrics.MetricRecords;
import io.wasserflow.pipeline.render.SampleGrid;
import io.wasserflow.pipeline.render.Scatter;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.FashionMnist;
import io.wasserflow.schemas.TrainingMetric;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A BiGAN's diagnostics (SCIENCE.md, BiGAN), beside its samples: at every samples step the
 * reconstruction error mean ||x - G(E(x))|| on the latest real batch, the latent error
 * mean ||z - E(G(z))|| on fresh latent points, and a picture of x above G(E(x)); on Fashion-MNIST,
 * every {@link #PROBE_EVERY}th samples step and at the last, the linear probe's test accuracy on
 * frozen E(x) features ({@code probe_accuracy}) and on those of the same encoder as initialised,
 * untrained ({@code probe_accuracy_random}, once per experiment: random convolutional features
 * are already strong on Fashion-MNIST). The probe's subsets are small ({@link #PROBE_TRAIN} training,
 * {@link #PROBE_TEST} test images) so that it costs seconds, not a stalled stream.
 */
final class BiganDiagnostics {
    private static final Logger LOG = LoggerFactory.getLogger(BiganDiagnostics.class);
    /** The probe runs at every PROBE_EVERY-th samples step: coarser than the errors, off the per-step path. */
    static final int PROBE_EVERY = 5;
    static final int PROBE_TRAIN = 2000, PROBE_TEST = 1000;
    static final int LATENT_POINTS = 256;
    /** Real images (above) and their reconstructions (below) in the picture, rows of {@link #COLUMNS}. */
    static final int PICTURE_IMAGES = 32, COLUMNS = 8;
    static final String RECONSTRUCTIONS = "reconstructions";

    /** The probe's labelled subsets, read once per JVM (null when Fashion-MNIST is not installed). */
    private static volatile ProbeSets probeSets;
    private static boolean probeSkipLogged;

    private record ProbeSets(LinearProbe.Set train, LinearProbe.Set test) {}

    /** A samples step's records and picture (null for data it cannot draw). */
    record Result(List<TrainingMetric> quality, byte[] reconstructions) {}

    private final String runId, dataset;
    private final Path fashionDir;
    /** The untrained encoder's probe accuracy, per experiment. */
    private final Map<String, Double> randomBaseline = new HashMap<>();

    BiganDiagnostics(String runId, String dataset, Path fashionDir) {
        this.runId = runId;
        this.dataset = dataset;
        this.fashionDir = fashionDir;
    }

    /**
     * @param real the latest critic batch [B, C, H, W]
     * @param last whether this is the run's last samples step (the probe runs then too)
     */
    Result measure(Trainer t, INDArray real, boolean last) {
        ExperimentConfig c = t.config();
        long g = t.generatorSteps();
        List<TrainingMetric> out = new ArrayList<>();
        out.add(quality(t, "reconstruction_error", t.reconstructionError(real)));
        out.add(quality(t, "latent_error", t.latentError(LATENT_POINTS, ~c.seed() ^ g)));
        byte[] picture = picture(t, real);
        if (probeDue(g, c.publish().samplesEvery(), last) && "fashion-mnist".equals(dataset)) probe(t, out);
        return new Result(out, picture);
    }

    /** At generator step g: every PROBE_EVERY-th samples step (0, 5 x samples_every, ...) and the last. */
    static boolean probeDue(long g, int samplesEvery, boolean last) {
        return last || (samplesEvery > 0 && g % ((long) samplesEvery * PROBE_EVERY) == 0);
    }

    private byte[] picture(Trainer t, INDArray real) {
        long[] s = t.dataShape();
        INDArray recon = t.reconstruct(real).castTo(DataType.FLOAT);
        if (Datasets.isToy(dataset)) {
            double[] x = real.castTo(DataType.DOUBLE).data().asDouble(), r = recon.castTo(DataType.DOUBLE).data().asDouble();
            double[][] xs = new double[x.length / 2][], rs = new double[r.length / 2][];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = new double[] {x[2 * i], x[2 * i + 1]};
                rs[i] = new double[] {r[2 * i], r[2 * i + 1]};
            }
            return Scatter.png(rs, xs, String.format(Locale.ROOT, "%s, generator step %d: G(E(x)) (blue) over x (grey)", t.config().name(), t.generatorSteps()));
        }
        if (!io.wasserflow.models.nets.Networks.isImage(s)) return null; // points on the line
        int n = (int) Math.min(PICTURE_IMAGES, real.size(0));
        int cols = Math.min(COLUMNS, n);
        n -= n % cols;
        int size = (int) (s[0] * s[1] * s[2]);
        float[] x = real.castTo(DataType.FLOAT).dup('c').data().asFloat(), r = recon.dup('c').data().asFloat();
        float[] grid = new float[2 * n * size];
        int k = 0;
        for (int row = 0; row < n / cols; row++) { // a row of real images, then the row of their reconstructions
            System.arraycopy(x, row * cols * size, grid, k, cols * size);
            k += cols * size;
            System.arraycopy(r, row * cols * size, grid, k, cols * size);
            k += cols * size;
        }
        return SampleGrid.png(grid, 2 * n, (int) s[0], (int) s[1], (int) s[2], cols);
    }

    private void probe(Trainer t, List<TrainingMetric> out) {
        ProbeSets sets = probeSets();
        if (sets == null) return;
        long t0 = System.nanoTime();
        double trained = LinearProbe.accuracy(x -> t.encode(x), sets.train, sets.test, FashionClassifier.CLASSES);
        Double random = randomBaseline.get(t.config().name());
        if (random == null) { // the very encoder this experiment started from
            random = LinearProbe.accuracy(new Trainer(t.config(), t.dataShape()).encoder(), sets.train, sets.test, FashionClassifier.CLASSES);
            randomBaseline.put(t.config().name(), random);
        }
        out.add(quality(t, "probe_accuracy", trained));
        out.add(quality(t, "probe_accuracy_random", random));
        LOG.info("{}/{}: linear probe at generator step {}: {} (random encoder {}), {} s", runId, t.config().name(), t.generatorSteps(),
                trained, random, String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));
    }

    /** The first PROBE_TRAIN training images and the first PROBE_TEST test images (training images past the subset when the test files are missing). */
    private ProbeSets probeSets() {
        if (probeSets != null) return probeSets;
        synchronized (BiganDiagnostics.class) {
            if (probeSets != null || probeSkipLogged) return probeSets;
            try {
                if (!FashionMnist.installed(fashionDir)) throw new java.io.IOException("no Fashion-MNIST in " + fashionDir);
                FashionMnist train = FashionMnist.load(fashionDir);
                FashionMnist test = FashionMnist.testInstalled(fashionDir) ? FashionMnist.loadTest(fashionDir) : null;
                probeSets = new ProbeSets(set(train.images(0, PROBE_TRAIN)), set(test != null ? test.images(0, PROBE_TEST) : train.images(PROBE_TRAIN, PROBE_TEST)));
            } catch (java.io.IOException | RuntimeException e) {
                probeSkipLogged = true;
                String line = "linear probe skipped: " + e.getMessage();
                System.out.println(line);
                LOG.warn(line);
            }
            return probeSets;
        }
    }

    private static LinearProbe.Set set(io.wasserflow.models.quality.ImageQuality.Images images) {
        return new LinearProbe.Set(Nd4j.create(images.pixels(), new long[] {images.count(), 1, FashionClassifier.SIDE, FashionClassifier.SIDE}, 'c'), images.labels());
    }

    private TrainingMetric quality(Trainer t, String measure, double value) {
        return MetricRecords.quality(runId, t.config().name(), t.generatorSteps(), t.criticSteps(), measure, value, System.currentTimeMillis());
    }
}
