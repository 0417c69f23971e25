package io.wasserflow.pipeline.cluster;

import static io.wasserflow.pipeline.cluster.FlinkCluster.restoredCheckpoint;
import static io.wasserflow.pipeline.cluster.FlinkCluster.summary;
import static io.wasserflow.pipeline.cluster.TrainingRuns.PRODUCER_BATCH;
import static io.wasserflow.pipeline.cluster.TrainingRuns.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.pipeline.source.Dataset;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import io.wasserflow.pipeline.testing.TestBroker;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standalone cluster (JobManager and TaskManager processes) loses its TaskManager to kill -9 in
 * the middle of a training run; a fresh TaskManager takes its place, the job restarts from its
 * last checkpoint and ends with the parameters of an uninterrupted run on the same cluster, bit for bit.
 */
class TaskManagerFailoverTest {
    @RegisterExtension
    static final TestBroker BROKER = new TestBroker();
    /** 300 records of 64 points: 192 critic steps per experiment, some 20 s of training on two cores. */
    static final int RECORDS = 300, SLOTS = 2;
    /** Exit code of a process ended by SIGKILL (128 + 9). */
    static final int KILLED = 137;
    private final Timeline timeline = new Timeline();

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void aJobWhoseTaskManagerIsKilledRestartsFromItsLastCheckpointAndEndsBitIdentical(@TempDir Path tmp) throws Exception {
        long total = TrainingRuns.criticSteps(RECORDS);
        String bootstrap = BROKER.bootstrap();
        try (FlinkCluster cluster = FlinkCluster.start(tmp.resolve("flink"), SLOTS); CriticSteps progress = new CriticSteps(bootstrap)) {
            Dataset toy = Datasets.open("8gaussians", null, 11);
            ImageBatchProducer.produce(bootstrap, toy, TOPIC, PRODUCER_BATCH, (double) RECORDS * PRODUCER_BATCH / toy.epochSize(), null);
            cluster.awaitReady();
            timeline.say("broker, JobManager and TaskManager up; %d records produced", RECORDS);

            JobClient whole = TrainingRuns.submit(cluster, bootstrap, OffsetsInitializer.latest(), "whole", tmp.resolve("whole"));
            whole.getJobExecutionResult().get(2, TimeUnit.MINUTES);
            JsonNode wholeCheckpoints = cluster.checkpoints(whole.getJobID());
            assertEquals(-1, restoredCheckpoint(wholeCheckpoints), "the uninterrupted run restarted");
            timeline.say("uninterrupted run finished: %d critic steps per experiment; %s", total, summary(wholeCheckpoints));

            JobClient run = TrainingRuns.submit(cluster, bootstrap, OffsetsInitializer.latest(), "failover", tmp.resolve("failover"));
            // The kill follows the first checkpoint triggered after a third of the training: the state it restores has trained.
            long step, third = Long.MAX_VALUE, deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            JsonNode completed;
            do {
                assertTrue(System.nanoTime() < deadline && !run.getJobExecutionResult().isDone(), "the run ended or stalled before a third of its training");
                step = progress.of("failover");
                if (step >= total / 3) third = Math.min(third, System.currentTimeMillis());
                completed = cluster.checkpoints(run.getJobID()).path("latest").path("completed");
            } while (completed.path("trigger_timestamp").asLong(0) <= third);
            long checkpoint = completed.path("id").asLong();
            int exit = cluster.killTaskManager();
            timeline.say("TaskManager killed (exit code %d) at critic step %d of %d, after checkpoint %d", exit, step, total, checkpoint);
            assertEquals(KILLED, exit, "the TaskManager ended by SIGKILL");
            assertTrue(step < total, "the kill must fall mid-run, it fell at critic step " + step);
            long pid = cluster.startTaskManager();
            timeline.say("fresh TaskManager (pid %d) registered", pid);
            run.getJobExecutionResult().get(2, TimeUnit.MINUTES);

            JsonNode checkpoints = cluster.checkpoints(run.getJobID());
            JsonNode failures = cluster.rest("/jobs/" + run.getJobID() + "/exceptions").path("exceptionHistory").path("entries");
            timeline.say("run finished after %d failure(s) (%s), restored from %s; %s", failures.size(), failures.path(0).path("exceptionName").asText(),
                    checkpoints.path("latest").path("restored").path("external_path").asText(), summary(checkpoints));
            assertFalse(failures.isEmpty(), "the TaskManager's loss is in the job's exception history");
            assertTrue(restoredCheckpoint(checkpoints) >= checkpoint, "restored checkpoint " + restoredCheckpoint(checkpoints) + ", not the last one (" + checkpoint + " or later)");
        }
        TrainingRuns.assertSameFinalParameters(tmp.resolve("whole"), tmp.resolve("failover"), total);
        timeline.say("final parameters of both experiments bit-identical to the uninterrupted run's");
    }
}
