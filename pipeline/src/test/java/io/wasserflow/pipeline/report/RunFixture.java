package io.wasserflow.pipeline.report;

import io.wasserflow.pipeline.run.ExperimentResult;
import io.wasserflow.pipeline.run.RunDir;
import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.diagnostics.GradientDetector;
import io.wasserflow.models.diagnostics.StepReport;
import io.wasserflow.models.diagnostics.ToyQuality;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.models.util.Rng;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.metrics.MetricRecords;
import io.wasserflow.pipeline.render.SampleGrid;
import io.wasserflow.pipeline.render.Scatter;
import io.wasserflow.pipeline.source.Dataset;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.RunManifest;
import io.wasserflow.schemas.TrainingMetric;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A run folder as the CLI leaves it, made by real trainers: each experiment of a config trains on
 * real batches of its dataset, a toy set or images such as shapes (round robin, so experiments
 * interleave in metrics.bin as on the topic); every StepReport becomes the job's records via
 * MetricRecords; every samples_every generator steps a scatter picture and the toy sample quality
 * (for images a grid), as the job makes them; then the states, the config
 * and the final manifest. The real in-job detector runs alongside, so tests know the alerts raised.
 */
record RunFixture(Path workdir, String runId, RunConfig config, List<TrainingMetric> records, Map<String, Trainer> trainers,
        Map<String, Integer> alerts, RunManifest manifest) {

    /** Toy samples per quality measurement and scatter, as in the job. */
    static final int SAMPLES = 1000;

    static RunFixture train(Path workdir, String runId, String yaml, int generatorSteps) throws Exception {
        RunConfig config = RunConfig.parse(yaml);
        Path dir = workdir.resolve("runs").resolve(runId);
        Files.createDirectories(dir.resolve("samples"));
        boolean toy = Datasets.isToy(config.dataset());
        Toy2D data = toy ? Toy2D.byId(config.dataset()) : null;
        Dataset images = toy ? null : Datasets.open(config.dataset(), null, 7);
        Map<String, Trainer> trainers = new LinkedHashMap<>();
        Map<String, GradientDetector> detectors = new HashMap<>();
        Map<String, Integer> alerts = new LinkedHashMap<>();
        for (ExperimentConfig c : config.experiments()) {
            trainers.put(c.name(), new Trainer(c, config.dataShape()));
            detectors.put(c.name(), new GradientDetector(c.alerts()));
            alerts.put(c.name(), 0);
        }
        List<TrainingMetric> records = new ArrayList<>();
        Rng rng = new Rng(7);
        long time = 1_700_000_000_000L;
        while (trainers.values().stream().anyMatch(t -> t.generatorSteps() < generatorSteps))
            for (Trainer t : trainers.values()) {
                ExperimentConfig c = t.config();
                if (t.generatorSteps() >= generatorSteps) continue;
                int b = c.batchSize();
                long before = t.generatorSteps();
                for (StepReport r : t.step(toy ? Nd4j.create(data.sample(rng, b), new long[] {b, 1, 1, 2}, 'c').castTo(DataType.FLOAT) : pixels(images.next(b)))) {
                    records.addAll(MetricRecords.of(runId, c.name(), r, time++));
                    for (GradientDetector.Alert a : detectors.get(c.name()).check(r)) if (a.firing()) alerts.merge(c.name(), 1, Integer::sum);
                }
                long g = t.generatorSteps();
                if (g > before && g % c.publish().samplesEvery() == 0) {
                    if (toy) records.addAll(samples(dir, runId, t, data, time++));
                    else grid(dir, t);
                }
            }
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(dir.resolve("metrics.bin"))))) {
            for (TrainingMetric m : records) {
                byte[] bytes = Codec.TRAINING_METRIC.encode(m);
                out.writeInt(bytes.length);
                out.write(bytes);
            }
        }
        StringBuilder digests = new StringBuilder();
        for (Trainer t : trainers.values()) {
            new RunDir(dir.toString()).writeFinal(new ExperimentResult(t.config().name(), t.parameterDigest(), t.generatorSteps(), t.criticSteps(), false), t.saveState());
            digests.append(t.parameterDigest());
        }
        Files.writeString(dir.resolve("config.yaml"), yaml);
        RunManifest manifest = RunManifest.newBuilder().setRunId(runId).setConfigYaml(yaml).setSeed(config.experiments().get(0).seed())
                .setCodeCommit("0123456789abcdef0123456789abcdef01234567").setCodeModified(true).setBackend(Nd4j.getBackend().getClass().getSimpleName())
                .setBlasLibrary("openblas").setBlasCoreType("auto").setBlasThreads(2).setTopic(config.topic()).setStartOffsets(Map.of("0", 0L))
                .setEndOffsets(Map.of("0", 100L)).setExperiments(List.copyOf(trainers.keySet()))
                .setFinalParameterDigest(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(digests.toString().getBytes(StandardCharsets.UTF_8))))
                .setStartTimeMs(1_700_000_000_000L).setEndTimeMs(time).build();
        Files.write(dir.resolve("manifest.avro"), Codec.RUN_MANIFEST.encode(manifest));
        return new RunFixture(workdir, runId, config, records, trainers, alerts, manifest);
    }

    /** The job's sampling: a scatter over the true density and the toy quality records of this generator step. */
    private static List<TrainingMetric> samples(Path dir, String runId, Trainer t, Toy2D data, long time) throws Exception {
        ExperimentConfig c = t.config();
        long g = t.generatorSteps();
        double[] xy = t.sample(SAMPLES, c.seed() ^ g).castTo(DataType.DOUBLE).data().asDouble();
        Rng rng = new Rng(c.seed() + g);
        ToyQuality q = ToyQuality.of(data, xy, rng);
        double[][] fake = new double[SAMPLES / 2][], real = new double[SAMPLES][];
        for (int i = 0; i < fake.length; i++) fake[i] = new double[] {xy[2 * i], xy[2 * i + 1]};
        double[] truth = data.sample(rng, SAMPLES);
        for (int i = 0; i < real.length; i++) real[i] = new double[] {truth[2 * i], truth[2 * i + 1]};
        byte[] png = Scatter.png(fake, real, String.format(Locale.ROOT, "%s, generator step %d: %d/%d modes", c.name(), g, q.modes(), q.totalModes()));
        Files.write(dir.resolve("samples").resolve(String.format(Locale.ROOT, "%s-g%06d.png", c.name(), g)), png);
        Files.write(dir.resolve("samples").resolve(c.name() + ".png"), png);
        byte[] landscape = io.wasserflow.pipeline.job.LandscapePicture.of(t, data.id); // as the job draws it at each samples step
        Files.createDirectories(dir.resolve("landscapes"));
        Files.write(dir.resolve("landscapes").resolve(String.format(Locale.ROOT, "%s-g%06d.png", c.name(), g)), landscape);
        Files.write(dir.resolve("landscapes").resolve(c.name() + ".png"), landscape);
        List<TrainingMetric> out = new ArrayList<>();
        Map<String, Double> measures = new LinkedHashMap<>();
        measures.put("modes", (double) q.modes());
        measures.put("high_quality_share", q.highQualityShare());
        measures.put("w1", q.slicedW1());
        measures.forEach((measure, v) -> out.add(TrainingMetric.newBuilder().setRun(runId).setExperiment(c.name()).setName("wasserflow_sample_quality")
                .setLabels(new HashMap<>(Map.of("measure", measure))).setValue(v).setGeneratorStep(g).setCriticStep(t.criticSteps()).setTimeMs(time).build()));
        return out;
    }

    /** A uint8 image batch as the job decodes it: [n, C, H, W], pixels / 255. */
    private static INDArray pixels(Dataset.Batch b) {
        float[] v = new float[b.values().length];
        for (int i = 0; i < v.length; i++) v[i] = (b.values()[i] & 0xFF) / 255f;
        return Nd4j.create(v, new long[] {b.count(), b.channels(), b.height(), b.width()}, 'c');
    }

    /** The job's sample grid of an image experiment (image data has no quality records without the Fashion-MNIST classifier). */
    private static void grid(Path dir, Trainer t) throws Exception {
        long[] s = t.dataShape();
        byte[] png = SampleGrid.png(t.sample(64, t.config().seed() ^ t.generatorSteps()).castTo(DataType.FLOAT).data().asFloat(), 64, (int) s[0], (int) s[1], (int) s[2], 8);
        Files.write(dir.resolve("samples").resolve(String.format(Locale.ROOT, "%s-g%06d.png", t.config().name(), t.generatorSteps())), png);
        Files.write(dir.resolve("samples").resolve(t.config().name() + ".png"), png);
    }

    Path dir() {
        return workdir.resolve("runs").resolve(runId);
    }

    /** The value of the last record of a run-level series of an experiment (no labels), or of a labelled one when label is not null. */
    double last(String experiment, String name, String labelValue) {
        double v = Double.NaN;
        for (TrainingMetric m : records)
            if (m.getExperiment().equals(experiment) && m.getName().equals(name) && (labelValue == null ? m.getLabels().isEmpty() : m.getLabels().containsValue(labelValue)))
                v = m.getValue();
        return v;
    }
}
