package io.wasserflow.pipeline.job;

import io.wasserflow.models.diagnostics.StepReport;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.TrainingMetric;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Holds the live trainers of the experiments routed to this subtask, cuts each experiment's own
 * batches out of the stream (the partial batch is kept in state), trains, and emits the metric
 * records. Each trainer's whole state (parameters, optimizer moments, random state, counters) and
 * its partial batch go into Flink's checkpoints as union operator state, so a restored job, on
 * any parallelism, continues bit for bit.
 */
public class TrainerOperator extends AbstractStreamOperator<Emitted> implements OneInputStreamOperator<ExperimentBatch, Emitted>, BoundedOneInput {
    private final String yaml, runId;
    private final Topics topics;
    private final String saveDir;
    private final int blasThreads;
    private final boolean progress;
    private final long maxGeneratorSteps;
    private transient Map<Integer, Long> lastProgress;

    private transient RunConfig config;
    private transient Map<Integer, Runner> runners;
    private transient Map<Integer, byte[]> restored;
    private transient ListState<byte[]> checkpointed;

    /** @param saveDir where final trainer states are written at the end of a bounded run (null: nowhere) */
    /** @param maxGeneratorSteps an experiment stops training after this many generator steps (0: never) */
    public TrainerOperator(String yaml, String runId, Topics topics, String saveDir, int blasThreads, boolean progress, long maxGeneratorSteps) {
        this.progress = progress;
        this.maxGeneratorSteps = maxGeneratorSteps;
        this.yaml = yaml;
        this.runId = runId;
        this.topics = topics;
        this.saveDir = saveDir;
        this.blasThreads = blasThreads;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        checkpointed = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("wasserflow-trainers", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        restored = new HashMap<>();
        if (context.isRestored()) for (byte[] entry : checkpointed.get()) restored.put(ByteBuffer.wrap(entry).getInt(), entry);
    }

    @Override
    public void open() throws Exception {
        super.open();
        // Each slot runs its own BLAS threads: size them so that the slots of a TaskManager do not oversubscribe its cores.
        Nd4j.getEnvironment().setMaxMasterThreads(blasThreads);
        config = RunConfig.parse(yaml);
        runners = new HashMap<>();
        lastProgress = new HashMap<>();
    }

    private Runner runner(int experiment) {
        return runners.computeIfAbsent(experiment, i -> {
            ExperimentConfig c = config.experiments().get(i);
            return Runner.create(i, c, config.dataShape(), restored.remove(i));
        });
    }

    @Override
    public void processElement(StreamRecord<ExperimentBatch> element) {
        ExperimentBatch e = element.getValue();
        Runner r = runner(e.experiment);
        if (maxGeneratorSteps > 0 && r.trainer.generatorSteps() >= maxGeneratorSteps) return; // done: later data is not for it
        r.append(e.batch);
        while (r.hasBatch() && (maxGeneratorSteps <= 0 || r.trainer.generatorSteps() < maxGeneratorSteps)) {
            INDArray real = r.takeBatch();
            StepReport last = null;
            for (StepReport report : r.trainer.step(real)) {
                emit(r, report);
                if (report.kind() == StepReport.Kind.CRITIC) last = report;
            }
            if (progress) printProgress(r, last);
        }
    }

    private void emit(Runner r, StepReport report) {
        String key = runId + "/" + r.trainer.config().name();
        for (TrainingMetric m : MetricRecords.of(runId, r.trainer.config().name(), report, System.currentTimeMillis()))
            output.collect(new StreamRecord<>(new Emitted(topics.metrics(), key, Codec.TRAINING_METRIC.encode(m))));
    }

    /** A progress line per experiment every few seconds (the local CLI's stdout; TaskManager logs on a cluster). */
    private void printProgress(Runner r, StepReport critic) {
        long now = System.currentTimeMillis();
        if (now - lastProgress.getOrDefault(r.index, 0L) < PROGRESS_EVERY_MS || critic == null) return;
        lastProgress.put(r.index, now);
        System.out.printf(java.util.Locale.ROOT, "[%s] generator step %d, critic step %d, W estimate %.4f, critic loss %.4f, %.0f images/s%n",
                r.trainer.config().name(), r.trainer.generatorSteps(), r.trainer.criticSteps(), critic.wassersteinEstimate(),
                critic.criticLoss(), critic.batchSize() / Math.max(critic.stepSeconds(), 1e-9));
    }

    static final long PROGRESS_EVERY_MS = 5000;

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        checkpointed.clear();
        for (Runner r : runners.values()) checkpointed.add(r.snapshot());
        for (byte[] untouched : restored.values()) checkpointed.add(untouched); // restored here, no data yet
    }

    @Override
    public void endInput() throws Exception {
        if (saveDir == null) return;
        Path dir = Path.of(saveDir);
        Files.createDirectories(dir);
        for (Runner r : runners.values()) Files.write(dir.resolve(r.trainer.config().name() + ".state"), r.trainer.saveState());
    }

    /** One experiment: its trainer and the samples that do not yet fill a batch. */
    static final class Runner {
        final int index;
        final Trainer trainer;
        final int sampleSize;
        float[] pending = new float[0];
        int pendingSamples;

        Runner(int index, Trainer trainer) {
            this.index = index;
            this.trainer = trainer;
            long[] s = trainer.dataShape();
            this.sampleSize = (int) (s[0] * s[1] * s[2]);
        }

        static Runner create(int index, ExperimentConfig c, long[] dataShape, byte[] saved) {
            Runner r = new Runner(index, new Trainer(c, dataShape));
            if (saved != null) r.restore(saved);
            return r;
        }

        void append(ImageRecord b) {
            int need = (pendingSamples + b.count) * sampleSize;
            if (pending.length < need) pending = java.util.Arrays.copyOf(pending, Math.max(need, 2 * pending.length));
            System.arraycopy(b.values, 0, pending, pendingSamples * sampleSize, b.count * sampleSize);
            pendingSamples += b.count;
        }

        boolean hasBatch() {
            return pendingSamples >= trainer.config().batchSize();
        }

        INDArray takeBatch() {
            int b = trainer.config().batchSize();
            long[] s = trainer.dataShape();
            float[] batch = java.util.Arrays.copyOf(pending, b * sampleSize);
            System.arraycopy(pending, b * sampleSize, pending, 0, (pendingSamples - b) * sampleSize);
            pendingSamples -= b;
            return Nd4j.create(batch, new long[] {b, s[0], s[1], s[2]}, 'c');
        }

        byte[] snapshot() {
            byte[] t = trainer.saveState();
            ByteBuffer buf = ByteBuffer.allocate(4 + 4 + t.length + 4 + 4 * pendingSamples * sampleSize);
            buf.putInt(index).putInt(t.length).put(t).putInt(pendingSamples);
            for (int i = 0; i < pendingSamples * sampleSize; i++) buf.putFloat(pending[i]);
            return buf.array();
        }

        void restore(byte[] saved) {
            ByteBuffer buf = ByteBuffer.wrap(saved);
            buf.getInt();
            byte[] t = new byte[buf.getInt()];
            buf.get(t);
            trainer.restoreState(t);
            pendingSamples = buf.getInt();
            pending = new float[pendingSamples * sampleSize];
            for (int i = 0; i < pending.length; i++) pending[i] = buf.getFloat();
        }
    }
}
