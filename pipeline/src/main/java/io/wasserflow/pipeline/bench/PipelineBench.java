package io.wasserflow.pipeline.bench;

import io.wasserflow.models.diagnostics.StepReport;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.broker.LocalKafkaBroker;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.job.MetricRecords;
import io.wasserflow.pipeline.job.TrainingJob;
import io.wasserflow.pipeline.job.Topics;
import io.wasserflow.pipeline.metrics.MetricsEndpoint;
import io.wasserflow.pipeline.source.Dataset;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.TrainingMetric;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The bench's two pipeline figures: what publishing every metric costs the bare trainer, and the
 * training throughput through the whole pipeline over the bare trainer's on the same batches.
 */
final class PipelineBench {
    private PipelineBench() {}

    record Ratio(double pipeline, double bare) {}

    /**
     * Share of throughput lost to publishing: the same trainer alternates blocks of steps that
     * compute no diagnostics and publish nothing with blocks at the default publishing settings whose
     * records are built, Avro-encoded and set on the Prometheus endpoint, so noise hits both alike;
     * the cost is that of the median pair of blocks.
     */
    static double metricsCost(ExperimentConfig cfg, double seconds) {
        ExperimentConfig quiet = cfg.withPublish(new ExperimentConfig.Publish(0, 0, 0, cfg.publish().histogramRange(), cfg.publish().histogramBuckets()));
        long[] shape = Bench.shape(cfg);
        Trainer loud = new Trainer(cfg, shape), silent = new Trainer(quiet, shape);
        List<INDArray> batches = Bench.batches(cfg, 8);
        MetricsEndpoint endpoint = MetricsEndpoint.acquire();
        try {
            List<Double> ratios = new ArrayList<>();
            long end = System.nanoTime() + (long) (seconds * 1e9);
            int block = Math.max(cfg.nCritic() + 1, 6), i = 0;
            for (int round = 0; System.nanoTime() < end || round < 8; round++) {
                long[] nanos = new long[2];
                for (int k2 = 0; k2 < 2; k2++) {
                    int which = (round + k2) % 2; // alternate which goes first, so neither always follows the other
                    long t0 = System.nanoTime();
                    for (int k = 0; k < block; k++) {
                        INDArray real = batches.get(i++ % batches.size());
                        if (which == 0) {
                            silent.step(real);
                            continue;
                        }
                        for (StepReport r : loud.step(real)) {
                            List<TrainingMetric> records = MetricRecords.of("bench", cfg.name(), r, System.currentTimeMillis());
                            for (TrainingMetric m : records) Codec.TRAINING_METRIC.encode(m);
                            endpoint.publisher().publish(records);
                        }
                    }
                    nanos[which] = System.nanoTime() - t0;
                }
                if (round > 0) ratios.add((double) nanos[1] / nanos[0]); // the first round warms up
            }
            // the median of paired blocks: a burst of other load on the machine spoils a pair, not the figure
            java.util.Collections.sort(ratios);
            double median = ratios.size() % 2 == 1 ? ratios.get(ratios.size() / 2) : (ratios.get(ratios.size() / 2 - 1) + ratios.get(ratios.size() / 2)) / 2;
            return 1 - 1 / median;
        } finally {
            endpoint.publisher().forget("bench", cfg.name());
            endpoint.release();
        }
    }

    /**
     * The experiment trained through Kafka and a local Flink MiniCluster, and bare on the same batches.
     * Both rates are steady-state: critic steps over the time between the 10% and the last step,
     * read for the pipeline from its metric records' timestamps.
     */
    static Ratio throughput(String arch, String constraint, ExperimentConfig cfg, double seconds) throws Exception {
        String dataset = arch.equals("toy") ? "8gaussians" : "shapes";
        String yaml = "data: {dataset: " + dataset + ", topic: bench.images}\nexperiments:\n  - {name: " + cfg.name() + ", constraint: " + constraint
                + (arch.equals("toy") ? "" : ", architecture: {dcgan: {base_channels: " + Bench.DCGAN_DIM + "}}") + ", batch_size: " + cfg.batchSize() + "}\n";
        RunConfig config = RunConfig.parse(yaml);
        ExperimentConfig c = config.experiments().get(0);
        long[] shape = config.dataShape();

        // the bare trainer first: it sizes the run
        Dataset data = Datasets.open(dataset, null, 5);
        List<INDArray> batches = new ArrayList<>();
        int producerBatch = c.batchSize();
        long start = System.nanoTime();
        Trainer bare = new Trainer(c, shape);
        List<Long> stamps = new ArrayList<>();
        while (System.nanoTime() - start < seconds * 1e9 || stamps.size() < 20) {
            if (batches.size() <= stamps.size()) batches.add(toArray(data.next(producerBatch), shape));
            bare.step(batches.get(stamps.size()));
            stamps.add(System.nanoTime());
        }
        double bareBefore = steadyRate(stamps, 1e-9);
        System.out.printf("pipeline: bare trainer %d critic steps; now the same %d batches through Kafka and Flink%n", stamps.size(), batches.size());
        // a long-running job runs JIT-compiled Flink, Kafka and Pekko code; a fresh JVM spends a third of a core
        // compiling it in the first minute (measured per thread), so a first job on half the batches warms it up
        throughPipeline(dataset, config, Math.max(20, batches.size() / 2), producerBatch, data.epochSize());
        double pipelineRate = throughPipeline(dataset, config, batches.size(), producerBatch, data.epochSize());
        // and bare again on the same batches: a drift in the machine's load over the run hits both sides alike
        Trainer again = new Trainer(c, shape);
        stamps.clear();
        for (INDArray batch : batches) {
            again.step(batch);
            stamps.add(System.nanoTime());
        }
        double bareAfter = steadyRate(stamps, 1e-9);
        System.out.printf(java.util.Locale.ROOT, "pipeline: %.2f critic steps/s; bare %.2f before, %.2f after%n", pipelineRate, bareBefore, bareAfter);
        return new Ratio(pipelineRate, (bareBefore + bareAfter) / 2);
    }

    private static double throughPipeline(String dataset, RunConfig config, int nBatches, int producerBatch, long epochSize) throws Exception {
        try (LocalKafkaBroker broker = LocalKafkaBroker.start()) {
            ImageBatchProducer.produce(broker.bootstrap(), Datasets.open(dataset, null, 5), "bench.images", producerBatch,
                    (double) nBatches * producerBatch / epochSize, null);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(1);
            java.time.Duration brokerCpu = cpu(broker.pid()), ownCpu = cpu(ProcessHandle.current().pid());
            long wall = System.nanoTime();
            new TrainingJob(TrainingJob.kafkaSource(broker.bootstrap(), "bench.images", OffsetsInitializer.earliest(), OffsetsInitializer.latest()),
                    TrainingJob.kafkaSink(broker.bootstrap()), config, "bench", Topics.defaults(), null).execute(env);
            double seconds = (System.nanoTime() - wall) / 1e9;
            // on a 2-core machine every CPU-second the broker spends is taken from training
            System.out.printf(java.util.Locale.ROOT, "pipeline: the job took %.1f s; the broker's JVM used %.1f%% of a core, this JVM %.0f%% (of %d cores)%n", seconds,
                    100 * (cpu(broker.pid()).minus(brokerCpu).toNanos() / 1e9) / seconds, 100 * (cpu(ProcessHandle.current().pid()).minus(ownCpu).toNanos() / 1e9) / seconds,
                    Runtime.getRuntime().availableProcessors());
            List<Long> times = new ArrayList<>();
            Properties p = new Properties();
            p.put("bootstrap.servers", broker.bootstrap());
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                TopicPartition tp = new TopicPartition(Topics.defaults().metrics(), 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long endOffset = consumer.endOffsets(List.of(tp)).get(tp);
                while (consumer.position(tp) < endOffset)
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                        TrainingMetric m = Codec.TRAINING_METRIC.decode(r.value());
                        if (m.getName().equals("wasserflow_step_seconds") && "critic".equals(m.getLabels().get("kind"))) times.add(m.getTimeMs());
                    }
            }
            return steadyRate(times, 1e-3);
        }
    }

    private static java.time.Duration cpu(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).orElse(java.time.Duration.ZERO);
    }

    /** Steps per second between the step at 10% and the last one (timestamps in units of {@code unit} seconds). */
    static double steadyRate(List<Long> stamps, double unit) {
        int from = stamps.size() / 10, to = stamps.size() - 1;
        return (to - from) / ((stamps.get(to) - stamps.get(from)) * unit);
    }

    static INDArray toArray(Dataset.Batch b, long[] shape) {
        ByteBuffer buf = ByteBuffer.wrap(b.values()).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.count() * b.channels() * b.height() * b.width()];
        for (int i = 0; i < v.length; i++) v[i] = b.dtype() == io.wasserflow.schemas.DType.UINT8 ? (buf.get() & 0xFF) / 255f : buf.getFloat();
        return Nd4j.create(v, new long[] {b.count(), shape[0], shape[1], shape[2]}, 'c').castTo(DataType.FLOAT);
    }
}
