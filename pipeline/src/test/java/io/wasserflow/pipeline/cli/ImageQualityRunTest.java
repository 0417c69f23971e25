package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.run.RunDir;
import static io.wasserflow.pipeline.testing.TinyConfigs.gp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wasserflow.models.quality.ClassCoverage;
import io.wasserflow.models.quality.FashionClassifier;
import io.wasserflow.models.quality.ImageQuality;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.FashionMnist;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import io.wasserflow.pipeline.testing.TestBroker;
import io.wasserflow.pipeline.testing.TinyConfigs;
import io.wasserflow.schemas.TrainingMetric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * `wasserflow train` on Fashion-MNIST publishes the Fréchet distance, the birthday test, the class
 * measures and the class shares at the samples cadence, and the report draws them, with the
 * classifier from the workdir's cache (a cheap one written here: the job's own recipe trains on
 * all 60,000 images, which a test should not wait for).
 */
class ImageQualityRunTest {
    @RegisterExtension
    static final TestBroker BROKER = new TestBroker();
    static final String YAML = TinyConfigs.config("fashion-mnist", "fashion.images",
            gp().named("small").mlp(1, 32).batchSize(32).nCritic(1).publish("{samples_every: 2}"));

    @BeforeAll
    static void produce() throws Exception {
        assumeTrue(FashionMnist.installed(FashionMnist.DEFAULT_DIR), "Fashion-MNIST is not installed");
        var data = Datasets.open("fashion-mnist", null, 1);
        ImageBatchProducer.produce(BROKER.bootstrap(), data, "fashion.images", 32, 8.0 * 32 / data.epochSize(), null); // 8 records
    }

    @Test
    void frechetDistanceAndDuplicatesArePublishedAtTheSamplesCadence(@TempDir Path tmp) throws Exception {
        assumeTrue(System.getenv("WASSERFLOW_CACHE") == null);
        Path work = tmp.resolve("work");
        ImageQuality.Images few = FashionMnist.load(FashionMnist.DEFAULT_DIR).images().first(1024);
        FashionClassifier c = new FashionClassifier(1);
        c.train(few.pixels(), few.labels(), 1, 64, 1e-3, 2, null);
        ImageQuality.calibrate(c, few, Double.NaN).write(work.resolve("cache").resolve(ImageQuality.DEFAULT.fileName()));

        Path config = tmp.resolve("run.yaml");
        Files.writeString(config, YAML);
        assertEquals(0, Main.run(new String[] {"train", "--bootstrap", BROKER.bootstrap(), "--config", config.toString(), "--from", "earliest",
                "--run-id", "r-fid", "--workdir", work.toString()}));

        List<TrainingMetric> metrics = new ArrayList<>();
        io.wasserflow.pipeline.run.RunFolder.forEachMetric(work.resolve("runs/r-fid").resolve(RunDir.METRICS), metrics::add); // the file as report reads it
        // 8 records x 32 images / batch 32 = 8 steps, one critic step per generator step: samples at 2, 4, 6, 8
        for (String measure : List.of("frechet_distance", "birthday_duplicates", "classes_covered", "class_kl", "classifier_score")) {
            List<TrainingMetric> q = metrics.stream().filter(m -> m.getName().equals("wasserflow_sample_quality") && m.getLabels().get("measure").equals(measure)).toList();
            assertEquals(List.of(2L, 4L, 6L, 8L), q.stream().map(TrainingMetric::getGeneratorStep).toList(), measure);
            for (TrainingMetric m : q) {
                assertEquals("small", m.getExperiment());
                assertTrue(Double.isFinite(m.getValue()) && m.getValue() >= 0, measure + " " + m.getValue());
            }
            System.out.println(measure + ": " + q.stream().map(m -> String.format(java.util.Locale.ROOT, "%.2f", m.getValue())).toList());
        }
        assertTrue(metrics.stream().noneMatch(m -> m.getName().equals("wasserflow_sample_quality") && m.getLabels().get("measure").equals("modes")));
        // each samples step: every class's share, summing to 1, and as many classes at or above the coverage share as classes_covered says
        List<TrainingMetric> shares = metrics.stream().filter(m -> m.getName().equals("wasserflow_sample_class_share")).toList();
        assertEquals(40, shares.size());
        for (long g : List.of(2L, 4L, 6L, 8L)) {
            List<TrainingMetric> atG = shares.stream().filter(m -> m.getGeneratorStep() == g).toList();
            assertEquals(Set.copyOf(FashionClassifier.CLASS_NAMES), atG.stream().map(m -> m.getLabels().get("class")).collect(java.util.stream.Collectors.toSet()));
            assertEquals(1.0, atG.stream().mapToDouble(TrainingMetric::getValue).sum(), 1e-9);
            double covered = metrics.stream().filter(m -> m.getGeneratorStep() == g && "classes_covered".equals(m.getLabels().get("measure"))).findFirst().orElseThrow().getValue();
            assertEquals(covered, atG.stream().filter(m -> m.getValue() >= ClassCoverage.MIN_SHARE).count(), "generator step " + g);
        }

        // the report plots both curves and states the latest values in one line
        Path out = tmp.resolve("report");
        String md = Files.readString(io.wasserflow.pipeline.report.Report.write(work, "r-fid", out));
        for (String png : List.of("quality-frechet_distance.png", "quality-birthday_duplicates.png", "quality-classes_covered.png", "quality-class_kl.png",
                "quality-classifier_score.png", "class-histogram.png")) {
            assertTrue(md.contains("](" + png + ")"), png + " linked");
            assertTrue(javax.imageio.ImageIO.read(out.resolve(png).toFile()).getWidth() > 100, png);
        }
        TrainingMetric lastFd = metrics.stream().filter(m -> "frechet_distance".equals(m.getLabels().get("measure"))).reduce((a, b) -> b).orElseThrow();
        TrainingMetric lastDup = metrics.stream().filter(m -> "birthday_duplicates".equals(m.getLabels().get("measure"))).reduce((a, b) -> b).orElseThrow();
        String line = md.lines().filter(l -> l.startsWith("Images: `frechet_distance`")).findFirst().orElseThrow(() -> new AssertionError(md));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("small FD ([0-9.e+-]+), (\\d+) duplicate pairs").matcher(line);
        assertTrue(m.find(), line);
        assertEquals(lastFd.getValue(), Double.parseDouble(m.group(1)), 1e-5 * lastFd.getValue(), line);
        assertEquals(Math.round(lastDup.getValue()), Long.parseLong(m.group(2)), line);
        // the final generator along 8 latent lines, one a row of Interpolation.STEPS 28x28 images
        assertTrue(md.contains("](interpolation-small.png)"), "interpolation linked");
        java.awt.image.BufferedImage lines = javax.imageio.ImageIO.read(out.resolve("interpolation-small.png").toFile());
        int cell = (lines.getWidth() - 2) / io.wasserflow.models.train.Interpolation.STEPS;
        assertEquals(8 * cell + 2, lines.getHeight(), "8 rows of " + io.wasserflow.models.train.Interpolation.STEPS + " cells of " + cell + " px");
        String classes = md.lines().filter(l -> l.startsWith("Classes: ")).findFirst().orElseThrow(() -> new AssertionError(md));
        TrainingMetric lastCovered = metrics.stream().filter(r -> "classes_covered".equals(r.getLabels().get("measure"))).reduce((a, b) -> b).orElseThrow();
        assertTrue(classes.contains("small " + Math.round(lastCovered.getValue()) + " classes, KL "), classes);
    }
}
