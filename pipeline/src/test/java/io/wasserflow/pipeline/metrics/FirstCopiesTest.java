package io.wasserflow.pipeline.metrics;

import static io.wasserflow.pipeline.testing.TinyConfigs.clip;
import static io.wasserflow.pipeline.testing.TinyConfigs.gp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.diagnostics.StepReport;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.models.util.Rng;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.kafka.KafkaClients;
import io.wasserflow.pipeline.run.RunDir;
import io.wasserflow.pipeline.run.RunFolder;
import io.wasserflow.pipeline.testing.TestBroker;
import io.wasserflow.pipeline.testing.TinyConfigs;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.TrainingMetric;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The records of two real experiments as a failover leaves them on the metrics topic: the first
 * attempt's steps up to the kill, cut in the middle of a step's records (the dead producer's buffer
 * is lost), then the replay of trainers restored from the last checkpoint, which writes the steps
 * since that checkpoint again. Reading through FirstCopies gives the uninterrupted run's records,
 * each (experiment, step, series) once and in its order, by the filter, by the run folder's reader
 * and by the reader of the topic.
 */
class FirstCopiesTest {
    static final RunConfig CONFIG = RunConfig.parse(TinyConfigs.toy(null, gp().publish("{histograms_every: 3}"), clip()));
    /** Batches per experiment; the checkpoint falls after CHECKPOINT of them, the kill in the records of batch KILL. */
    static final int BATCHES = 12, CHECKPOINT = 4, KILL = 9;
    static final String RUN = "r-failover";

    @RegisterExtension
    static final TestBroker BROKER = new TestBroker();
    @TempDir
    static Path tmp;

    static List<TrainingMetric> uninterrupted, failover;

    @BeforeAll
    static void train() {
        List<float[]> batches = new ArrayList<>();
        Rng rng = new Rng(3);
        Toy2D toy = Toy2D.byId(TinyConfigs.TOY);
        int b = CONFIG.experiments().get(0).batchSize();
        for (int i = 0; i < BATCHES; i++) {
            double[] points = toy.sample(rng, b);
            float[] f = new float[points.length];
            for (int j = 0; j < f.length; j++) f[j] = (float) points[j];
            batches.add(f);
        }
        Map<String, Trainer> trainers = trainers(null);
        Map<String, byte[]> checkpoint = new LinkedHashMap<>();
        uninterrupted = new ArrayList<>();
        List<Integer> batchStart = new ArrayList<>();
        for (int i = 0; i < BATCHES; i++) {
            if (i == CHECKPOINT) trainers.forEach((name, t) -> checkpoint.put(name, t.saveState()));
            batchStart.add(uninterrupted.size());
            uninterrupted.addAll(records(trainers, batches.get(i)));
        }
        // the first attempt wrote everything before batch KILL and a few of its records; the replay resumes at CHECKPOINT
        int cut = batchStart.get(KILL) + 7;
        failover = new ArrayList<>(uninterrupted.subList(0, cut));
        Map<String, Trainer> restored = trainers(checkpoint);
        for (int i = CHECKPOINT; i < BATCHES; i++) failover.addAll(records(restored, batches.get(i)));
    }

    private static Map<String, Trainer> trainers(Map<String, byte[]> states) {
        Map<String, Trainer> out = new LinkedHashMap<>();
        for (ExperimentConfig c : CONFIG.experiments()) {
            Trainer t = new Trainer(c, CONFIG.dataShape());
            if (states != null) t.restoreState(states.get(c.name()));
            out.put(c.name(), t);
        }
        return out;
    }

    /** Each experiment's records of one batch, the experiments one after the other, as the job's trainers write them. */
    private static List<TrainingMetric> records(Map<String, Trainer> trainers, float[] points) {
        List<TrainingMetric> out = new ArrayList<>();
        trainers.forEach((name, t) -> {
            int n = points.length / 2;
            for (StepReport r : t.step(Nd4j.create(points, new long[] {n, 1, 1, 2}, 'c').castTo(DataType.FLOAT)))
                out.addAll(MetricRecords.of(RUN, name, r, System.currentTimeMillis()));
        });
        return out;
    }

    /** What identifies a record: its run, experiment, series and step. */
    static String key(TrainingMetric m) {
        return m.getRun() + "/" + m.getExperiment() + "/" + m.getName() + new java.util.TreeMap<>(m.getLabels()) + "@" + m.getCriticStep() + "," + m.getGeneratorStep();
    }

    /** A record as the replay computes it again: everything but the clock (its time and the step's speed). */
    static String content(TrainingMetric m) {
        Metric metric = Metric.byId(m.getName());
        boolean timed = metric == Metric.STEP_SECONDS || metric == Metric.IMAGES_PER_SECOND;
        return key(m) + "=" + (timed ? "timed" : m.getValue() + String.valueOf(m.getBucketCounts()));
    }

    static List<TrainingMetric> firstCopies(List<TrainingMetric> records) {
        List<TrainingMetric> out = new ArrayList<>();
        records.forEach(FirstCopies.of(out::add));
        return out;
    }

    static List<String> each(List<TrainingMetric> records, Function<TrainingMetric, String> f) {
        return records.stream().map(f).toList();
    }

    @Test
    void anUninterruptedRunHasNoRepeats() {
        assertEquals(uninterrupted.size(), each(uninterrupted, FirstCopiesTest::key).stream().distinct().count(), "a key names two records of one run");
        FirstCopies first = new FirstCopies();
        assertTrue(uninterrupted.stream().allMatch(first), "a record of an uninterrupted run was taken for a repeat");
        assertEquals(0, first.repeats());
    }

    @Test
    void theFirstCopiesOfAFailoverAreTheUninterruptedRunsRecordsInOrder() {
        assertTrue(failover.size() > uninterrupted.size() + 100, "the replay wrote steps again: " + failover.size() + " records, " + uninterrupted.size() + " once");
        List<TrainingMetric> first = firstCopies(failover);
        assertEquals(each(uninterrupted, FirstCopiesTest::key), each(first, FirstCopiesTest::key));
        assertEquals(each(uninterrupted, FirstCopiesTest::content), each(first, FirstCopiesTest::content), "the values kept are not the run's");
        FirstCopies filter = new FirstCopies();
        failover.forEach(filter::test);
        assertEquals(failover.size() - uninterrupted.size(), filter.repeats());
    }

    @Test
    void theRunFoldersReaderDropsTheRepeatsOfItsCopy() throws Exception {
        Path file = tmp.resolve("metrics.bin");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            for (TrainingMetric m : failover) {
                byte[] v = Codec.TRAINING_METRIC.encode(m);
                out.writeInt(v.length);
                out.write(v);
            }
        }
        List<TrainingMetric> read = new ArrayList<>();
        RunFolder.Count count = new RunFolder(new RunDir(tmp.toString()), RUN, CONFIG, null, file).forEachMetric(read::add);
        assertEquals(new RunFolder.Count(failover.size(), failover.size() - uninterrupted.size()), count);
        assertEquals(each(uninterrupted, FirstCopiesTest::content), each(read, FirstCopiesTest::content));
    }

    @Test
    void theTopicsReaderCopiesTheRunAsItIsAndHandsOnItsFirstCopies() throws Exception {
        String topic = "first-copies.metrics";
        KafkaClients.ensureTopic(BROKER.bootstrap(), topic);
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(BROKER.bootstrap())) {
            for (TrainingMetric m : failover) {
                producer.send(new ProducerRecord<>(topic, RUN + "/" + m.getExperiment(), Codec.TRAINING_METRIC.encode(m)));
                TrainingMetric other = TrainingMetric.newBuilder(m).setRun("r-other").build(); // another run's records among them
                producer.send(new ProducerRecord<>(topic, "r-other/" + m.getExperiment(), Codec.TRAINING_METRIC.encode(other)));
            }
            producer.send(new ProducerRecord<>(topic, "garbage", new byte[] {1, 2, 3})).get();
        }
        Path copy = tmp.resolve("copy.bin");
        List<TrainingMetric> read = new ArrayList<>();
        RunFolder.Count count = RunFolder.copyMetrics(BROKER.bootstrap(), topic, RUN, Map.of(), copy, read::add);
        assertEquals(new RunFolder.Count(failover.size(), failover.size() - uninterrupted.size()), count);
        assertEquals(each(uninterrupted, FirstCopiesTest::content), each(read, FirstCopiesTest::content));
        List<TrainingMetric> copied = new ArrayList<>();
        RunFolder.forEachMetric(copy, copied::add);
        assertEquals(each(failover, FirstCopiesTest::content), each(copied, FirstCopiesTest::content), "the copy is not the run's records as the topic has them");
    }
}
