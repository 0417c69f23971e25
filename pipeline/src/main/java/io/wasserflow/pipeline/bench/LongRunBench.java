package io.wasserflow.pipeline.bench;

import io.wasserflow.pipeline.broker.LocalKafkaBroker;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.job.JobSpec;
import io.wasserflow.pipeline.job.TrainingJob;
import io.wasserflow.pipeline.metrics.Metric;
import io.wasserflow.pipeline.job.Topics;
import io.wasserflow.pipeline.kafka.KafkaClients;
import io.wasserflow.pipeline.render.LinePlot;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.TrainingMetric;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.bytedeco.javacpp.Pointer;

/**
 * {@code bench --long-run N}: N critic steps of the toy MLP through the whole pipeline (Kafka, a
 * MiniCluster with checkpoints every 10 s, every metric published), sampling the process's memory
 * as it trains: the JVM heap after a full collection, the resident set outside the committed heap
 * (ND4J's native arrays, BLAS buffers, threads), JavaCPP's tracked bytes, direct buffers (Kafka, Flink's network), metaspace and code, and the resident set. After warm-up
 * (the first quarter of the steps) each should stay flat: the bench fits a line to each and reports
 * its growth over the rest of the run, and a PNG of the curves.
 */
final class LongRunBench {
    private LongRunBench() {}

    record Sample(long criticStep, double seconds, double heapMb, double offHeapMb, double directMb, double nonHeapMb, double rssMb, double nativeMb) {}

    static final String[] SERIES = {"heap after GC", "JavaCPP-tracked", "direct buffers", "metaspace + code", "resident set", "outside the heap"};

    static int run(String constraint, long criticSteps, Path out) throws Exception {
        int batch = 256;
        String yaml = "data: {dataset: 8gaussians, topic: longrun.images}\nexperiments:\n  - {name: toy-" + constraint + ", constraint: " + constraint + "}\n";
        RunConfig config = RunConfig.parse(yaml);
        Files.createDirectories(out);
        Path checkpoints = Files.createTempDirectory("wasserflow-longrun");
        System.out.printf("long run: %d critic steps of the toy MLP (%s, batch %d) through Kafka and a MiniCluster, checkpoints every 10 s%n",
                criticSteps, constraint, batch);
        try (LocalKafkaBroker broker = LocalKafkaBroker.start()) {
            var data = Datasets.open("8gaussians", null, 7);
            long sent = ImageBatchProducer.produce(broker.bootstrap(), data, "longrun.images", batch, (double) criticSteps * batch / data.epochSize(), null);
            System.out.printf("long run: %d batches in the topic; training (a line every 10%%)%n", sent);

            Configuration conf = new Configuration();
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(1);
            env.enableCheckpointing(10_000);
            JobClient client = new TrainingJob(TrainingJob.kafkaSource(broker.bootstrap(), "longrun.images", OffsetsInitializer.earliest(), OffsetsInitializer.latest()),
                    TrainingJob.kafkaSink(broker.bootstrap()), JobSpec.of(config, "longrun", Topics.defaults(), null)
                        .withBlasThreads(org.nd4j.linalg.factory.Nd4j.getEnvironment().maxMasterThreads())).executeAsync(env);

            var result = client.getJobExecutionResult(); // the local cluster shuts down with the job: watch this, not the status
            List<Sample> samples = new ArrayList<>();
            long started = System.nanoTime(), nextLine = criticSteps / 10;
            KafkaConsumer<byte[], byte[]> metrics = null; // once the job has created the metrics topic
            try {
                long step = 0, lastSample = 0;
                while (!result.isDone()) {
                    if (metrics == null) metrics = KafkaClients.consumer(broker.bootstrap(), Topics.defaults().metrics(), KafkaClients.From.START).orElse(null);
                    if (metrics != null)
                        for (ConsumerRecord<byte[], byte[]> r : metrics.poll(Duration.ofMillis(500))) {
                            TrainingMetric m = Codec.TRAINING_METRIC.decode(r.value());
                            if (m.getName().equals(Metric.CRITIC_STEP.id)) step = Math.max(step, (long) m.getValue());
                        }
                    else Thread.sleep(500);
                    if (System.nanoTime() - lastSample > 5e9 && step > 0) {
                        lastSample = System.nanoTime();
                        Sample s = sample(step, (lastSample - started) / 1e9);
                        samples.add(s);
                        if (step >= nextLine) {
                            System.out.printf(Locale.ROOT, "long run: critic step %6d at %4.0f s: heap %.0f MB, outside the heap %.0f MB, resident %.0f MB%n",
                                    step, s.seconds(), s.heapMb(), s.nativeMb(), s.rssMb());
                            nextLine = (step / (criticSteps / 10) + 1) * (criticSteps / 10);
                        }
                    }
                }
            } finally {
                if (metrics != null) metrics.close();
            }
            result.get();
            return report(samples, criticSteps, out);
        } finally {
            try (var files = Files.walk(checkpoints)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    static Sample sample(long step, double seconds) {
        System.gc(); // heap after a full collection: what is retained, not what awaits collection
        var mem = ManagementFactory.getMemoryMXBean();
        double direct = 0;
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) if (b.getName().equals("direct")) direct = b.getMemoryUsed();
        return new Sample(step, seconds, mem.getHeapMemoryUsage().getUsed() / 1e6, Pointer.totalBytes() / 1e6, direct / 1e6,
                mem.getNonHeapMemoryUsage().getUsed() / 1e6, Pointer.physicalBytes() / 1e6,
                (Pointer.physicalBytes() - mem.getHeapMemoryUsage().getCommitted()) / 1e6); // ND4J's native buffers, BLAS, threads, code
    }

    /** Fits a line to each series after warm-up; flat means its growth over that span is under 3% of its level or 8 MB. */
    static int report(List<Sample> samples, long criticSteps, Path out) throws Exception {
        List<Sample> after = samples.stream().filter(s -> s.criticStep() >= criticSteps / 4).toList();
        if (after.size() < 4) {
            System.out.println("long run: too few samples after warm-up to judge (" + after.size() + ")");
            return 1;
        }
        double span = after.get(after.size() - 1).criticStep() - after.get(0).criticStep();
        System.out.println();
        System.out.printf("%-26s %12s %12s %14s %18s  %s%n", "memory after warm-up", "first MB", "last MB", "range MB", "trend MB/10k steps", "flat");
        boolean allFlat = true;
        for (int k = 0; k < SERIES.length; k++) {
            double[] x = new double[after.size()], y = new double[after.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = after.get(i).criticStep();
                y[i] = value(after.get(i), k);
            }
            double slope = slope(x, y), growth = slope * span, level = mean(y);
            double min = java.util.Arrays.stream(y).min().orElse(0), max = java.util.Arrays.stream(y).max().orElse(0);
            boolean flat = Math.abs(growth) <= Math.max(0.03 * level, 8);
            if (k != 4) allFlat &= flat; // the resident set also holds the heap the collector chose to commit: shown, judged by its parts
            System.out.printf(Locale.ROOT, "%-26s %12.1f %12.1f %14.1f %18.2f  %s%n", SERIES[k], y[0], y[y.length - 1], max - min, slope * 1e4, flat ? "yes" : "NO");
        }
        LinePlot plot = LinePlot.titled("Memory over a long run (" + criticSteps + " critic steps, toy MLP)").xLabel("critic step").yLabel("MB");
        double[] steps = samples.stream().mapToDouble(Sample::criticStep).toArray();
        for (int k = 0; k < SERIES.length; k++) {
            final int kk = k;
            plot.series(SERIES[k], steps, samples.stream().mapToDouble(s -> value(s, kk)).toArray());
        }
        Path png = out.resolve("long-run-memory.png");
        plot.write(png);
        double seconds = samples.get(samples.size() - 1).seconds();
        System.out.printf(Locale.ROOT, "long run: %d critic steps in %.0f s (%.1f steps/s); memory %s after warm-up; curves in %s%n",
                samples.get(samples.size() - 1).criticStep(), seconds, samples.get(samples.size() - 1).criticStep() / seconds, allFlat ? "flat" : "NOT flat", png);
        return allFlat ? 0 : 1;
    }

    static double value(Sample s, int k) {
        return switch (k) {
            case 0 -> s.heapMb();
            case 1 -> s.offHeapMb();
            case 2 -> s.directMb();
            case 3 -> s.nonHeapMb();
            case 4 -> s.rssMb();
            default -> s.nativeMb();
        };
    }

    static double mean(double[] v) {
        double s = 0;
        for (double d : v) s += d;
        return s / v.length;
    }

    /** Least-squares slope of y over x. */
    static double slope(double[] x, double[] y) {
        double mx = mean(x), my = mean(y), sxy = 0, sxx = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxx == 0 ? 0 : sxy / sxx;
    }
}
