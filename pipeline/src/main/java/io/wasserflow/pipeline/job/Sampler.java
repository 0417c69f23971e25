package io.wasserflow.pipeline.job;

import io.wasserflow.models.data.Gaussian1D;
import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.diagnostics.ToyQuality;
import io.wasserflow.models.quality.ClassCoverage;
import io.wasserflow.models.quality.FashionClassifier;
import io.wasserflow.models.quality.ImageQuality;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.models.util.Rng;
import io.wasserflow.pipeline.metrics.MetricRecords;
import io.wasserflow.pipeline.render.LineSamples;
import io.wasserflow.pipeline.render.SampleGrid;
import io.wasserflow.pipeline.render.Scatter;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.schemas.TrainingMetric;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples a generator for the pictures and the sample-quality measures: for 2-D toy data a scatter
 * over the true density and its modes, on the line histograms of generated and real values and their
 * exact W1, for images a grid and, for Fashion-MNIST, the Fréchet distance, the birthday test and the
 * quality classifier's classes (coverage, KL from uniform, the Inception-style score, each class's
 * share). Sampling draws its own noise, so it never moves training.
 */
final class Sampler {
    private static final Logger LOG = LoggerFactory.getLogger(Sampler.class);
    static final int TOY_SAMPLES = 1000, GRID = 64;

    /** A picture and the quality records of one generator step; a BiGAN's reconstructions picture (else null). */
    record Samples(byte[] png, List<TrainingMetric> quality, byte[] reconstructions) {
        Samples(byte[] png, List<TrainingMetric> quality) {
            this(png, quality, null);
        }
    }

    private final String runId, dataset;
    /** Fashion-MNIST's quality classifier (null for other data; completes with null when unavailable). */
    private final CompletableFuture<ImageQuality> imageQuality;
    private boolean waitingLogged;
    private final BiganDiagnostics bigan;

    Sampler(String runId, String dataset, CompletableFuture<ImageQuality> imageQuality) {
        this.runId = runId;
        this.dataset = dataset;
        this.imageQuality = imageQuality;
        this.bigan = new BiganDiagnostics(runId, dataset, io.wasserflow.pipeline.source.FashionMnist.DEFAULT_DIR);
    }

    /**
     * {@link #sample(Trainer)}, and for a BiGAN its errors, its reconstructions of {@code real} (the
     * latest critic batch) and, every few samples steps and at the {@code last}, its linear probe ({@link BiganDiagnostics}).
     */
    Samples sample(Trainer t, INDArray real, boolean last) {
        Samples s = sample(t);
        if (t.encoder() == null || real == null) return s;
        BiganDiagnostics.Result b = bigan.measure(t, real, last);
        List<TrainingMetric> quality = new ArrayList<>(s.quality());
        quality.addAll(b.quality());
        return new Samples(s.png(), quality, b.reconstructions());
    }

    Samples sample(Trainer t) {
        ExperimentConfig c = t.config();
        long g = t.generatorSteps();
        long[] s = t.dataShape();
        List<TrainingMetric> quality = new ArrayList<>();
        if (Datasets.isLine(dataset)) {
            double[] fake = t.sample(TOY_SAMPLES, c.seed() ^ g).castTo(DataType.DOUBLE).data().asDouble();
            double[] real = Gaussian1D.sample(new Rng(c.seed() + g), TOY_SAMPLES);
            double w1 = ToyQuality.w1OnTheLine(fake, real);
            quality.add(quality(t, "w1", w1));
            return new Samples(LineSamples.png(fake, real, String.format(Locale.ROOT, "%s, generator step %d: W1 %.4f", c.name(), g, w1)), quality);
        }
        if (Datasets.isToy(dataset)) {
            Toy2D data = Toy2D.byId(dataset);
            double[] xy = t.sample(TOY_SAMPLES, c.seed() ^ g).castTo(DataType.DOUBLE).data().asDouble();
            Rng rng = new Rng(c.seed() + g);
            ToyQuality q = ToyQuality.of(data, xy, rng);
            quality.add(quality(t, "modes", q.modes()));
            quality.add(quality(t, "high_quality_share", q.highQualityShare()));
            quality.add(quality(t, "w1", q.slicedW1()));
            double[][] fake = new double[TOY_SAMPLES / 2][], real = new double[TOY_SAMPLES][];
            for (int i = 0; i < fake.length; i++) fake[i] = new double[] {xy[2 * i], xy[2 * i + 1]};
            double[] truth = data.sample(rng, TOY_SAMPLES);
            for (int i = 0; i < real.length; i++) real[i] = new double[] {truth[2 * i], truth[2 * i + 1]};
            byte[] png = Scatter.png(fake, real, String.format(Locale.ROOT, "%s, generator step %d: %d/%d modes", c.name(), g, q.modes(), q.totalModes()));
            return new Samples(png, quality);
        }
        // the generator ends in a sigmoid: its pixels are grey levels in [0, 1], as the data's (uint8 / 255)
        float[] v = t.sample(GRID, c.seed() ^ g).castTo(DataType.FLOAT).data().asFloat();
        byte[] png = SampleGrid.png(v, GRID, (int) s[0], (int) s[1], (int) s[2], 8);
        if (imageQuality != null) imageQuality(t, quality);
        return new Samples(png, quality);
    }

    /**
     * The Fréchet distance of {@link ImageQuality#SAMPLES} generated images to the real feature
     * statistics, their near-duplicate pairs and their classes; skipped (one log line) while the classifier is
     * still being trained for the first time.
     */
    private void imageQuality(Trainer t, List<TrainingMetric> out) {
        ImageQuality q = imageQuality.getNow(null);
        if (q == null) {
            if (!imageQuality.isDone() && !waitingLogged) {
                waitingLogged = true;
                LOG.info("{}/{}: the quality classifier is still being trained; Fréchet distance, birthday test and class coverage from when it is ready", runId, t.config().name());
            }
            return;
        }
        ImageQuality.Result res = q.evaluate(t.sample(ImageQuality.SAMPLES, ~(t.config().seed() ^ t.generatorSteps())));
        out.add(quality(t, "frechet_distance", res.frechetDistance()));
        out.add(quality(t, "birthday_duplicates", res.birthdayDuplicates()));
        ClassCoverage classes = res.classes();
        out.add(quality(t, "classes_covered", classes.covered()));
        out.add(quality(t, "class_kl", classes.klFromUniform()));
        out.add(quality(t, "classifier_score", classes.score()));
        double[] shares = classes.shares();
        for (int k = 0; k < shares.length; k++)
            out.add(MetricRecords.classShare(runId, t.config().name(), t.generatorSteps(), t.criticSteps(), FashionClassifier.CLASS_NAMES.get(k), shares[k],
                    System.currentTimeMillis()));
    }

    private TrainingMetric quality(Trainer t, String measure, double value) {
        return MetricRecords.quality(runId, t.config().name(), t.generatorSteps(), t.criticSteps(), measure, value, System.currentTimeMillis());
    }

    /** The critic's landscape for 2-D data (null for images): {@link LandscapePicture}. */
    byte[] landscape(Trainer t) {
        return LandscapePicture.of(t, dataset);
    }
}
