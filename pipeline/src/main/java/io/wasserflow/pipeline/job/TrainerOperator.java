package io.wasserflow.pipeline.job;

import io.wasserflow.models.diagnostics.StepReport;
import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.diagnostics.GradientDetector;
import io.wasserflow.models.diagnostics.ToyQuality;
import io.wasserflow.models.quality.ImageQuality;
import io.wasserflow.pipeline.source.FashionMnist;
import java.util.concurrent.CompletableFuture;
import io.wasserflow.models.util.Rng;
import io.wasserflow.models.layers.Param;
import io.wasserflow.models.nets.Network;
import io.wasserflow.pipeline.metrics.MetricsEndpoint;
import io.wasserflow.pipeline.render.SampleGrid;
import io.wasserflow.pipeline.render.Scatter;
import io.wasserflow.schemas.AlertKind;
import io.wasserflow.schemas.GradientAlert;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
    private static final Logger LOG = LoggerFactory.getLogger(TrainerOperator.class);
    private final String yaml, runId;
    private final Topics topics;
    private final String saveDir;
    private final int blasThreads;
    private final boolean progress;
    private final long maxGeneratorSteps;
    private transient Map<Integer, Long> lastProgress;

    private transient RunConfig config;
    private transient MetricsEndpoint endpoint;
    private transient Map<Integer, Runner> runners;
    private transient Map<Integer, byte[]> restored;
    private transient ListState<byte[]> checkpointed;
    /** Fashion-MNIST's quality classifier (null for other data; completes with null when unavailable). */
    private transient CompletableFuture<ImageQuality> imageQuality;
    private transient boolean waitingLogged;

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
        endpoint = MetricsEndpoint.acquire();
        runners = new HashMap<>();
        lastProgress = new HashMap<>();
        lastOffset = -1;
        if ("fashion-mnist".equals(config.dataset())) imageQuality = FashionQuality.of(FashionQuality.cacheDir(saveDir), FashionMnist.DEFAULT_DIR);
    }

    private Runner runner(int experiment) {
        return runners.computeIfAbsent(experiment, i -> {
            ExperimentConfig c = config.experiments().get(i);
            Runner r = Runner.create(i, c, config.dataShape(), restored.remove(i));
            endpoint.publisher().state(runId, c.name(), r.diverged ? "diverged" : done(r) ? "finished" : "training");
            return r;
        });
    }

    private boolean done(Runner r) {
        return maxGeneratorSteps > 0 && r.trainer.generatorSteps() >= maxGeneratorSteps;
    }

    @Override
    public void processElement(StreamRecord<ExperimentBatch> element) throws Exception {
        ExperimentBatch e = element.getValue();
        lastOffset = Math.max(lastOffset, e.batch.offset);
        Runner r = runner(e.experiment);
        if (r.diverged || done(r)) return; // later data is not for it
        r.append(e.batch);
        while (r.hasBatch() && !r.diverged && !done(r)) {
            INDArray real = r.takeBatch();
            long generatorSteps = r.trainer.generatorSteps();
            StepReport last = null;
            for (StepReport report : r.trainer.step(real)) {
                emit(r, report);
                if (report.kind() == StepReport.Kind.CRITIC) last = report;
                if (!report.finite() && !r.diverged) diverge(r, report); // once: the generator step after a diverged critic step is non-finite too
            }
            if (r.trainer.generatorSteps() > generatorSteps && !r.diverged) samples(r, done(r)); // and the last step of a bounded run
            if (done(r)) endpoint.publisher().state(runId, r.name(), "finished");
            if (progress) printProgress(r, last);
        }
    }

    private void emit(Runner r, StepReport report) {
        String key = runId + "/" + r.name();
        List<TrainingMetric> records = MetricRecords.of(runId, r.name(), report, System.currentTimeMillis());
        for (TrainingMetric m : records) output.collect(new StreamRecord<>(new Emitted(topics.metrics(), key, Codec.TRAINING_METRIC.encode(m))));
        endpoint.publisher().publish(records);
        for (GradientDetector.Alert a : r.detector.check(report)) {
            AlertKind kind = AlertKind.valueOf(a.kind().name());
            endpoint.publisher().alert(runId, r.name(), kind, a.network(), a.layer(), a.firing());
            if (!a.firing()) continue;
            GradientAlert alert = GradientAlert.newBuilder().setRun(runId).setExperiment(r.name()).setKind(kind).setNetwork(a.network())
                    .setLayer(a.layer()).setValue(a.value()).setThreshold(a.threshold()).setStep(report.criticStep()).setTimeMs(System.currentTimeMillis()).build();
            output.collect(new StreamRecord<>(new Emitted(topics.alerts(), key, Codec.GRADIENT_ALERT.encode(alert))));
            LOG.warn("{}/{}: {} gradients in {} layer {} ({}) at critic step {}", runId, r.name(), kind.name().toLowerCase(Locale.ROOT),
                    a.network(), a.layer(), a.value(), report.criticStep());
        }
    }

    /**
     * A non-finite loss: the experiment stops training (its later batches are skipped) and its state
     * in checkpoints stays the last one taken before it diverged; the other experiments go on.
     */
    private void diverge(Runner r, StepReport report) {
        r.diverged = true;
        endpoint.publisher().state(runId, r.name(), "diverged");
        System.out.printf(Locale.ROOT, "[%s] diverged: non-finite %s loss at critic step %d, generator step %d; it stops, the others go on%n",
                r.name(), report.kind().name().toLowerCase(Locale.ROOT), report.criticStep(), report.generatorStep());
    }

    /**
     * Every samples_every generator steps and at the last step of a bounded run: a sample grid (a
     * scatter over the true density for 2-D data), and its quality: for toy data the modes, for
     * Fashion-MNIST the Fréchet distance and the birthday test.
     */
    private void samples(Runner r, boolean last) throws Exception {
        ExperimentConfig c = r.trainer.config();
        long g = r.trainer.generatorSteps();
        int every = c.publish().samplesEvery();
        if (every <= 0 || (g % every != 0 && !last)) return;
        boolean toy = r.trainer.dataShape()[1] == 1 && r.trainer.dataShape()[2] == 2;
        byte[] png;
        if (toy) {
            Toy2D data = Toy2D.byId(config.dataset());
            double[] xy = r.trainer.sample(TOY_SAMPLES, c.seed() ^ g).castTo(DataType.DOUBLE).data().asDouble();
            Rng rng = new Rng(c.seed() + g);
            ToyQuality q = ToyQuality.of(data, xy, rng);
            String key = runId + "/" + r.name();
            List<TrainingMetric> quality = List.of(quality(r, g, "modes", q.modes()), quality(r, g, "high_quality_share", q.highQualityShare()),
                    quality(r, g, "w1", q.slicedW1()));
            for (TrainingMetric m : quality) output.collect(new StreamRecord<>(new Emitted(topics.metrics(), key, Codec.TRAINING_METRIC.encode(m))));
            endpoint.publisher().publish(quality);
            double[][] fake = new double[TOY_SAMPLES / 2][], real = new double[TOY_SAMPLES][];
            for (int i = 0; i < fake.length; i++) fake[i] = new double[] {xy[2 * i], xy[2 * i + 1]};
            double[] truth = data.sample(rng, TOY_SAMPLES);
            for (int i = 0; i < real.length; i++) real[i] = new double[] {truth[2 * i], truth[2 * i + 1]};
            png = Scatter.png(fake, real, String.format(Locale.ROOT, "%s, generator step %d: %d/%d modes", r.name(), g, q.modes(), q.totalModes()));
        } else {
            INDArray x = r.trainer.sample(GRID, c.seed() ^ g).castTo(DataType.FLOAT);
            float[] v = x.data().asFloat();
            // the generator ends in a sigmoid: its pixels are grey levels in [0, 1], as the data's (uint8 / 255)
            long[] s = r.trainer.dataShape();
            png = SampleGrid.png(v, GRID, (int) s[0], (int) s[1], (int) s[2], 8);
            if (imageQuality != null) imageQuality(r, g);
        }
        endpoint.putSample(runId, r.name(), png);
        if (saveDir != null) {
            Path dir = Path.of(saveDir, "samples");
            Files.createDirectories(dir);
            Files.write(dir.resolve(String.format(Locale.ROOT, "%s-g%06d.png", r.name(), g)), png);
            Files.write(dir.resolve(r.name() + ".png"), png);
        }
    }

    static final int TOY_SAMPLES = 1000, GRID = 64;

    /**
     * The Fréchet distance of {@link ImageQuality#SAMPLES} generated images to the real feature
     * statistics, and their near-duplicate pairs; skipped (one log line) while the classifier is
     * still being trained for the first time.
     */
    private void imageQuality(Runner r, long g) {
        ImageQuality q = imageQuality.getNow(null);
        if (q == null) {
            if (!imageQuality.isDone() && !waitingLogged) {
                waitingLogged = true;
                LOG.info("{}/{}: the quality classifier is still being trained; Fréchet distance and birthday test from when it is ready", runId, r.name());
            }
            return;
        }
        ExperimentConfig c = r.trainer.config();
        ImageQuality.Result res = q.evaluate(r.trainer.sample(ImageQuality.SAMPLES, ~(c.seed() ^ g)));
        String key = runId + "/" + r.name();
        List<TrainingMetric> quality = List.of(quality(r, g, "frechet_distance", res.frechetDistance()),
                quality(r, g, "birthday_duplicates", res.birthdayDuplicates()));
        for (TrainingMetric m : quality) output.collect(new StreamRecord<>(new Emitted(topics.metrics(), key, Codec.TRAINING_METRIC.encode(m))));
        endpoint.publisher().publish(quality);
    }

    private TrainingMetric quality(Runner r, long g, String measure, double value) {
        return TrainingMetric.newBuilder().setRun(runId).setExperiment(r.name()).setName("wasserflow_sample_quality")
                .setLabels(new HashMap<>(Map.of("measure", measure))).setValue(value).setGeneratorStep(g)
                .setCriticStep(r.trainer.criticSteps()).setTimeMs(System.currentTimeMillis()).build();
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
        for (Runner r : runners.values()) checkpointed.add(r.snapshot()); // a diverged one gives its last finite snapshot
        for (byte[] untouched : restored.values()) checkpointed.add(untouched); // restored here, no data yet
    }

    @Override
    public void close() throws Exception {
        if (endpoint != null) {
            endpoint.release();
            endpoint = null;
        }
        super.close();
    }

    @Override
    public void endInput() throws Exception {
        for (Runner r : runners.values()) if (!r.diverged) endpoint.publisher().state(runId, r.name(), "finished");
        if (saveDir == null) return;
        Path dir = Path.of(saveDir);
        Files.createDirectories(dir);
        for (Runner r : runners.values()) Files.write(dir.resolve(r.trainer.config().name() + ".state"), r.finiteState()); // a diverged one: its last finite state
        if (lastOffset >= 0) Files.writeString(dir.resolve(getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() + END_OFFSET_FILE), String.valueOf(lastOffset + 1));
    }

    /**
     * After {@link #endInput}, {@code <subtask>.end-offset} in the save folder holds one past the highest
     * image-topic offset this subtask trained on: a run stopped by an interrupt (unbounded, drained)
     * learns from it where it ended, so that its manifest names the records it read.
     */
    public static final String END_OFFSET_FILE = ".end-offset";
    private transient long lastOffset = -1;

    /** One experiment: its trainer and the samples that do not yet fill a batch. */
    static final class Runner {
        final int index;
        final Trainer trainer;
        final int sampleSize;
        final GradientDetector detector;
        float[] pending = new float[0];
        int pendingSamples;
        /** Set by a non-finite loss; from then on its snapshot is the last one taken before. */
        boolean diverged;
        byte[] lastSnapshot;

        Runner(int index, Trainer trainer) {
            this.index = index;
            this.trainer = trainer;
            long[] s = trainer.dataShape();
            this.sampleSize = (int) (s[0] * s[1] * s[2]);
            this.detector = new GradientDetector(trainer.config().alerts());
        }

        String name() {
            return trainer.config().name();
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

        /**
         * The state for a checkpoint. Only finite parameters are ever recorded: a diverged experiment gives
         * its last finite snapshot (its initial state when it diverged before any checkpoint), and so does
         * one whose parameters went non-finite in the step before this checkpoint, whose next loss will
         * declare it diverged.
         */
        byte[] snapshot() {
            if (diverged || !parametersFinite()) return markedDiverged(lastFinite());
            byte[] t = trainer.saveState();
            ByteBuffer buf = ByteBuffer.allocate(4 + 4 + t.length + 4 + 4 * pendingSamples * sampleSize + 1);
            buf.putInt(index).putInt(t.length).put(t).putInt(pendingSamples);
            for (int i = 0; i < pendingSamples * sampleSize; i++) buf.putFloat(pending[i]);
            buf.put((byte) (diverged ? 1 : 0));
            return lastSnapshot = buf.array();
        }

        /** The last snapshot taken, or the experiment's initial state (no samples pending) when none was. */
        private byte[] lastFinite() {
            if (lastSnapshot != null) return lastSnapshot;
            byte[] t = new Trainer(trainer.config(), trainer.dataShape()).saveState(); // seeded: the very parameters it started from
            ByteBuffer buf = ByteBuffer.allocate(4 + 4 + t.length + 4 + 1);
            buf.putInt(index).putInt(t.length).put(t).putInt(0).put((byte) 0);
            return lastSnapshot = buf.array();
        }

        /** The trainer's state to keep at the end of a run: for a diverged experiment, that of its last finite snapshot. */
        byte[] finiteState() {
            if (!diverged && parametersFinite()) return trainer.saveState();
            ByteBuffer buf = ByteBuffer.wrap(lastFinite());
            buf.getInt();
            byte[] t = new byte[buf.getInt()];
            buf.get(t);
            return t;
        }

        boolean parametersFinite() {
            for (Network n : List.of(trainer.critic(), trainer.generator()))
                for (Param p : n.params())
                    if (p.value.isNaN().any() || p.value.isInfinite().any()) return false;
            return true;
        }

        private static byte[] markedDiverged(byte[] snapshot) {
            byte[] copy = snapshot.clone();
            copy[copy.length - 1] = 1;
            return copy;
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
            diverged = buf.get() == 1;
            lastSnapshot = saved;
        }
    }
}
