package io.wasserflow.pipeline.cluster;

import static io.wasserflow.pipeline.cluster.FlinkCluster.restoredCheckpoint;
import static io.wasserflow.pipeline.cluster.FlinkCluster.summary;
import static io.wasserflow.pipeline.cluster.TrainingRuns.PRODUCER_BATCH;
import static io.wasserflow.pipeline.cluster.TrainingRuns.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.pipeline.broker.LocalKafkaBroker;
import io.wasserflow.pipeline.source.Dataset;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka broker restarts in the middle of a training run on a standalone cluster: the job reads
 * the first half of its input before the restart and the second half, produced only afterwards,
 * from the restarted broker, and ends with the parameters of an uninterrupted run over the same
 * records, bit for bit: no batch lost or trained twice.
 */
class BrokerRestartTest {
    /** Half before the restart, half after: 192 critic steps per experiment in all. */
    static final int RECORDS = 300, SLOTS = 2;
    private final Timeline timeline = new Timeline();

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aJobReadingThroughABrokerRestartEndsBitIdentical(@TempDir Path tmp) throws Exception {
        long total = TrainingRuns.criticSteps(RECORDS);
        // Both runs stop at the same offset; the interrupted one starts while only half of the records exist.
        OffsetsInitializer end = OffsetsInitializer.offsets(Map.of(new TopicPartition(TOPIC, 0), (long) RECORDS));
        try (FlinkCluster cluster = FlinkCluster.start(tmp.resolve("flink"), SLOTS); LocalKafkaBroker broker = LocalKafkaBroker.start();
                CriticSteps progress = new CriticSteps(broker.bootstrap())) {
            Dataset toy = Datasets.open("8gaussians", null, 11);
            double half = (double) RECORDS / 2 * PRODUCER_BATCH / toy.epochSize();
            long produced = ImageBatchProducer.produce(broker.bootstrap(), toy, TOPIC, PRODUCER_BATCH, half, null);
            cluster.awaitReady();
            timeline.say("broker, JobManager and TaskManager up; first %d records produced", produced);

            JobClient run = TrainingRuns.submit(cluster, broker.bootstrap(), end, "restart", tmp.resolve("restart"));
            // one request for the result, kept: each call of getJobExecutionResult() on a cluster's client asks anew
            CompletableFuture<JobExecutionResult> result = run.getJobExecutionResult();
            long step, deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            do {
                assertTrue(System.nanoTime() < deadline && !result.isDone(), "the run ended or stalled before a quarter of its training");
                step = progress.of("restart");
            } while (step < total / 4 || FlinkCluster.completedCheckpoints(cluster.checkpoints(run.getJobID())) < 1);
            timeline.say("restarting the broker (pid %d) at critic step %d of %d", broker.pid(), step, total);
            broker.restart();
            timeline.say("broker back (pid %d); the job is %s", broker.pid(), run.getJobStatus().get());
            produced += ImageBatchProducer.produce(broker.bootstrap(), toy, TOPIC, PRODUCER_BATCH, half, null);
            assertEquals(RECORDS, produced);
            timeline.say("last %d records produced", RECORDS / 2);
            result.get(2, TimeUnit.MINUTES);
            JsonNode checkpoints = cluster.checkpoints(run.getJobID());
            timeline.say("run finished; %s%s", summary(checkpoints),
                    restoredCheckpoint(checkpoints) < 0 ? "" : ", the last from checkpoint " + restoredCheckpoint(checkpoints));

            JobClient whole = TrainingRuns.submit(cluster, broker.bootstrap(), end, "whole", tmp.resolve("whole"));
            whole.getJobExecutionResult().get(2, TimeUnit.MINUTES);
            assertEquals(-1, restoredCheckpoint(cluster.checkpoints(whole.getJobID())), "the uninterrupted run restarted");
            timeline.say("uninterrupted run finished");
        }
        TrainingRuns.assertSameFinalParameters(tmp.resolve("whole"), tmp.resolve("restart"), total);
        timeline.say("final parameters of both experiments bit-identical to the uninterrupted run's");
    }
}
