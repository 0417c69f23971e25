package io.wasserflow.pipeline.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.models.util.Rng;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.job.Diagnostics.ExperimentState;
import io.wasserflow.pipeline.metrics.Metric;
import io.wasserflow.pipeline.run.ExperimentResult;
import io.wasserflow.pipeline.run.RunDir;
import io.wasserflow.schemas.TrainingMetric;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The trainer operator's behaviours, driven by Flink's operator test harness: no cluster, no broker,
 * the very operator the job runs, fed records by hand.
 */
class TrainerOperatorTest {
    static final String YAML = """
            data: {dataset: 8gaussians, topic: harness.images}
            experiments:
              - {name: steady, constraint: gp, architecture: {mlp: {depth: 2, width: 16}}, batch_size: 64, n_critic: 2, publish: {samples_every: 0}}
              - {name: blowup, constraint: none, optimizer: {sgd: {lr: 10}}, architecture: {mlp: {depth: 2, width: 16}}, batch_size: 64, n_critic: 2, publish: {samples_every: 0}}
            """;
    static final RunConfig CONFIG = RunConfig.parse(YAML);
    static final int STEADY = 0, BLOWUP = 1;

    /** Records of 40 points: a batch of 64 needs parts of two records. */
    static final int POINTS = 40;

    static List<ImageRecord> records(int n) {
        Rng rng = new Rng(7);
        List<ImageRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ImageRecord r = new ImageRecord();
            r.sequence = i;
            r.offset = i;
            r.count = POINTS;
            r.channels = 1;
            r.height = 1;
            r.width = 2;
            double[] xy = Toy2D.byId("8gaussians").sample(rng, POINTS);
            r.values = new float[xy.length];
            for (int j = 0; j < xy.length; j++) r.values[j] = (float) xy[j];
            out.add(r);
        }
        return out;
    }

    static OneInputStreamOperatorTestHarness<ImageRecord, TrainingMetric> harness(JobSpec spec, OperatorSubtaskState restore) throws Exception {
        return harness(spec, restore, 1, 0);
    }

    /** Subtask {@code subtask} of {@code parallelism} trainer subtasks. */
    static OneInputStreamOperatorTestHarness<ImageRecord, TrainingMetric> harness(JobSpec spec, OperatorSubtaskState restore, int parallelism, int subtask)
            throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new TrainerOperator(spec), MAX_PARALLELISM, parallelism, subtask);
        h.setup();
        if (restore != null) h.initializeState(restore);
        h.open();
        return h;
    }

    static final int MAX_PARALLELISM = 128;

    /** The records, as the broadcast hands them to a subtask: each goes to every experiment there. */
    static void feed(OneInputStreamOperatorTestHarness<ImageRecord, TrainingMetric> h, List<ImageRecord> records) throws Exception {
        for (ImageRecord r : records) h.processElement(new StreamRecord<>(r));
    }

    /** What the operator sent to a side output so far (the harness has no queue before the first). */
    static <T> List<T> side(OneInputStreamOperatorTestHarness<ImageRecord, TrainingMetric> h, org.apache.flink.util.OutputTag<T> tag) {
        var q = h.getSideOutput(tag);
        return q == null ? List.of() : q.stream().map(StreamRecord::getValue).toList();
    }

    static List<TrainingMetric> metrics(OneInputStreamOperatorTestHarness<ImageRecord, TrainingMetric> h, Metric metric) {
        List<TrainingMetric> out = new ArrayList<>();
        for (TrainingMetric m : side(h, Diagnostics.METRICS)) if (m.getName().equals(metric.id)) out.add(m);
        return out;
    }

    static List<String> states(OneInputStreamOperatorTestHarness<ImageRecord, TrainingMetric> h, String experiment) {
        List<String> out = new ArrayList<>();
        for (ExperimentState st : side(h, Diagnostics.STATES)) if (st.experiment().equals(experiment)) out.add(st.state());
        return out;
    }

    static Trainer trainer(OneInputStreamOperatorTestHarness<ImageRecord, TrainingMetric> h, int experiment) {
        return ((TrainerOperator) h.getOperator()).runnerOf(experiment).trainer();
    }

    /** The subtask, of {@code parallelism}, that trains this experiment of CONFIG. */
    static int subtaskOf(int experiment, int parallelism) {
        return TrainerAssignment.assign(TrainerAssignment.costs(CONFIG.experiments(), CONFIG.dataShape()), parallelism)[experiment];
    }

    /** The bare trainer on the same points in the same order, cut into its batches. */
    static Trainer bare(int experiment, List<ImageRecord> records) {
        return bare(CONFIG, experiment, records);
    }

    static Trainer bare(RunConfig config, int experiment, List<ImageRecord> records) {
        BlasThreads.fix(RunConfig.TrainerSlots.DEFAULT.blasThreads()); // the threads a job's trainer trains with, on this thread too
        Trainer t = new Trainer(config.experiments().get(experiment), config.dataShape());
        int b = t.config().batchSize();
        float[] all = new float[records.size() * POINTS * 2];
        for (int i = 0; i < records.size(); i++) System.arraycopy(records.get(i).values, 0, all, i * POINTS * 2, POINTS * 2);
        for (int s = 0; (s + 1) * b <= records.size() * POINTS; s++) {
            float[] batch = java.util.Arrays.copyOfRange(all, s * b * 2, (s + 1) * b * 2);
            t.step(Nd4j.create(batch, new long[] {b, 1, 1, 2}, 'c').castTo(DataType.FLOAT));
        }
        return t;
    }

    @Test
    void batchesAreCutAcrossRecordsAndThePartialBatchWaits() throws Exception {
        var h = harness(JobSpec.of(CONFIG, "cut", Topics.defaults(), null), null);
        feed(h, records(1)); // 40 points: no batch of 64 yet
        assertTrue(metrics(h, Metric.CRITIC_STEP).isEmpty());
        feed(h, records(2).subList(1, 2)); // 80: one batch, 16 wait
        assertEquals(List.of(1.0), metrics(h, Metric.CRITIC_STEP).stream().filter(m -> m.getExperiment().equals("steady")).map(TrainingMetric::getValue).toList());
        feed(h, records(8).subList(2, 8)); // 320 points: 5 batches in all
        assertEquals(5, trainer(h, STEADY).criticSteps());
        assertEquals(bare(STEADY, records(8)).parameterDigest(), trainer(h, STEADY).parameterDigest());
        assertEquals(7, side(h, Diagnostics.ALERTS).stream().filter(c -> c.experiment().equals("steady")).count(),
                "the detector checks every step: 5 critic steps, 2 generator steps");
        h.close();
    }

    @Test
    void aRestoreInTheMiddleOfABatchContinuesBitForBit() throws Exception {
        List<ImageRecord> data = records(12);
        var whole = harness(JobSpec.of(CONFIG, "whole", Topics.defaults(), null), null);
        feed(whole, data);

        var first = harness(JobSpec.of(CONFIG, "first", Topics.defaults(), null), null);
        feed(first, data.subList(0, 5)); // 200 points: 3 batches and 8 points pending
        OperatorSubtaskState snapshot = first.snapshot(1L, 1L);
        first.close();
        var second = harness(JobSpec.of(CONFIG, "second", Topics.defaults(), null), snapshot);
        feed(second, data.subList(5, data.size()));

        Trainer a = trainer(whole, STEADY), b = trainer(second, STEADY);
        assertEquals(7, a.criticSteps()); // 480 points
        assertEquals(a.criticSteps(), b.criticSteps());
        assertEquals(a.parameterDigest(), b.parameterDigest());
        assertArrayEquals(a.saveState(), b.saveState(), "optimizer moments, random state and counters too");
        whole.close();
        second.close();
    }

    @Test
    void anExperimentStopsAtItsStepLimitAndSaysItFinished() throws Exception {
        var h = harness(JobSpec.of(CONFIG, "limit", Topics.defaults(), null).withGeneratorSteps(2), null);
        feed(h, records(20)); // enough for 12 critic steps; 2 generator steps take 4
        Trainer t = trainer(h, STEADY);
        assertEquals(2, t.generatorSteps());
        assertEquals(4, t.criticSteps());
        assertEquals(List.of(ExperimentState.TRAINING, ExperimentState.FINISHED), states(h, "steady"));
        h.close();
    }

    @Test
    void aDivergingExperimentStopsAndTheOtherGoesOn() throws Exception {
        var h = harness(JobSpec.of(CONFIG, "diverge", Topics.defaults(), null), null);
        List<ImageRecord> data = records(40);
        feed(h, data); // both experiments on the same subtask, fed the same records
        assertEquals(List.of(ExperimentState.TRAINING, ExperimentState.DIVERGED), states(h, "blowup"));
        List<TrainingMetric> losses = new ArrayList<>();
        for (TrainingMetric m : metrics(h, Metric.CRITIC_LOSS)) if (m.getExperiment().equals("blowup")) losses.add(m);
        assertFalse(Double.isFinite(losses.get(losses.size() - 1).getValue()), "its last step is the one that diverged");
        long divergedAt = losses.get(losses.size() - 1).getCriticStep();
        assertTrue(divergedAt < 25, "no step after it: it stopped at critic step " + divergedAt);
        assertEquals(25, trainer(h, STEADY).criticSteps(), "the other trains on all 1,600 points");
        assertTrue(side(h, Diagnostics.ALERTS).stream().anyMatch(c -> c.experiment().equals("blowup")
                && c.changes().stream().anyMatch(a -> a.firing() && a.kind().name().equals("NON_FINITE"))), "a non-finite alert");
        h.close();
    }

    @Test
    void theEndOfInputWritesEachExperimentsStateResultAndEndOffset(@TempDir Path tmp) throws Exception {
        RunDir dir = new RunDir(tmp.resolve("runs/r-end").toString());
        // the subtask of steady, one of two: blowup trains on the other
        var h = harness(JobSpec.of(CONFIG, "r-end", Topics.defaults(), dir), null, 2, subtaskOf(STEADY, 2));
        List<ImageRecord> data = records(6);
        feed(h, data);
        h.endInput();
        Map<String, ExperimentResult> results = dir.results(List.of("steady", "blowup"));
        assertEquals(List.of("steady"), List.copyOf(results.keySet()), "only the experiment of this subtask");
        Trainer bare = bare(STEADY, data);
        assertEquals(new ExperimentResult("steady", bare.parameterDigest(), bare.generatorSteps(), bare.criticSteps(), false), results.get("steady"));
        assertArrayEquals(bare.saveState(), java.nio.file.Files.readAllBytes(dir.state("steady")));
        assertEquals(6, dir.endOffset(0), "one past the last offset trained on");
        assertEquals(ExperimentState.FINISHED, states(h, "steady").get(states(h, "steady").size() - 1));
        h.close();
    }

    /** Four experiments of different costs and batch sizes, for the tests of several subtasks. */
    static final RunConfig FOUR = RunConfig.parse("""
            data: {dataset: 8gaussians, topic: harness.images}
            experiments:
              - {name: a, constraint: gp, architecture: {mlp: {depth: 2, width: 32}}, batch_size: 64, n_critic: 2, publish: {samples_every: 0}}
              - {name: b, constraint: clip, architecture: {mlp: {depth: 2, width: 16}}, batch_size: 48, n_critic: 2, publish: {samples_every: 0}}
              - {name: c, constraint: gp, architecture: {mlp: {depth: 2, width: 16}}, batch_size: 40, n_critic: 1, publish: {samples_every: 0}}
              - {name: d, constraint: clip, architecture: {mlp: {depth: 2, width: 8}}, batch_size: 64, n_critic: 2, publish: {samples_every: 0}}
            """);

    /** The harnesses of every subtask of a parallelism, each restored from its share of {@code state} (null: none). */
    static List<OneInputStreamOperatorTestHarness<ImageRecord, TrainingMetric>> subtasks(String run, int parallelism, OperatorSubtaskState state, int oldParallelism)
            throws Exception {
        List<OneInputStreamOperatorTestHarness<ImageRecord, TrainingMetric>> out = new ArrayList<>();
        for (int s = 0; s < parallelism; s++)
            out.add(harness(JobSpec.of(FOUR, run, Topics.defaults(), null), state == null ? null
                    : OneInputStreamOperatorTestHarness.repartitionOperatorState(state, MAX_PARALLELISM, oldParallelism, parallelism, s), parallelism, s));
        return out;
    }

    static OperatorSubtaskState snapshotAll(List<OneInputStreamOperatorTestHarness<ImageRecord, TrainingMetric>> hs, long id) throws Exception {
        OperatorSubtaskState[] each = new OperatorSubtaskState[hs.size()];
        for (int i = 0; i < each.length; i++) each[i] = hs.get(i).snapshot(id, id);
        for (var h : hs) h.close();
        return OneInputStreamOperatorTestHarness.repackageState(each);
    }

    @Test
    void eachSubtaskTrainsItsOwnExperimentsOnEveryBatchItIsBroadcast() throws Exception {
        List<ImageRecord> data = records(10);
        var hs = subtasks("spread", 2, null, 0);
        List<Integer> all = new ArrayList<>();
        for (var h : hs) {
            feed(h, data); // the broadcast: every subtask sees every record
            TrainerOperator op = (TrainerOperator) h.getOperator();
            assertFalse(op.experiments().isEmpty(), "both subtasks have work");
            all.addAll(op.experiments());
            for (int e : op.experiments())
                assertEquals(bare(FOUR, e, data).parameterDigest(), op.runnerOf(e).trainer().parameterDigest(), FOUR.experiments().get(e).name());
            for (int e = 0; e < 4; e++)
                if (!op.experiments().contains(e)) assertEquals(null, op.runnerOf(e), "experiment " + e + " trained here too");
            java.util.Set<String> named = new java.util.HashSet<>();
            for (TrainingMetric m : side(h, Diagnostics.METRICS)) named.add(m.getExperiment());
            assertEquals(op.experiments().stream().map(e -> FOUR.experiments().get(e).name()).collect(java.util.stream.Collectors.toSet()), named,
                    "metrics of this subtask's experiments only");
        }
        all.sort(null);
        assertEquals(List.of(0, 1, 2, 3), all, "every experiment on exactly one subtask");
        for (var h : hs) h.close();
    }

    @Test
    void aRestoreOnAnotherParallelismContinuesEveryExperimentOnceBitForBit() throws Exception {
        List<ImageRecord> data = records(16);
        // 2 subtasks, then 1 (all four on it), then 3: each restore hands every subtask the union, each keeps its own
        var two = subtasks("rescale", 2, null, 0);
        for (var h : two) feed(h, data.subList(0, 5));
        OperatorSubtaskState afterTwo = snapshotAll(two, 1);
        var one = subtasks("rescale", 1, afterTwo, 2);
        feed(one.get(0), data.subList(5, 11));
        assertEquals(List.of(0, 1, 2, 3), ((TrainerOperator) one.get(0).getOperator()).experiments());
        OperatorSubtaskState afterOne = snapshotAll(one, 2);
        var three = subtasks("rescale", 3, afterOne, 1);
        List<Integer> all = new ArrayList<>();
        for (var h : three) {
            feed(h, data.subList(11, 16));
            TrainerOperator op = (TrainerOperator) h.getOperator();
            all.addAll(op.experiments());
            for (int e : op.experiments()) {
                Trainer expected = bare(FOUR, e, data), actual = op.runnerOf(e).trainer();
                assertEquals(expected.criticSteps(), actual.criticSteps(), FOUR.experiments().get(e).name() + ": a batch lost or trained twice");
                assertArrayEquals(expected.saveState(), actual.saveState(), FOUR.experiments().get(e).name() + ": parameters, moments, random state, counters");
            }
        }
        all.sort(null);
        assertEquals(List.of(0, 1, 2, 3), all);
        for (var h : three) h.close();
    }
}
