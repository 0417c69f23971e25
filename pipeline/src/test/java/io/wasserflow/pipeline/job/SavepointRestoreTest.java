package io.wasserflow.pipeline.job;

import io.wasserflow.pipeline.run.RunDir;
import static io.wasserflow.pipeline.testing.TinyConfigs.clip;
import static io.wasserflow.pipeline.testing.TinyConfigs.gp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.source.Dataset;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import io.wasserflow.pipeline.testing.MiniClusters;
import io.wasserflow.pipeline.testing.TestBroker;
import io.wasserflow.pipeline.testing.TinyConfigs;
import io.wasserflow.pipeline.testing.TopicFollower;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.TrainingMetric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Stop with a savepoint mid-run, restore, continue: the final parameters equal an uninterrupted run's, bit for bit. */
class SavepointRestoreTest {
    /** Small network buffers: the records in flight when the savepoint's barrier starts are trained before it. */
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(2, smallBuffers());

    static Configuration smallBuffers() {
        Configuration c = new Configuration();
        c.set(TaskManagerOptions.MEMORY_SEGMENT_SIZE, MemorySize.parse("4kb"));
        return c;
    }

    @RegisterExtension
    static final TestBroker BROKER = new TestBroker();
    static final String TOPIC = "restore.images";
    /** Wide enough that a run takes several seconds, so the savepoint falls in the middle of it. */
    static final String YAML = TinyConfigs.toy(TOPIC, gp().wide(), clip().wide());
    static final int RECORDS = 300, PRODUCER_BATCH = 64;

    @BeforeAll
    static void produce() throws Exception {
        Dataset toy = Datasets.open("8gaussians", null, 11);
        ImageBatchProducer.produce(BROKER.bootstrap(), toy, TOPIC, PRODUCER_BATCH, (double) RECORDS * PRODUCER_BATCH / toy.epochSize(), null);
    }

    static TrainingJob job(RunConfig config, String runId, Path saveDir) {
        return new TrainingJob(TrainingJob.kafkaSource(BROKER.bootstrap(), TOPIC, OffsetsInitializer.earliest(), OffsetsInitializer.latest()),
                TrainingJob.kafkaSink(BROKER.bootstrap()),
                    JobSpec.of(config, runId, Topics.defaults(), saveDir == null ? null : new RunDir(saveDir.toString())));
    }

    /** The run's highest critic step among these metric records (0 before its first). */
    static long criticStep(List<byte[]> metrics, String runId) {
        long best = 0;
        for (byte[] v : metrics) {
            TrainingMetric m;
            try {
                m = Codec.TRAINING_METRIC.decode(v);
            } catch (Codec.DecodeException e) {
                throw new AssertionError("not a metric record on the metrics topic", e);
            }
            if (m.getRun().equals(runId) && m.getName().equals("wasserflow_critic_step")) best = Math.max(best, (long) m.getValue());
        }
        return best;
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
        // follows the metrics topic from where it ends now, so the test can wait for the run to reach a critic step
        try (TopicFollower metrics = TopicFollower.fromEnd(BROKER.bootstrap(), Topics.defaults().metrics())) {
            JobClient client = first.executeAsync("first half");
            metrics.await(seen -> criticStep(seen, "first") >= 10, Duration.ofMinutes(2));
            savepoint = client.stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(2, java.util.concurrent.TimeUnit.MINUTES);
            metrics.await(seen -> false, Duration.ofSeconds(2)); // whatever the job still had to say
            stoppedAt = criticStep(metrics.seen(), "first");
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
