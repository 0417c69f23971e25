package io.wasserflow.pipeline.bench;

import io.wasserflow.models.diagnostics.StepReport;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.broker.LocalKafkaBroker;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.job.JobSpec;
import io.wasserflow.pipeline.metrics.Metric;
import io.wasserflow.pipeline.metrics.MetricRecords;
import io.wasserflow.pipeline.job.TrainingJob;
import io.wasserflow.pipeline.job.Topics;
import io.wasserflow.pipeline.kafka.KafkaClients;
import io.wasserflow.pipeline.metrics.MetricsEndpoint;
import io.wasserflow.pipeline.source.Dataset;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.TrainingMetric;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The bench's two pipeline figures: what publishing every metric costs the bare trainer, and the
 * training throughput through the whole pipeline over the bare trainer's on the same batches.
 */
final class PipelineBench {
    private PipelineBench() {}

    /** The figure, the median of its samples, with the distribution-free 95% interval of that median. */
    record Estimate(double median, double low, double high, int samples) {
        static Estimate of(List<Double> values) {
            List<Double> v = new ArrayList<>(values);
            java.util.Collections.sort(v);
            int n = v.size();
            double median = n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
            // order statistics j and n + 1 - j, j the largest with P(Binomial(n, 1/2) < j) <= 2.5%: the median lies between them
            // with probability at least 95%, whatever the distribution (for n < 6 no j qualifies: the whole range)
            int j = 0;
            double logPmf = -n * Math.log(2), below = 0; // P(X = i) and P(X < i), i = j
            while (below + Math.exp(logPmf) <= 0.025) {
                below += Math.exp(logPmf);
                logPmf += Math.log((double) (n - j) / (j + 1));
                j++;
            }
            j = Math.max(1, j);
            int k = n + 1 - j;
            return new Estimate(median, v.get(j - 1), v.get(k - 1), n);
        }
    }

    /**
     * Share of throughput lost to publishing: one trainer alternates blocks of steps that compute no
     * diagnostics and publish nothing with blocks at the default publishing settings whose
     * diagnostics are computed and whose records are built, Avro-encoded and set on the Prometheus
     * endpoint, so noise hits both alike; the cost is that of the median pair of blocks, with its 95%
     * interval. One trainer, not two: two trainers differ by a few percent on their own (their
     * memory), as an A/A run of two silent trainers showed. A step's time scatters widely on this
     * machine (garbage collection, other load), so it runs for three times {@code seconds}.
     */
    static Estimate metricsCost(ExperimentConfig cfg, double seconds) {
        long[] shape = Bench.shape(cfg);
        Trainer trainer = new Trainer(cfg, shape);
        List<INDArray> batches = Bench.batches(cfg, 8);
        MetricsEndpoint endpoint = MetricsEndpoint.acquire();
        try {
            List<Double> costs = new ArrayList<>();
            long end = System.nanoTime() + (long) (COST_SPAN * seconds * 1e9);
            // a block is whole critic cycles (n_critic critic steps and the generator step after them): a block that held
            // one generator step against one that held two would be noise of 20% on its own
            int block = cfg.nCritic() * (int) Math.ceil(5.0 / cfg.nCritic()), i = 0;
            for (int round = 0; System.nanoTime() < end || round < 8; round++) {
                long[] nanos = new long[2];
                for (int k2 = 0; k2 < 2; k2++) {
                    int which = (round + k2) % 2; // alternate which goes first, so neither always follows the other
                    trainer.diagnostics(which == 1);
                    long t0 = System.nanoTime();
                    for (int k = 0; k < block; k++) {
                        List<StepReport> reports = trainer.step(batches.get(i++ % batches.size()));
                        if (which == 0) continue;
                        for (StepReport r : reports) {
                            List<TrainingMetric> records = MetricRecords.of("bench", cfg.name(), r, System.currentTimeMillis());
                            for (TrainingMetric m : records) Codec.TRAINING_METRIC.encode(m);
                            endpoint.publisher().publish(records);
                        }
                    }
                    nanos[which] = System.nanoTime() - t0;
                }
                // the share of throughput lost in this pair; a burst of other load on the machine spoils a pair, not the median
                if (round > 0) costs.add(1 - (double) nanos[0] / nanos[1]); // the first round warms up
            }
            return Estimate.of(costs);
        } finally {
            endpoint.publisher().forget("bench", cfg.name());
            endpoint.release();
        }
    }

    /** Nine rounds: the median's distribution-free 95% interval is then the 2nd to the 8th round (96.1%); five give none. */
    static final int ROUNDS = 9, COST_SPAN = 3;

    /**
     * The experiment trained through Kafka and a local Flink MiniCluster, and bare on the same batches,
     * in {@link #ROUNDS} rounds: bare, pipeline, bare, pipeline, ..., bare, each pipeline run set
     * against the mean of the bare runs around it, so a drift in the machine's load hits both sides
     * of a ratio alike. Every rate is steady-state: critic steps over the time between the 10% and
     * the last step, read for the pipeline from its metric records' timestamps.
     *
     * <p>Each round also runs the pipeline with periodic checkpoints every {@link #CHECKPOINT_MS} (to a temporary
     * folder, as a local run keeps them), next to the run without, in alternating order: what checkpointing costs
     * the pipeline, the trainers' state being serialized in the task thread. And once more with the Kafka sink
     * {@code EXACTLY_ONCE} (transactions committed at each checkpoint), next to the checkpointed at-least-once run:
     * what the README's choice of at-least-once saves.
     *
     * @return each round's ratio (its pipeline run's rate over the mean of the bare runs just before and after it), and
     *         each round's checkpointing cost (1 - the checkpointed run's rate over the run without), and each round's
     *         exactly-once cost (1 - the exactly-once run's rate over the checkpointed at-least-once run's)
     */
    static Rounds throughput(String arch, String constraint, ExperimentConfig cfg, double seconds) throws Exception {
        String dataset = arch.equals("toy") ? "8gaussians" : "shapes";
        String yaml = "data: {dataset: " + dataset + ", topic: " + TOPIC + "}\nexperiments:\n  - {name: " + cfg.name() + ", constraint: " + constraint
                + (arch.equals("toy") ? "" : ", architecture: {dcgan: {base_channels: " + Bench.DCGAN_DIM + "}}") + ", batch_size: " + cfg.batchSize() + "}\n";
        RunConfig config = RunConfig.parse(yaml);
        ExperimentConfig c = config.experiments().get(0);
        long[] shape = config.dataShape();

        // a sizing run, not a measurement (it converts each batch between its steps): the rounds train on as many
        // batches as the bare trainer trains on in `seconds`
        Dataset data = Datasets.open(dataset, null, 5);
        int producerBatch = c.batchSize();
        List<INDArray> batches = new ArrayList<>();
        Bench.onOwnThread(() -> {
            long start = System.nanoTime();
            Trainer sizing = new Trainer(c, shape);
            while (System.nanoTime() - start < seconds * 1e9 || batches.size() < 20) {
                batches.add(toArray(data.next(producerBatch), shape));
                sizing.step(batches.get(batches.size() - 1));
            }
            return null;
        });
        // every bare run of the rounds, the first one too, trains on the batches ready-made
        Callable<Steady> bareRun = () -> {
            Trainer again = new Trainer(c, shape);
            List<Long> t = new ArrayList<>();
            List<Double> inside = new ArrayList<>();
            for (INDArray batch : batches) {
                double s = 0;
                for (StepReport r : again.step(batch)) s += r.stepSeconds();
                t.add(System.nanoTime());
                inside.add(s);
            }
            return Steady.of(t, 1e-9, inside);
        };
        List<Steady> bare = new ArrayList<>(), pipeline = new ArrayList<>();
        List<Double> ratios = new ArrayList<>(), checkpointCosts = new ArrayList<>(), exactlyOnceCosts = new ArrayList<>(), stepTimeRatios = new ArrayList<>(),
                insideShares = new ArrayList<>();
        System.out.printf(Locale.ROOT, "pipeline: %d batches, as many as the bare trainer trains on in %.0f s; now %d rounds of them through Kafka and Flink, "
                + "each between bare runs on them%n", batches.size(), seconds, ROUNDS);
        try (LocalKafkaBroker broker = LocalKafkaBroker.start()) {
            // the image topic holds exactly the bare trainer's batches: the producer's stream from the same seed
            ImageBatchProducer.produce(broker.bootstrap(), Datasets.open(dataset, null, 5), TOPIC, producerBatch,
                    (double) batches.size() * producerBatch / data.epochSize(), null);
            // a long-running job runs JIT-compiled Flink, Kafka and Pekko code, which a fresh JVM compiles in its
            // first minute: a first job, not counted, warms it up
            throughPipeline(broker, config, "bench-warm-up", null, DeliveryGuarantee.AT_LEAST_ONCE);
            bare.add(Bench.onOwnThread(bareRun)); // just before the first round, as every later one runs just after its round
            Path checkpoints = Files.createTempDirectory("wasserflow-bench-checkpoints");
            try {
                for (int round = 1; round <= ROUNDS; round++) {
                    // the checkpointed runs go first in even rounds and last in odd ones, the exactly-once one beside its pair
                    Steady checkpointed = null, exactlyOnce = null;
                    if (round % 2 == 0) {
                        exactlyOnce = throughPipeline(broker, config, "bench-" + round + "-exactly-once", checkpoints, DeliveryGuarantee.EXACTLY_ONCE);
                        checkpointed = throughPipeline(broker, config, "bench-" + round + "-checkpointed", checkpoints, DeliveryGuarantee.AT_LEAST_ONCE);
                    }
                    pipeline.add(throughPipeline(broker, config, "bench-" + round, null, DeliveryGuarantee.AT_LEAST_ONCE));
                    bare.add(Bench.onOwnThread(bareRun));
                    if (round % 2 == 1) {
                        checkpointed = throughPipeline(broker, config, "bench-" + round + "-checkpointed", checkpoints, DeliveryGuarantee.AT_LEAST_ONCE);
                        exactlyOnce = throughPipeline(broker, config, "bench-" + round + "-exactly-once", checkpoints, DeliveryGuarantee.EXACTLY_ONCE);
                    }
                    Steady p = pipeline.get(round - 1), before = bare.get(round - 1), after = bare.get(round);
                    ratios.add(p.rate() / ((before.rate() + after.rate()) / 2));
                    // the ratio's two factors: the steps themselves slower (or faster) than bare ones, and time outside the steps
                    stepTimeRatios.add(((before.stepMs() + after.stepMs()) / 2) / p.stepMs());
                    insideShares.add(p.inside());
                    checkpointCosts.add(1 - checkpointed.rate() / p.rate());
                    exactlyOnceCosts.add(1 - exactlyOnce.rate() / checkpointed.rate());
                    System.out.printf(Locale.ROOT, "pipeline: round %d: %.2f critic steps/s, bare %.2f before and %.2f after: ratio %.3f "
                            + "(a step's own time %.2f ms, bare %.2f and %.2f; inside steps %.1f%% of the time, bare %.1f%% and %.1f%%); "
                            + "with a checkpoint every %d ms %.2f: %.1f%% slower; and the sink exactly-once %.2f: %.1f%% slower again%n", round,
                            p.rate(), before.rate(), after.rate(), ratios.get(round - 1), p.stepMs(), before.stepMs(), after.stepMs(), 100 * p.inside(),
                            100 * before.inside(), 100 * after.inside(), CHECKPOINT_MS, checkpointed.rate(), 100 * checkpointCosts.get(round - 1),
                            exactlyOnce.rate(), 100 * exactlyOnceCosts.get(round - 1));
                }
            } finally {
                try (Stream<Path> files = Files.walk(checkpoints)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
        return new Rounds(ratios, checkpointCosts, exactlyOnceCosts, stepTimeRatios, insideShares);
    }

    /**
     * A run's steady state, between its step at 10% and its last: critic steps per second; the time its training steps
     * themselves took (critic and generator, as each step measures itself) per critic step, in ms; and their share of the
     * window's wall time (the rest is everything around the steps: input, records, sinks, pictures, waiting).
     */
    record Steady(double rate, double stepMs, double inside) {
        /** @param stamps each critic step's end, in units of {@code unit} seconds; @param seconds each one's own step time */
        static Steady of(List<Long> stamps, double unit, List<Double> seconds) {
            int from = stamps.size() / 10, to = stamps.size() - 1;
            double wall = (stamps.get(to) - stamps.get(from)) * unit, in = 0;
            for (int i = from + 1; i <= to; i++) in += seconds.get(i);
            return new Steady((to - from) / wall, 1e3 * in / (to - from), in / wall);
        }
    }

    /**
     * The pipeline rounds: throughput ratios over the bare trainer, the share of throughput periodic checkpoints cost,
     * and the share an exactly-once sink costs on top of them (its transactions commit at each checkpoint).
     */
    record Rounds(List<Double> ratios, List<Double> checkpointCosts, List<Double> exactlyOnceCosts, List<Double> stepTimeRatios, List<Double> insideShares) {}

    /**
     * The bench's checkpoint interval: far shorter than a local run's default (60 s) so a job of a few seconds takes
     * several; the cost at another interval scales with the number of checkpoints, 1/interval.
     */
    static final long CHECKPOINT_MS = 1000;

    static final String TOPIC = "bench.images";

    /**
     * One job over the whole image topic under this run id: its steady rate in critic steps per second. With a
     * folder, the job checkpoints every {@link #CHECKPOINT_MS} into it, as a local run does (file storage, retained).
     */
    private static Steady throughPipeline(LocalKafkaBroker broker, RunConfig config, String runId, Path checkpoints, DeliveryGuarantee guarantee)
            throws Exception {
        Configuration conf = new Configuration();
        if (checkpoints != null) {
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
            conf.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 3);
            conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        if (checkpoints != null) env.enableCheckpointing(CHECKPOINT_MS);
        else if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) throw new IllegalArgumentException("an exactly-once sink commits at checkpoints");
        env.setParallelism(1);
        Duration brokerCpu = cpu(broker.pid()), ownCpu = cpu(ProcessHandle.current().pid());
        long wall = System.nanoTime();
        TrainingJob.sinkPerUse(TrainingJob.kafkaSource(broker.bootstrap(), TOPIC, OffsetsInitializer.earliest(), OffsetsInitializer.latest()),
                uid -> TrainingJob.kafkaSink(broker.bootstrap(), guarantee, "wasserflow-" + runId + "-" + uid), JobSpec.of(config, runId, Topics.defaults(), null)
                        .withBlasThreads(Nd4j.getEnvironment().maxMasterThreads())).execute(env);
        double seconds = (System.nanoTime() - wall) / 1e9;
        // on a 2-core machine every CPU-second the broker spends is taken from training
        System.out.printf(Locale.ROOT, "pipeline: %s: the job took %.1f s; the broker's JVM used %.1f%% of a core, this JVM %.0f%% (of %d cores)%n", runId, seconds,
                100 * (cpu(broker.pid()).minus(brokerCpu).toNanos() / 1e9) / seconds, 100 * (cpu(ProcessHandle.current().pid()).minus(ownCpu).toNanos() / 1e9) / seconds,
                Runtime.getRuntime().availableProcessors());
        // each batch's time stamp (its critic step's, taken after the batch's steps) and the seconds of its steps: the critic
        // step's, and the generator step's that follows it on the same batch, as the bare run counts them
        List<Long> times = new ArrayList<>();
        List<Double> stepSeconds = new ArrayList<>();
        KafkaClients.readToEnd(broker.bootstrap(), Topics.defaults().metrics(), r -> {
            TrainingMetric m = Codec.TRAINING_METRIC.decode(r.value());
            if (!m.getRun().equals(runId) || !m.getName().equals(Metric.STEP_SECONDS.id)) return;
            if ("critic".equals(m.getLabels().get("kind"))) {
                times.add(m.getTimeMs());
                stepSeconds.add(m.getValue());
            } else if (!stepSeconds.isEmpty()) stepSeconds.set(stepSeconds.size() - 1, stepSeconds.get(stepSeconds.size() - 1) + m.getValue());
        });
        return Steady.of(times, 1e-3, stepSeconds);
    }

    private static Duration cpu(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).orElse(Duration.ZERO);
    }

    static INDArray toArray(Dataset.Batch b, long[] shape) {
        ByteBuffer buf = ByteBuffer.wrap(b.values()).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.count() * b.channels() * b.height() * b.width()];
        for (int i = 0; i < v.length; i++) v[i] = b.dtype() == io.wasserflow.schemas.DType.UINT8 ? (buf.get() & 0xFF) / 255f : buf.getFloat();
        return Nd4j.create(v, new long[] {b.count(), shape[0], shape[1], shape[2]}, 'c').castTo(DataType.FLOAT);
    }
}
