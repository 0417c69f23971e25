package io.wasserflow.pipeline.cli;

import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.pipeline.broker.LocalKafkaBroker;
import io.wasserflow.pipeline.config.ConfigException;
import io.wasserflow.pipeline.config.Presets;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.source.Dataset;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.FashionMnist;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import java.nio.file.Path;
import java.util.Map;

/**
 * `wasserflow demo`: everything embedded in one process tree. A real Kafka broker keeps its log in
 * the working folder; the dataset is streamed into it; the job trains the config's experiments
 * (by default the same critic with clipping and with the gradient penalty) on a local Flink
 * MiniCluster for N generator steps each, printing progress, then a summary.
 */
final class DemoCommand {
    private DemoCommand() {}

    static int run(Args args) throws Exception {
        Path workdir = Path.of(args.get("workdir", "wasserflow-data"));
        int steps = args.getInt("steps", 100);
        if (steps < 1) throw new UsageException("--steps must be at least 1 (running until interrupted is not available yet)");
        RunConfig config;
        try {
            if (args.has("config")) {
                config = Presets.load(args.get("config", ""));
            } else {
                String dataset = args.get("dataset", null);
                if (dataset == null) {
                    dataset = FashionMnist.installed(FashionMnist.DEFAULT_DIR) ? "fashion-mnist" : "shapes";
                    if (dataset.equals("shapes"))
                        System.out.println("demo: Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist); training on the built-in shapes");
                }
                config = RunConfig.parse(RunConfig.defaultYaml(dataset));
            }
        } catch (ConfigException e) {
            throw e.asUsage();
        }
        Dataset data = Datasets.open(config.dataset(), args.has("data") ? Path.of(args.get("data", "")) : null, 1);

        long images = 0;
        for (ExperimentConfig c : config.experiments()) images = Math.max(images, imagesFor(c, steps));
        int producerBatch = Datasets.isToy(config.dataset()) ? 256 : 64;
        System.out.printf("demo: starting a Kafka broker (its log in %s)%n", workdir.resolve("kafka").toAbsolutePath());
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(workdir.resolve("kafka"), 0)) {
            String bootstrap = broker.bootstrap();
            ImageBatchProducer.ensureTopic(bootstrap, config.topic());
            // this run trains on what it produces now: start where the topic ends (the log is kept across demos)
            Map<Integer, Long> start = LocalRun.resolve(bootstrap, config.topic(), "latest");
            System.out.printf("demo: streaming %d %s images into %s%n", images, config.dataset(), config.topic());
            ImageBatchProducer.produce(bootstrap, data, config.topic(), producerBatch, (double) images / data.epochSize(), null);
            LocalRun.run(bootstrap, config, TrainCommand.newRunId(), workdir, start, LocalRun.resolve(bootstrap, config.topic(), "latest"), steps);
        }
        return 0;
    }

    /** Real images an experiment consumes in N generator steps: one batch per critic step. */
    static long imagesFor(ExperimentConfig c, int generatorSteps) {
        long critic = 0;
        for (long g = 0; g < generatorSteps; g++) critic += c.criticStepsBefore(g);
        return critic * c.batchSize();
    }
}
