package io.wasserflow.pipeline.cluster;

import static io.wasserflow.pipeline.cluster.FlinkCluster.restoredCheckpoint;
import static io.wasserflow.pipeline.cluster.FlinkCluster.summary;
import static io.wasserflow.pipeline.cluster.TrainingRuns.PRODUCER_BATCH;
import static io.wasserflow.pipeline.cluster.TrainingRuns.SWEEP;
import static io.wasserflow.pipeline.cluster.TrainingRuns.TOPIC;
import static io.wasserflow.pipeline.cluster.TrainingRuns.criticSteps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.job.Topics;
import io.wasserflow.pipeline.job.TrainerAssignment;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19's sweep on a standalone cluster of two TaskManager processes with two slots each: eight
 * experiments spread over the four slots, each batch broadcast once to each trainer subtask. One
 * TaskManager is lost to kill -9 in the middle of training; a fresh TaskManager takes its place (as
 * a cluster manager would start one; it would also replace a TaskManager that Flink itself ends in
 * the failover, see {@link FlinkCluster#supervise()}), the job restarts from its last checkpoint, and every
 * experiment ends with the very parameters it gets alone, on one slot, in a job of its own (on a
 * MiniCluster in this JVM, with the same BLAS threads): where and beside whom it ran, and the kill,
 * change nothing. The metrics topic may hold the steps since that checkpoint twice (the Kafka sink is
 * at-least-once); the summary's and the report's readers count each (experiment, step, series) once,
 * the very records the experiments wrote alone.
 */
class TaskManagerFailoverTest {
    @RegisterExtension
    static final TestBroker BROKER = new TestBroker();
    /** The references run two at a time, a job per experiment on a one-slot MiniCluster of its own. */
    static final int ALONE_AT_ONCE = 2;
    /** 300 records of 64 points: 192 to 384 critic steps an experiment, by its batch size. */
    static final int RECORDS = 300, SLOTS = 2, TASK_MANAGERS = 2;
    /** Exit code of a process ended by SIGKILL (128 + 9). */
    static final int KILLED = 137;
    /** The experiment whose progress times the kill (the others read the same broadcast batches). */
    static final String WATCHED = "gp-a";
    private final Timeline timeline = new Timeline();

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aSweepOverTwoTaskManagersLosingOneEndsWithTheParametersEachExperimentGetsAloneOnOneSlot(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path tmp) throws Exception {
        ExperimentConfig watched = SWEEP.experiments().stream().filter(c -> c.name().equals(WATCHED)).findFirst().orElseThrow();
        long total = criticSteps(RECORDS, watched.batchSize());
        int slots = SLOTS * TASK_MANAGERS;
        assertTrue(SWEEP.experiments().size() >= 2 * slots, "at least two experiments a slot");
        String bootstrap = BROKER.bootstrap();
        try (FlinkCluster cluster = FlinkCluster.start(tmp.resolve("flink"), SLOTS, TASK_MANAGERS); CriticSteps progress = new CriticSteps(bootstrap)) {
            Dataset toy = Datasets.open("8gaussians", null, 11);
            ImageBatchProducer.produce(bootstrap, toy, TOPIC, PRODUCER_BATCH, (double) RECORDS * PRODUCER_BATCH / toy.epochSize(), null);
            timeline.say("%d records produced", RECORDS);

            cluster.awaitReady();
            timeline.say("JobManager and %d TaskManagers of %d slots up", TASK_MANAGERS, SLOTS);

            // Each experiment alone: a job of its own on the one slot of a MiniCluster in this JVM, a few at a time.
            List<JobClient> alone = new ArrayList<>();
            for (ExperimentConfig c : SWEEP.experiments()) {
                if (alone.size() >= ALONE_AT_ONCE) alone.remove(0).getJobExecutionResult().get(2, TimeUnit.MINUTES);
                RunConfig one = new RunConfig(SWEEP.dataset(), SWEEP.topic(), List.of(c), SWEEP.yaml(), SWEEP.checkpoints(), SWEEP.trainer(), SWEEP.sweep());
                alone.add(TrainingRuns.submit(StreamExecutionEnvironment.createLocalEnvironment(1), one, bootstrap, OffsetsInitializer.latest(),
                        "alone-" + c.name(), tmp.resolve("alone")));
            }
            for (JobClient j : alone) j.getJobExecutionResult().get(2, TimeUnit.MINUTES);
            timeline.say("%d experiments trained alone, each on one slot", SWEEP.experiments().size());

            JobClient run = TrainingRuns.submit(cluster.environment(slots), SWEEP, bootstrap, OffsetsInitializer.latest(), "sweep", tmp.resolve("sweep"));
            // one request for the result, kept: each call of getJobExecutionResult() on a cluster's client asks anew
            CompletableFuture<JobExecutionResult> result = run.getJobExecutionResult();
            // The kill follows the first checkpoint triggered after a third of the training: the state it restores has trained.
            // A stall is a minute without a step (not a deadline for the whole third: a loaded machine only slows it).
            long step = 0, third = Long.MAX_VALUE, lastStep = System.nanoTime();
            JsonNode completed;
            Map<String, Integer> placement = Map.of();
            do {
                if (System.nanoTime() - lastStep > TimeUnit.MINUTES.toNanos(1) || result.isDone())
                    fail("the run ended or stalled before a third of its training: " + WATCHED + " at critic step " + step + " of " + total + "; job "
                            + cluster.rest("/jobs/" + run.getJobID()).path("state").asText() + "; exceptions "
                            + cluster.rest("/jobs/" + run.getJobID() + "/exceptions").path("exceptionHistory").path("entries") + "\n" + cluster.tail("jobmanager"));
                long now = progress.of("sweep", WATCHED);
                if (now > step) lastStep = System.nanoTime();
                step = now;
                if (step > 0 && placement.isEmpty()) placement = cluster.runningSubtasks(run.getJobID(), "train");
                if (step >= total / 3) third = Math.min(third, System.currentTimeMillis());
                completed = cluster.checkpoints(run.getJobID()).path("latest").path("completed");
            } while (completed.path("trigger_timestamp").asLong(0) <= third);
            timeline.say("trainer subtasks by TaskManager: %s; %s", placement,
                    String.join("; ", TrainerAssignment.describe(SWEEP.experiments(), TrainerAssignment.costs(SWEEP.experiments(), SWEEP.dataShape()), slots)));
            assertEquals(TASK_MANAGERS, placement.size(), "trainers on both TaskManagers: " + placement);
            assertEquals(slots, placement.values().stream().mapToInt(Integer::intValue).sum(), "a trainer subtask on each slot: " + placement);

            long checkpoint = completed.path("id").asLong();
            int exit = cluster.killTaskManager();
            timeline.say("a TaskManager killed (exit code %d) at critic step %d of %d of %s, after checkpoint %d", exit, step, total, WATCHED, checkpoint);
            assertEquals(KILLED, exit, "the TaskManager ended by SIGKILL");
            assertTrue(step < total, "the kill must fall mid-run, it fell at critic step " + step);
            long pid = cluster.startTaskManager();
            timeline.say("fresh TaskManager (pid %d) registered", pid);
            // as a cluster manager would, the cluster replaces a TaskManager that Flink itself ends in the failover (none of our code on its stack)
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (!result.isDone()) {
                if (System.nanoTime() > deadline) fail("the run did not finish within 5 minutes of the fresh TaskManager");
                cluster.supervise();
                Thread.sleep(200);
            }
            result.get();
            for (String r : cluster.replacements()) timeline.say("%s", r);

            JsonNode checkpoints = cluster.checkpoints(run.getJobID());
            JsonNode failures = cluster.rest("/jobs/" + run.getJobID() + "/exceptions").path("exceptionHistory").path("entries");
            timeline.say("run finished after %d failure(s) (%s), restored from %s; %s", failures.size(), failures.path(0).path("exceptionName").asText(),
                    checkpoints.path("latest").path("restored").path("external_path").asText(), summary(checkpoints));
            assertFalse(failures.isEmpty(), "the TaskManager's loss is in the job's exception history");
            assertTrue(restoredCheckpoint(checkpoints) >= checkpoint, "restored checkpoint " + restoredCheckpoint(checkpoints) + ", not the last one (" + checkpoint + " or later)");
        }
        List<String> digests = new ArrayList<>();
        for (ExperimentConfig c : SWEEP.experiments())
            digests.add(c.name() + " " + TrainingRuns.assertSameFinalParameters(SWEEP, c, tmp.resolve("alone"), tmp.resolve("sweep"),
                    criticSteps(RECORDS, c.batchSize())).substring(0, 16));
        timeline.say("final parameters of all %d experiments bit-identical to theirs alone on one slot: %s", digests.size(), String.join(", ", digests));

        // the at-least-once sink may have written the steps since the checkpoint twice; the summary and the report count each once
        List<String> aloneKeys = new ArrayList<>();
        long aloneRecords = 0;
        for (ExperimentConfig c : SWEEP.experiments()) {
            RunFolder.Count a = assertEachOnce(bootstrap, tmp, "alone-" + c.name(), tmp.resolve("alone"), aloneKeys, null);
            assertEquals(0, a.repeats(), c.name() + ": the run alone wrote a step twice");
            aloneRecords += a.records();
        }
        aloneKeys.sort(null);
        RunFolder.Count sweep = assertEachOnce(bootstrap, tmp, "sweep", tmp.resolve("sweep"), new ArrayList<>(), aloneKeys);
        assertEquals(aloneRecords, sweep.firstCopies(), "the sweep's records, counted once, are not those the experiments wrote alone");
        timeline.say("metrics topic: %d records of the experiments alone, %d of the sweep (%d repeats); summary and report count %d, once",
                aloneRecords, sweep.records(), sweep.repeats(), sweep.firstCopies());
    }

    /**
     * The summary's reader of the topic and the report's reader of the copy it leaves each give one record per
     * (experiment, step, series), the same keys (added to {@code keys}; those of {@code expected} when given); the summary's count.
     */
    private static RunFolder.Count assertEachOnce(String bootstrap, Path tmp, String runId, Path runDir, List<String> keys, List<String> expected)
            throws Exception {
        Path copy = tmp.resolve(runId + ".metrics.bin");
        List<String> summary = new ArrayList<>(), report = new ArrayList<>();
        RunFolder.Count count = RunFolder.copyMetrics(bootstrap, Topics.defaults().metrics(), runId, Map.of(), copy, m -> summary.add(key(m)));
        RunFolder.Count read = new RunFolder(new RunDir(runDir.toString()), runId, SWEEP, null, copy).forEachMetric(m -> report.add(key(m)));
        assertEquals(count, read, runId + ": the report's reader of the copy counts otherwise than the summary's reader of the topic");
        assertEquals(summary.size(), new HashSet<>(summary).size(), runId + ": the summary counts an (experiment, step, series) twice");
        assertEquals(report.size(), new HashSet<>(report).size(), runId + ": the report counts an (experiment, step, series) twice");
        summary.sort(null);
        report.sort(null);
        assertEquals(summary, report, runId + ": the summary and the report read different records");
        if (expected != null) assertEquals(expected, summary, runId + ": the records counted once are not those the experiments wrote alone");
        assertTrue(count.firstCopies() > 0, runId + ": no metric records");
        keys.addAll(summary);
        return count;
    }

    /** A record's experiment, series and step (not its run). */
    private static String key(TrainingMetric m) {
        return m.getExperiment() + "/" + m.getName() + new TreeMap<>(m.getLabels()) + "@" + m.getCriticStep() + "," + m.getGeneratorStep();
    }
}
