package io.wasserflow.pipeline.job;

import io.wasserflow.models.quality.ImageQuality;
import io.wasserflow.pipeline.job.Diagnostics.AlertCheck;
import io.wasserflow.pipeline.job.Diagnostics.ExperimentState;
import io.wasserflow.pipeline.job.Diagnostics.SamplePicture;
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
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Flink side of training: the experiments routed to this subtask, each an {@link ExperimentRunner},
 * their state in Flink's checkpoints as union operator state (so a restored job, on any parallelism,
 * continues bit for bit), their diagnostics out as {@link Diagnostics} side outputs, and their final
 * states and results into the run folder at the end of input.
 */
public class TrainerOperator extends AbstractStreamOperator<TrainingMetric>
        implements OneInputStreamOperator<ExperimentBatch, TrainingMetric>, BoundedOneInput, ExperimentRunner.Output {
    private final JobSpec spec;
    private final int blasThreads;

    private transient Map<Integer, ExperimentRunner> runners;
    private transient Map<Integer, byte[]> restored;
    private transient ListState<byte[]> checkpointed;
    private transient Sampler sampler;
    private transient long lastOffset;

    /** @param blasThreads BLAS threads of this subtask's trainers */
    public TrainerOperator(JobSpec spec, int blasThreads) {
        this.spec = spec;
        this.blasThreads = blasThreads;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        checkpointed = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("wasserflow-trainers", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        restored = new HashMap<>();
        if (context.isRestored()) for (byte[] entry : checkpointed.get()) restored.put(RunnerState.decode(entry).experiment(), entry);
    }

    @Override
    public void open() throws Exception {
        super.open();
        Nd4j.getEnvironment().setMaxMasterThreads(blasThreads);
        runners = new HashMap<>();
        lastOffset = -1;
        CompletableFuture<ImageQuality> quality = "fashion-mnist".equals(spec.dataset())
                ? FashionQuality.of(FashionQuality.cacheDir(spec.runDir() == null ? null : spec.runDir().path()), FashionMnist.DEFAULT_DIR) : null;
        sampler = new Sampler(spec.runId(), spec.dataset(), quality);
    }

    private ExperimentRunner runner(int experiment) {
        return runners.computeIfAbsent(experiment, i -> {
            ExperimentRunner r = new ExperimentRunner(i, spec.experiments().get(i), spec, sampler, restored.remove(i));
            state(new ExperimentState(spec.runId(), r.name(), r.state()));
            return r;
        });
    }

    @Override
    public void processElement(StreamRecord<ExperimentBatch> element) {
        ExperimentBatch e = element.getValue();
        lastOffset = Math.max(lastOffset, e.batch.offset);
        runner(e.experiment).offer(e.batch, this);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        checkpointed.clear();
        for (ExperimentRunner r : runners.values()) checkpointed.add(r.snapshot());
        for (byte[] untouched : restored.values()) checkpointed.add(untouched); // restored here, no data yet
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

    /** The experiment's runner here, for the operator tests. */
    ExperimentRunner runnerOf(int experiment) {
        return runners.get(experiment);
    }
}
