package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.kafka.KafkaClients;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.pipeline.BadInputException;
import io.wasserflow.pipeline.broker.LocalKafkaBroker;
import io.wasserflow.pipeline.config.Presets;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.source.Dataset;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.FashionMnist;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import io.wasserflow.pipeline.job.Topics;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.TrainingMetric;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `wasserflow demo`: everything embedded in one process tree. A real Kafka broker keeps its log in
 * the working folder; the dataset is streamed into it; the job trains the config's experiments
 * (by default the same critic with clipping and with the gradient penalty) on a local Flink
 * MiniCluster for N generator steps each, printing progress, then a summary.
 */
@Command(name = "demo", description = {"Everything embedded in one process tree: a Kafka broker, the dataset streamed into it, the config's experiments "
        + "trained on a local Flink MiniCluster, the Prometheus endpoint, sample pictures, a summary.",
        "Default (no --dataset, no --config): the `demo` preset, clipping against the gradient penalty on the 8 Gaussians in a fast "
                + "setting, 500 generator steps, a few minutes on two cores. With --dataset: the same critic with clipping and with the "
                + "penalty in the reference setting for that data, 100 generator steps."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--dataset", paramLabel = "D", completionCandidates = ProduceCommand.DatasetNames.class,
            description = "one of ${COMPLETION-CANDIDATES}: the reference clip and gp pair on it (default: the `demo` preset, on 8gaussians)")
    String dataset;

    /** Generator steps of the default demo: 8 of 8 modes with the penalty, in a few minutes on two cores (README). */
    static final int DEFAULT_DEMO_STEPS = 500, DEFAULT_STEPS = 100;

    @Option(names = "--steps", paramLabel = "N", description = "generator steps per experiment (critic steps where the generator is fixed); 0 trains until Ctrl-C (default: "
            + DEFAULT_DEMO_STEPS + " for the default demo, " + DEFAULT_STEPS + " otherwise)")
    Integer stepsOption;
    int steps;

    @Option(names = "--config", paramLabel = "FILE|PRESET", description = "the experiments (a YAML file or a preset's name) in place of the default")
    String configSpec;

    @Mixin
    WorkdirOption workdirOption;

    @Mixin
    MetricsBindOption metricsBind;

    @Option(names = "--dry-run", description = DryRun.FLAG_HELP)
    boolean dryRun;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST's folder (default: the Debian package's)")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        Path workdir = workdirOption.dir;
        boolean defaultDemo = configSpec == null && dataset == null;
        steps = stepsOption != null ? stepsOption : defaultDemo ? DEFAULT_DEMO_STEPS : DEFAULT_STEPS;
        if (steps < 0) throw new BadInputException("--steps must be 0 (train until interrupted) or a number of generator steps (critic steps where the generator is fixed), not " + steps);
        RunConfig config;
        if (configSpec != null) {
            config = Presets.load(configSpec);
        } else if (defaultDemo) {
            config = Presets.load("demo");
            if (!dryRun) System.out.printf("demo: weight clipping against the gradient penalty on the 8 Gaussians, %d generator steps (presets/demo.yaml); "
                    + "images: --dataset %s%n", steps, FashionMnist.installed(FashionMnist.DEFAULT_DIR) ? "fashion-mnist" : "shapes");
        } else {
            config = RunConfig.parse(RunConfig.defaultYaml(dataset));
        }
        if (dryRun) {
            DryRun.print(config, System.out);
            return 0;
        }
        io.wasserflow.pipeline.config.MemoryCheck.check(config); // before the broker, the data and the job
        Dataset data = Datasets.open(config.dataset(), dataDir, 1);

        long images = 0;
        for (ExperimentConfig c : config.experiments()) images = Math.max(images, imagesFor(c, steps));
        int producerBatch = producerBatch(config);
        System.out.printf("demo: starting a Kafka broker (its log in %s)%n", workdir.resolve("kafka").toAbsolutePath());
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(workdir.resolve("kafka"), 0)) {
            String bootstrap = broker.bootstrap();
            KafkaClients.ensureTopic(bootstrap, config.topic());
            // this run trains on what it produces now: start where the topic ends (the log is kept across demos)
            Map<Integer, Long> start = LocalRun.resolve(bootstrap, config.topic(), "latest");
            String runId = TrainCommand.newRunId();
            if (steps == 0) {
                System.out.printf("demo: streaming %s images into %s while the experiments train, a little ahead of them%n", config.dataset(), config.topic());
                try (Streamer streamer = new Streamer(bootstrap, data, config, producerBatch, runId)) {
                    streamer.start();
                    LocalRun.run(new LocalRun.Broker(bootstrap, broker.directory()), config, runId, workdir, start, null, 0, null, streamer::close, null);
                }
            } else {
                System.out.printf("demo: streaming %d %s images into %s%n", images, config.dataset(), config.topic());
                ImageBatchProducer.produce(bootstrap, data, config.topic(), producerBatch, (double) images / data.epochSize(), null);
                LocalRun.run(new LocalRun.Broker(bootstrap, broker.directory()), config, runId, workdir, start, LocalRun.resolve(bootstrap, config.topic(), "latest"),
                        steps, null, () -> {}, null);
            }
        }
        return 0;
    }

    /** Images a record of the demo's producer holds: 256 toy points, 64 images. */
    static int producerBatch(RunConfig config) {
        return Datasets.isToy(config.dataset()) ? 256 : 64;
    }

    /** Real images an experiment consumes in N steps (generator steps, or critic steps for a fixed generator): one batch per critic step. */
    static long imagesFor(ExperimentConfig c, int steps) {
        return c.criticStepsIn(steps) * c.batchSize();
    }

    /**
     * The producer of a run with no end: streams the dataset for as long as the run lasts, at most
     * {@link #AHEAD} batches ahead of the fastest experiment (read back from the metrics topic), so the
     * topic does not fill the disk while nothing trains on it.
     */
    static final class Streamer extends Thread implements AutoCloseable {
        /** The metrics topic shows progress up to a second late (the job's sink lingers 1 s): more than a second of the fastest toy trainer's batches. */
        static final int AHEAD = 128;
        private final String bootstrap;
        private final Dataset data;
        private final RunConfig config;
        private final int batch;
        private final String runId;
        private final Map<String, Integer> batchSizes = new java.util.HashMap<>();
        private final KafkaConsumer<byte[], byte[]> metrics;
        private volatile boolean stopped;
        private long consumedImages;

        Streamer(String bootstrap, Dataset data, RunConfig config, int batch, String runId) throws Exception {
            super("wasserflow-demo-producer");
            setDaemon(true);
            this.bootstrap = bootstrap;
            this.data = data;
            this.config = config;
            this.batch = batch;
            this.runId = runId;
            for (ExperimentConfig c : config.experiments()) batchSizes.put(c.name(), c.batchSize());
            String topic = Topics.defaults().metrics();
            KafkaClients.ensureTopic(bootstrap, topic); // the job creates it too, but only once it writes
            metrics = KafkaClients.consumer(bootstrap, topic, KafkaClients.From.END).orElseThrow(); // its start fixed before the job writes anything
        }

        @Override
        public void run() {
            try {
                ImageBatchProducer.produce(bootstrap, data, config.topic(), batch, 1e6, sent -> {
                    while (!stopped && sent - consumed() > (long) AHEAD * batch) sleepQuietly();
                    if (stopped) throw new Stopped();
                });
            } catch (Stopped e) {
                // interrupted: what was sent stays in the topic
            } catch (Exception e) {
                System.err.println("wasserflow: demo producer failed: " + e.getMessage());
            } finally {
                synchronized (metrics) {
                    metrics.close();
                }
            }
        }

        /** Images the fastest experiment has trained on: its critic steps times its batch size. */
        private long consumed() {
            synchronized (metrics) {
                for (ConsumerRecord<byte[], byte[]> r : metrics.poll(Duration.ofMillis(100))) {
                    TrainingMetric m;
                    try {
                        m = Codec.TRAINING_METRIC.decode(r.value());
                    } catch (Codec.DecodeException e) {
                        continue; // not ours to judge: the metrics topic is written by the job
                    }
                    if (m.getRun().equals(runId) && m.getName().equals(io.wasserflow.pipeline.metrics.Metric.CRITIC_STEP.id))
                        consumedImages = Math.max(consumedImages, (long) m.getValue() * batchSizes.getOrDefault(m.getExperiment(), 1));
                }
                return consumedImages;
            }
        }

        private static void sleepQuietly() {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Stopped();
            }
        }

        @Override
        public void close() {
            stopped = true;
        }

        private static final class Stopped extends RuntimeException {
            Stopped() {
                super(null, null, false, false);
            }
        }
    }
}
