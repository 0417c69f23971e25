package io.wasserflow.pipeline.job;

import io.wasserflow.pipeline.run.RunDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.broker.LocalKafkaBroker;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.source.Dataset;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.TrainingMetric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Stop with a savepoint mid-run, restore, continue: the final parameters equal an uninterrupted run's, bit for bit. */
class SavepointRestoreTest {
    /** Small network buffers: the records in flight when the savepoint's barrier starts are trained before it. */
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).setConfiguration(smallBuffers()).build());

    static Configuration smallBuffers() {
        Configuration c = new Configuration();
        c.set(TaskManagerOptions.MEMORY_SEGMENT_SIZE, MemorySize.parse("4kb"));
        return c;
    }

    static LocalKafkaBroker broker;
    static final String TOPIC = "restore.images";
    /** Wide enough that a run takes several seconds, so the savepoint falls in the middle of it. */
    static final String YAML = """
            data: {dataset: 8gaussians, topic: restore.images}
            experiments:
              - {name: gp, constraint: gp, architecture: {mlp: {depth: 3, width: 256}}, batch_size: 100, n_critic: 2}
              - {name: clip, constraint: clip, architecture: {mlp: {depth: 3, width: 256}}, batch_size: 100, n_critic: 2}
            """;
    static final int RECORDS = 300, PRODUCER_BATCH = 64;

    @BeforeAll
    static void produce() throws Exception {
        broker = LocalKafkaBroker.start();
        Dataset toy = Datasets.open("8gaussians", null, 11);
        ImageBatchProducer.produce(broker.bootstrap(), toy, TOPIC, PRODUCER_BATCH, (double) RECORDS * PRODUCER_BATCH / toy.epochSize(), null);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    static TrainingJob job(RunConfig config, String runId, Path saveDir) {
        return new TrainingJob(TrainingJob.kafkaSource(broker.bootstrap(), TOPIC, OffsetsInitializer.earliest(), OffsetsInitializer.latest()),
                TrainingJob.kafkaSink(broker.bootstrap()), 
                JobSpec.of(config, runId, Topics.defaults(), saveDir == null ? null : new RunDir(saveDir.toString())));
    }

    /** Follows the metrics topic from where it ends now, so a test can wait for a run to reach a critic step. */
    static final class MetricsFollower implements AutoCloseable {
        final KafkaConsumer<byte[], byte[]> consumer;
        final TopicPartition tp = new TopicPartition("wasserflow.metrics", 0);
        long best;

        MetricsFollower() {
            Properties p = new Properties();
            p.put("bootstrap.servers", broker.bootstrap());
            consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            consumer.position(tp);
        }

        /** Waits until the run's critic step reaches {@code step}; returns the highest one seen. */
        long awaitCriticStep(String runId, long step, Duration timeout) throws Codec.DecodeException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (best < step && System.nanoTime() < deadline)
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    TrainingMetric m = Codec.TRAINING_METRIC.decode(r.value());
                    if (m.getRun().equals(runId) && m.getName().equals("wasserflow_critic_step")) best = Math.max(best, (long) m.getValue());
                }
            return best;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    @Test
    void stopWithSavepointRestoreAndContinueEqualsAnUninterruptedRun(@TempDir Path tmp) throws Exception {
        RunConfig config = RunConfig.parse(YAML);
        long totalCriticSteps = (long) RECORDS * PRODUCER_BATCH / 100;

        StreamExecutionEnvironment whole = StreamExecutionEnvironment.getExecutionEnvironment();
        whole.setParallelism(2);
        job(config, "whole", tmp.resolve("whole")).execute(whole);

        StreamExecutionEnvironment first = StreamExecutionEnvironment.getExecutionEnvironment();
        first.setParallelism(2);
        job(config, "first", null).build(first);
        String savepoint;
        long stoppedAt;
        try (MetricsFollower follower = new MetricsFollower()) {
            JobClient client = first.executeAsync("first half");
            follower.awaitCriticStep("first", 10, Duration.ofMinutes(2));
            savepoint = client.stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(2, java.util.concurrent.TimeUnit.MINUTES);
            stoppedAt = follower.awaitCriticStep("first", Long.MAX_VALUE, Duration.ofSeconds(2));
        }
        assertTrue(stoppedAt >= 10 && stoppedAt < totalCriticSteps, "the savepoint must fall mid-run, it fell at critic step " + stoppedAt);

        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        StreamExecutionEnvironment second = StreamExecutionEnvironment.getExecutionEnvironment(restore);
        second.setParallelism(2);
        job(config, "second", tmp.resolve("second")).execute(second);

        for (ExperimentConfig c : config.experiments()) {
            Trainer a = new Trainer(c, config.dataShape()), b = new Trainer(c, config.dataShape());
            a.restoreState(Files.readAllBytes(tmp.resolve("whole").resolve(c.name() + ".state")));
            b.restoreState(Files.readAllBytes(tmp.resolve("second").resolve(c.name() + ".state")));
            assertEquals(totalCriticSteps, b.criticSteps(), c.name());
            assertEquals(a.parameterDigest(), b.parameterDigest(), c.name() + ": restored run differs from the uninterrupted one");
        }
        System.out.printf("savepoint taken at critic step %d of %d; restored run bit-identical%n", stoppedAt, totalCriticSteps);
    }
}
