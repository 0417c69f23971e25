package io.wasserflow.pipeline.cluster;

import static io.wasserflow.pipeline.cluster.FlinkCluster.restoredCheckpoint;
import static io.wasserflow.pipeline.cluster.FlinkCluster.summary;
import static io.wasserflow.pipeline.cluster.TrainingRuns.PRODUCER_BATCH;
import static io.wasserflow.pipeline.cluster.TrainingRuns.TOPIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.pipeline.job.Topics;
import io.wasserflow.pipeline.run.RunDir;
import io.wasserflow.pipeline.run.RunFolder;
import io.wasserflow.pipeline.source.Dataset;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import io.wasserflow.pipeline.testing.TestBroker;
import io.wasserflow.schemas.TrainingMetric;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 * The metrics topic may hold the steps since that checkpoint twice (the Kafka sink is at-least-once);
 * the summary's and the report's readers count each (experiment, step, series) once, as many as the
 * uninterrupted run wrote.
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

        // the at-least-once sink may have written the steps since the checkpoint twice; the summary and the report count each once
        RunFolder.Count whole = assertEachOnce(bootstrap, tmp, "whole", null), failover = assertEachOnce(bootstrap, tmp, "failover", keys(bootstrap, tmp, "whole"));
        assertEquals(0, whole.repeats(), "the uninterrupted run wrote a step twice");
        assertEquals(whole.records(), failover.firstCopies(), "the failover's records, counted once, are not the uninterrupted run's");
        timeline.say("metrics topic: %d records of the uninterrupted run, %d of the failover (%d repeats); summary and report count %d each, once",
                whole.records(), failover.records(), failover.repeats(), failover.firstCopies());
    }

    /** The run's (experiment, step, series) keys, sorted, as the summary reads them from the topic. */
    private static List<String> keys(String bootstrap, Path tmp, String runId) throws Exception {
        List<String> keys = new ArrayList<>();
        RunFolder.copyMetrics(bootstrap, Topics.defaults().metrics(), runId, Map.of(), tmp.resolve(runId + ".keys.bin"), m -> keys.add(key(m)));
        keys.sort(null);
        return keys;
    }

    /**
     * The summary's reader of the topic and the report's reader of the copy it leaves each give one record per
     * (experiment, step, series), the same keys (those of {@code expected} when given); the summary's count.
     */
    private static RunFolder.Count assertEachOnce(String bootstrap, Path tmp, String runId, List<String> expected) throws Exception {
        Path copy = tmp.resolve(runId + ".metrics.bin");
        List<String> summary = new ArrayList<>(), report = new ArrayList<>();
        RunFolder.Count count = RunFolder.copyMetrics(bootstrap, Topics.defaults().metrics(), runId, Map.of(), copy, m -> summary.add(key(m)));
        RunFolder.Count read = new RunFolder(new RunDir(tmp.resolve(runId).toString()), runId, TrainingRuns.CONFIG, null, copy).forEachMetric(m -> report.add(key(m)));
        assertEquals(count, read, runId + ": the report's reader of the copy counts otherwise than the summary's reader of the topic");
        assertEquals(summary.size(), new HashSet<>(summary).size(), runId + ": the summary counts an (experiment, step, series) twice");
        assertEquals(report.size(), new HashSet<>(report).size(), runId + ": the report counts an (experiment, step, series) twice");
        summary.sort(null);
        report.sort(null);
        assertEquals(summary, report, runId + ": the summary and the report read different records");
        if (expected != null) assertEquals(expected, summary, runId + ": the records counted once are not the uninterrupted run's");
        assertTrue(count.firstCopies() > 0, runId + ": no metric records");
        return count;
    }

    /** A record's experiment, series and step (not its run). */
    private static String key(TrainingMetric m) {
        return m.getExperiment() + "/" + m.getName() + new TreeMap<>(m.getLabels()) + "@" + m.getCriticStep() + "," + m.getGeneratorStep();
    }
}
