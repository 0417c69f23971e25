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

    static OneInputStreamOperatorTestHarness<ExperimentBatch, TrainingMetric> harness(JobSpec spec, OperatorSubtaskState restore) throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new TrainerOperator(spec, 1));
        h.setup();
        if (restore != null) h.initializeState(restore);
        h.open();
        return h;
    }

    static void feed(OneInputStreamOperatorTestHarness<ExperimentBatch, TrainingMetric> h, int experiment, List<ImageRecord> records) throws Exception {
        for (ImageRecord r : records) h.processElement(new StreamRecord<>(new ExperimentBatch(experiment, r)));
    }

    /** What the operator sent to a side output so far (the harness has no queue before the first). */
    static <T> List<T> side(OneInputStreamOperatorTestHarness<ExperimentBatch, TrainingMetric> h, org.apache.flink.util.OutputTag<T> tag) {
        var q = h.getSideOutput(tag);
        return q == null ? List.of() : q.stream().map(StreamRecord::getValue).toList();
    }

    static List<TrainingMetric> metrics(OneInputStreamOperatorTestHarness<ExperimentBatch, TrainingMetric> h, Metric metric) {
        List<TrainingMetric> out = new ArrayList<>();
        for (TrainingMetric m : side(h, Diagnostics.METRICS)) if (m.getName().equals(metric.id)) out.add(m);
        return out;
    }

    static List<String> states(OneInputStreamOperatorTestHarness<ExperimentBatch, TrainingMetric> h, String experiment) {
        List<String> out = new ArrayList<>();
        for (ExperimentState st : side(h, Diagnostics.STATES)) if (st.experiment().equals(experiment)) out.add(st.state());
        return out;
    }

    static Trainer trainer(OneInputStreamOperatorTestHarness<ExperimentBatch, TrainingMetric> h, int experiment) {
        return ((TrainerOperator) h.getOperator()).runnerOf(experiment).trainer();
    }

    /** The bare trainer on the same points in the same order, cut into its batches. */
    static Trainer bare(int experiment, List<ImageRecord> records) {
        Trainer t = new Trainer(CONFIG.experiments().get(experiment), CONFIG.dataShape());
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
        feed(h, STEADY, records(1)); // 40 points: no batch of 64 yet
        assertTrue(metrics(h, Metric.CRITIC_STEP).isEmpty());
        feed(h, STEADY, records(2).subList(1, 2)); // 80: one batch, 16 wait
        assertEquals(List.of(1.0), metrics(h, Metric.CRITIC_STEP).stream().map(TrainingMetric::getValue).toList());
        feed(h, STEADY, records(8).subList(2, 8)); // 320 points: 5 batches in all
        assertEquals(5, trainer(h, STEADY).criticSteps());
        assertEquals(bare(STEADY, records(8)).parameterDigest(), trainer(h, STEADY).parameterDigest());
        assertEquals(7, side(h, Diagnostics.ALERTS).size(), "the detector checks every step: 5 critic steps, 2 generator steps");
        h.close();
    }

    @Test
    void aRestoreInTheMiddleOfABatchContinuesBitForBit() throws Exception {
        List<ImageRecord> data = records(12);
        var whole = harness(JobSpec.of(CONFIG, "whole", Topics.defaults(), null), null);
        feed(whole, STEADY, data);

        var first = harness(JobSpec.of(CONFIG, "first", Topics.defaults(), null), null);
        feed(first, STEADY, data.subList(0, 5)); // 200 points: 3 batches and 8 points pending
        OperatorSubtaskState snapshot = first.snapshot(1L, 1L);
        first.close();
        var second = harness(JobSpec.of(CONFIG, "second", Topics.defaults(), null), snapshot);
        feed(second, STEADY, data.subList(5, data.size()));

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
        feed(h, STEADY, records(20)); // enough for 12 critic steps; 2 generator steps take 4
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
        for (ImageRecord r : data) {
            feed(h, BLOWUP, List.of(r));
            feed(h, STEADY, List.of(r));
        }
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
        var h = harness(JobSpec.of(CONFIG, "r-end", Topics.defaults(), dir), null);
        List<ImageRecord> data = records(6);
        feed(h, STEADY, data);
        h.endInput();
        Map<String, ExperimentResult> results = dir.results(List.of("steady", "blowup"));
        assertEquals(List.of("steady"), List.copyOf(results.keySet()), "only the experiment that got data");
        Trainer bare = bare(STEADY, data);
        assertEquals(new ExperimentResult("steady", bare.parameterDigest(), bare.generatorSteps(), bare.criticSteps(), false), results.get("steady"));
        assertArrayEquals(bare.saveState(), java.nio.file.Files.readAllBytes(dir.state("steady")));
        assertEquals(6, dir.endOffset(0), "one past the last offset trained on");
        assertEquals(ExperimentState.FINISHED, states(h, "steady").get(states(h, "steady").size() - 1));
        h.close();
    }
}
