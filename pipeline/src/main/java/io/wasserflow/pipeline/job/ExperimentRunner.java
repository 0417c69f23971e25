package io.wasserflow.pipeline.job;

import io.wasserflow.models.diagnostics.GradientDetector;
import io.wasserflow.models.diagnostics.StepReport;
import io.wasserflow.models.layers.Param;
import io.wasserflow.models.nets.Network;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.job.Diagnostics.AlertCheck;
import io.wasserflow.pipeline.job.Diagnostics.ExperimentState;
import io.wasserflow.pipeline.job.Diagnostics.SamplePicture;
import io.wasserflow.pipeline.metrics.MetricRecords;
import io.wasserflow.pipeline.run.ExperimentResult;
import io.wasserflow.schemas.TrainingMetric;
import java.util.List;
import java.util.Locale;

/**
 * One experiment in the job: its trainer fed with batches cut from the stream, its step limit, and
 * the divergence policy (a non-finite loss stops it; its checkpointed state stays the last finite
 * one; the other experiments go on). What it measures goes to {@link Output}.
 */
final class ExperimentRunner {
    /** Where a runner's diagnostics go: the operator's side outputs. */
    interface Output {
        void metrics(List<TrainingMetric> records);
        void alerts(AlertCheck check);
        void sample(SamplePicture picture);
        void state(ExperimentState state);
    }

    final int index;
    private final String runId;
    private final Trainer trainer;
    private final BatchCutter batches;
    private final GradientDetector detector;
    private final Sampler sampler;
    private final long maxGeneratorSteps;
    private boolean diverged;
    /** The last state handed to a checkpoint: what a diverged experiment keeps. */
    private RunnerState lastSnapshot;

    ExperimentRunner(int index, ExperimentConfig config, JobSpec spec, Sampler sampler, byte[] saved) {
        this.index = index;
        this.runId = spec.runId();
        this.trainer = new Trainer(config, spec.dataShape());
        this.batches = new BatchCutter(config.batchSize(), spec.dataShape());
        this.detector = new GradientDetector(config.alerts());
        this.sampler = sampler;
        this.maxGeneratorSteps = spec.maxGeneratorSteps();
        if (saved != null) restore(RunnerState.decode(saved));
    }

    String name() {
        return trainer.config().name();
    }

    Trainer trainer() {
        return trainer;
    }

    boolean done() {
        return maxGeneratorSteps > 0 && trainer.steps() >= maxGeneratorSteps; // critic steps when the generator is fixed
    }

    String state() {
        return diverged ? ExperimentState.DIVERGED : done() ? ExperimentState.FINISHED : ExperimentState.TRAINING;
    }

    /** Appends a record's samples and trains on every batch they complete, until the step limit or divergence. */
    void offer(ImageRecord record, Output out) {
        if (diverged || done()) return; // later data is not for it
        batches.append(record);
        while (batches.hasBatch() && !diverged && !done()) {
            long generatorSteps = trainer.generatorSteps();
            org.nd4j.linalg.api.ndarray.INDArray batch = batches.take();
            for (StepReport report : trainer.step(batch)) {
                long now = System.currentTimeMillis();
                out.metrics(MetricRecords.of(runId, name(), report, now, trainer.config().publish().layers()));
                out.alerts(new AlertCheck(runId, name(), report.criticStep(), detector.check(report), now));
                if (!report.finite() && !diverged) diverge(report, out); // once: the generator step after a diverged critic step is non-finite too
            }
            if (trainer.generatorSteps() > generatorSteps && !diverged) sampleIfDue(out, batch);
            if (done()) out.state(new ExperimentState(runId, name(), ExperimentState.FINISHED));
        }
    }

    private void diverge(StepReport report, Output out) {
        diverged = true;
        out.state(new ExperimentState(runId, name(), ExperimentState.DIVERGED));
        System.out.printf(Locale.ROOT, "[%s] diverged: non-finite %s loss at critic step %d, generator step %d; it stops, the others go on%n",
                name(), report.kind().name().toLowerCase(Locale.ROOT), report.criticStep(), report.generatorStep());
    }

    /** Every samples_every generator steps, and at the last step of a bounded run; {@code real}: the batch just trained on (a BiGAN reconstructs it). */
    private void sampleIfDue(Output out, org.nd4j.linalg.api.ndarray.INDArray real) {
        int every = trainer.config().publish().samplesEvery();
        if (every <= 0 || (trainer.generatorSteps() % every != 0 && !done())) return;
        Sampler.Samples s = sampler.sample(trainer, real, done());
        out.metrics(s.quality());
        out.sample(new SamplePicture(runId, name(), trainer.generatorSteps(), s.png()));
        if (s.reconstructions() != null)
            out.sample(new SamplePicture(runId, name(), trainer.generatorSteps(), s.reconstructions(), Diagnostics.RECONSTRUCTIONS));
        byte[] landscape = sampler.landscape(trainer);
        if (landscape != null) out.sample(new SamplePicture(runId, name(), trainer.generatorSteps(), landscape, Diagnostics.LANDSCAPES));
    }

    /**
     * The state for a checkpoint. Only finite parameters are ever recorded: a diverged experiment gives
     * its last finite snapshot (its initial state when it diverged before any checkpoint), and so does
     * one whose parameters went non-finite in the step before this checkpoint, whose next loss will
     * declare it diverged.
     */
    byte[] snapshot() {
        if (diverged || !parametersFinite()) return lastFinite().markedDiverged().encode();
        lastSnapshot = new RunnerState(index, trainer.saveState(), batches.pending(), false);
        return lastSnapshot.encode();
    }

    /** The last snapshot taken, or the experiment's initial state (no samples pending) when none was. */
    private RunnerState lastFinite() {
        if (lastSnapshot == null) // seeded: the very parameters it started from
            lastSnapshot = new RunnerState(index, new Trainer(trainer.config(), trainer.dataShape()).saveState(), new float[0], false);
        return lastSnapshot;
    }

    /** The trainer's state to keep at the end of a run: for a diverged experiment, that of its last finite snapshot. */
    byte[] finalState() {
        return !diverged && parametersFinite() ? trainer.saveState() : lastFinite().trainer();
    }

    /** What the experiment ended with: the digest and counters of {@link #finalState()}. */
    ExperimentResult result() {
        Trainer kept = trainer;
        if (diverged || !parametersFinite()) {
            kept = new Trainer(trainer.config(), trainer.dataShape());
            kept.restoreState(lastFinite().trainer());
        }
        return new ExperimentResult(name(), kept.parameterDigest(), kept.generatorSteps(), kept.criticSteps(), diverged);
    }

    private boolean parametersFinite() {
        List<Network> networks = trainer.encoder() == null ? List.of(trainer.critic(), trainer.generator())
                : List.of(trainer.critic(), trainer.generator(), trainer.encoder());
        for (Network n : networks)
            for (Param p : n.params())
                if (p.value.isNaN().any() || p.value.isInfinite().any()) return false;
        return true;
    }

    private void restore(RunnerState s) {
        trainer.restoreState(s.trainer());
        batches.restore(s.pending());
        diverged = s.diverged();
        lastSnapshot = s.diverged() ? new RunnerState(s.experiment(), s.trainer(), s.pending(), false) : s;
    }
}
