package io.wasserflow.pipeline.job;

import io.wasserflow.models.quality.ImageQuality;
import io.wasserflow.pipeline.job.Diagnostics.AlertCheck;
import io.wasserflow.pipeline.job.Diagnostics.ExperimentState;
import io.wasserflow.pipeline.job.Diagnostics.SamplePicture;
import io.wasserflow.pipeline.config.Sweep;
import io.wasserflow.pipeline.source.FashionMnist;
import io.wasserflow.schemas.TrainingMetric;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Flink side of training. Every subtask reads every decoded batch (broadcast: a batch crosses
 * to a subtask once, whatever the number of experiments) and trains the experiments that
 * {@link TrainerAssignment} gives it, each an {@link ExperimentRunner}. Their state is in Flink's
 * checkpoints as union operator state: after a restore, on any parallelism, each subtask keeps the
 * entries of the experiments it is now assigned and continues them bit for bit (keyed state would
 * leave the placement to Flink's key groups rather than the balanced assignment, and would need a
 * keyed stream where the batches are broadcast). Diagnostics go out as {@link Diagnostics} side
 * outputs; the final states and results go into the run folder at the end of input.
 */
public class TrainerOperator extends AbstractStreamOperator<TrainingMetric>
        implements OneInputStreamOperator<ImageRecord, TrainingMetric>, BoundedOneInput, ExperimentRunner.Output {
    private static final Logger LOG = LoggerFactory.getLogger(TrainerOperator.class);
    /** The trainers' union state in Flink's checkpoints: one {@link RunnerState} per experiment. */
    static final String STATE_NAME = "wasserflow-trainers";
    private final JobSpec spec;
    private final double[] costs;

    /** This subtask's experiments, in config order. */
    private transient List<Integer> mine;
    private transient Map<Integer, ExperimentRunner> runners;
    private transient Map<Integer, byte[]> restored;
    private transient ListState<byte[]> checkpointed;
    private transient Sampler sampler;
    private transient long lastOffset;

    /** @param costs each experiment's cost, as {@link TrainerAssignment#costs} gives it */
    public TrainerOperator(JobSpec spec, double[] costs) {
        if (costs.length != spec.experiments().size()) throw new IllegalArgumentException(costs.length + " costs for " + spec.experiments().size() + " experiments");
        this.spec = spec;
        this.costs = costs.clone();
    }

    public TrainerOperator(JobSpec spec) {
        this(spec, TrainerAssignment.costs(spec.experiments(), spec.dataShape()));
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        checkpointed = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>(STATE_NAME, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        var task = getRuntimeContext().getTaskInfo();
        mine = TrainerAssignment.of(costs, task.getNumberOfParallelSubtasks(), task.getIndexOfThisSubtask());
        restored = new HashMap<>();
        // the union of every subtask's entries: this subtask keeps those of its own experiments
        if (context.isRestored())
            for (byte[] entry : checkpointed.get()) {
                int experiment = RunnerState.decode(entry).experiment();
                if (mine.contains(experiment) && restored.put(experiment, entry) != null)
                    throw new IllegalStateException("experiment " + experiment + " is twice in the restored state");
            }
    }

    @Override
    public void open() throws Exception {
        super.open();
        BlasThreads.fix(spec.trainer().blasThreads());
        LOG.info("trainer {} of {} trains {} ({} BLAS threads)", getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(), mine.stream().map(i -> spec.experiments().get(i).name()).toList(),
                spec.trainer().blasThreads());
        runners = new java.util.TreeMap<>(); // config order: results and snapshots come out in the same order every run
        lastOffset = -1;
        CompletableFuture<ImageQuality> quality = "fashion-mnist".equals(spec.dataset())
                ? FashionQuality.of(FashionQuality.cacheDir(spec.runDir() == null ? null : spec.runDir().path()), FashionMnist.DEFAULT_DIR) : null;
        sampler = new Sampler(spec.runId(), spec.dataset(), quality);
    }

    private ExperimentRunner runner(int experiment) {
        return runners.computeIfAbsent(experiment, i -> {
            ExperimentRunner r = new ExperimentRunner(i, spec.experiments().get(i), spec, sampler, restored.remove(i));
            Sweep.Member member = spec.sweep().member(r.name());
            state(new ExperimentState(spec.runId(), r.name(), r.state(), member == null ? r.name() : member.method(), member == null ? "" : member.label()));
            return r;
        });
    }

    @Override
    public void processElement(StreamRecord<ImageRecord> element) {
        ImageRecord batch = element.getValue();
        lastOffset = Math.max(lastOffset, batch.offset);
        for (int experiment : mine) runner(experiment).offer(batch, this);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        checkpointed.clear();
        for (ExperimentRunner r : runners.values()) checkpointed.add(r.snapshot());
        for (byte[] untouched : restored.values()) checkpointed.add(untouched); // restored here, no data since
    }

    @Override
    public void endInput() throws Exception {
        for (ExperimentRunner r : runners.values())
            if (!r.state().equals(ExperimentState.DIVERGED)) state(new ExperimentState(spec.runId(), r.name(), ExperimentState.FINISHED));
        if (spec.runDir() == null) return;
        spec.runDir().create();
        for (ExperimentRunner r : runners.values()) spec.runDir().writeFinal(r.result(), r.finalState());
        if (lastOffset >= 0) spec.runDir().writeEndOffset(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), lastOffset + 1);
    }

    @Override
    public void metrics(List<TrainingMetric> records) {
        for (TrainingMetric m : records) output.collect(Diagnostics.METRICS, new StreamRecord<>(m));
    }

    @Override
    public void alerts(AlertCheck check) {
        output.collect(Diagnostics.ALERTS, new StreamRecord<>(check));
    }

    @Override
    public void sample(SamplePicture picture) {
        output.collect(Diagnostics.SAMPLES, new StreamRecord<>(picture));
    }

    @Override
    public void state(ExperimentState state) {
        output.collect(Diagnostics.STATES, new StreamRecord<>(state));
    }

    /** This subtask's experiments, for the operator tests. */
    List<Integer> experiments() {
        return mine;
    }

    /** The experiment's runner here, for the operator tests. */
    ExperimentRunner runnerOf(int experiment) {
        return runners.get(experiment);
    }
}
