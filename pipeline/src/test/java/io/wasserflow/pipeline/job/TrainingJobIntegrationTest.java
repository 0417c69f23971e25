package io.wasserflow.pipeline.job;

import io.wasserflow.pipeline.run.RunDir;
import static io.wasserflow.pipeline.testing.TinyConfigs.clip;
import static io.wasserflow.pipeline.testing.TinyConfigs.gp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.kafka.KafkaClients;
import io.wasserflow.pipeline.source.Dataset;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import io.wasserflow.pipeline.testing.MiniClusters;
import io.wasserflow.pipeline.testing.TestBroker;
import io.wasserflow.pipeline.testing.TinyConfigs;
import io.wasserflow.pipeline.testing.TopicReader;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.DType;
import io.wasserflow.schemas.ImageBatch;
import io.wasserflow.schemas.TrainingMetric;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/** The training job on a MiniCluster against a real broker. */
class TrainingJobIntegrationTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(2);

    @RegisterExtension
    static final TestBroker BROKER = new TestBroker();
    static final String TOPIC = "wasserflow.images.8gaussians";
    static final int PRODUCER_BATCH = 64, RECORDS = 40, EXPERIMENT_BATCH = 100;
    static final String YAML = TinyConfigs.toy(null, clip().batchSize(EXPERIMENT_BATCH), gp().batchSize(EXPERIMENT_BATCH));

    @BeforeAll
    static void produce() throws Exception {
        Dataset toy = Datasets.open("8gaussians", null, 7);
        ImageBatchProducer.produce(BROKER.bootstrap(), toy, TOPIC, PRODUCER_BATCH, 20.0 * PRODUCER_BATCH / toy.epochSize(), null);
        // a corrupt record and a record of the wrong shape in the middle of the stream
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(BROKER.bootstrap())) {
            producer.send(new ProducerRecord<>(TOPIC, "8gaussians", "not avro at all".getBytes())).get();
            ImageBatch wrong = ImageBatch.newBuilder().setDataset("8gaussians").setSequence(-1).setCount(1).setChannels(1).setHeight(1).setWidth(3)
                    .setDtype(DType.FLOAT32).setValues(ByteBuffer.wrap(new byte[12])).setProducerTimeMs(0).build();
            producer.send(new ProducerRecord<>(TOPIC, "8gaussians", Codec.IMAGE_BATCH.encode(wrong))).get();
        }
        ImageBatchProducer.produce(BROKER.bootstrap(), Datasets.open("8gaussians", null, 8), TOPIC, PRODUCER_BATCH, 20.0 * PRODUCER_BATCH / toy.epochSize(), null);
    }

    /** Every point of the image topic that decodes and has the toy shape, in order. */
    static float[] allPoints() throws Exception {
        List<Float> pts = new ArrayList<>();
        for (byte[] v : TopicReader.values(BROKER.bootstrap(), TOPIC)) {
            ImageBatch b;
            try {
                b = Codec.IMAGE_BATCH.decode(v);
            } catch (Codec.DecodeException e) {
                continue;
            }
            if (b.getWidth() != 2) continue;
            ByteBuffer buf = b.getValues().duplicate().order(ByteOrder.LITTLE_ENDIAN);
            while (buf.remaining() > 0) pts.add(buf.getFloat());
        }
        float[] out = new float[pts.size()];
        for (int i = 0; i < out.length; i++) out[i] = pts.get(i);
        return out;
    }

    @Test
    void twoExperimentsTrainSideBySideInStreamOrder(@TempDir Path saved) throws Exception {
        RunConfig config = RunConfig.parse(YAML);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        new TrainingJob(TrainingJob.kafkaSource(BROKER.bootstrap(), TOPIC, OffsetsInitializer.earliest(), OffsetsInitializer.latest()),
                TrainingJob.kafkaSink(BROKER.bootstrap()),
                    JobSpec.of(config, "run-1", Topics.defaults(), new RunDir(saved.toString()))).execute(env);

        int points = RECORDS * PRODUCER_BATCH, criticSteps = points / EXPERIMENT_BATCH;
        Map<String, Long> lastCritic = new HashMap<>();
        Map<String, Integer> records = new HashMap<>();
        for (byte[] v : TopicReader.values(BROKER.bootstrap(), "wasserflow.metrics")) {
            TrainingMetric m = Codec.TRAINING_METRIC.decode(v);
            records.merge(m.getExperiment(), 1, Integer::sum);
            if (m.getName().equals("wasserflow_critic_step")) lastCritic.merge(m.getExperiment(), (long) m.getValue(), Math::max);
        }
        assertEquals(Map.of("clip", (long) criticSteps, "gp", (long) criticSteps), lastCritic, "one critic step per 100 points");
        assertTrue(records.get("gp") > criticSteps * 5, "every step yields its metric records: " + records);

        List<String> reasons = new ArrayList<>();
        for (byte[] v : TopicReader.values(BROKER.bootstrap(), "wasserflow.deadletter")) reasons.add(Codec.DEAD_LETTER.decode(v).getReason());
        // the sink writes with parallelism 2, so the two dead letters may come in either order
        java.util.Collections.sort(reasons);
        assertEquals(2, reasons.size(), reasons.toString());
        assertTrue(reasons.get(0).startsWith("not_single_object_encoded"), reasons.get(0));
        assertTrue(reasons.get(1).startsWith("wrong_shape"), reasons.get(1));

        // The job's final parameters equal those of a bare trainer fed the same points in the same order.
        float[] pts = allPoints();
        BlasThreads.fix(RunConfig.TrainerSlots.DEFAULT.blasThreads()); // the threads a job's trainer trains with, on this thread too
        for (ExperimentConfig c : config.experiments()) {
            Trainer bare = new Trainer(c, new long[] {1, 1, 2});
            for (int s = 0; s < criticSteps; s++) {
                float[] batch = java.util.Arrays.copyOfRange(pts, s * EXPERIMENT_BATCH * 2, (s + 1) * EXPERIMENT_BATCH * 2);
                bare.step(Nd4j.create(batch, new long[] {EXPERIMENT_BATCH, 1, 1, 2}, 'c'));
            }
            Trainer fromJob = new Trainer(c, new long[] {1, 1, 2});
            fromJob.restoreState(Files.readAllBytes(saved.resolve(c.name() + ".state")));
            assertEquals(bare.parameterDigest(), fromJob.parameterDigest(), c.name());
        }
    }
}
