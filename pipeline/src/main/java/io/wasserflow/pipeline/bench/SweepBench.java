package io.wasserflow.pipeline.bench;

import io.wasserflow.pipeline.broker.LocalKafkaBroker;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.job.JobSpec;
import io.wasserflow.pipeline.job.Topics;
import io.wasserflow.pipeline.job.TrainerAssignment;
import io.wasserflow.pipeline.job.TrainingJob;
import io.wasserflow.pipeline.run.ExperimentResult;
import io.wasserflow.pipeline.run.Machine;
import io.wasserflow.pipeline.run.RunDir;
import io.wasserflow.pipeline.source.Dataset;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * `bench --sweep N`: a sweep of N small toy experiments (MLP 3 x 128, batch 64, clip and gp in
 * turn, seeds 1..N), each for a fixed number of generator steps, through the whole pipeline on a
 * local MiniCluster (embedded broker, one BLAS thread a trainer): on one trainer slot against
 * every core's, rounds interleaved, as experiments per hour. Each round also checks that the
 * experiments end with the same digests on either layout.
 */
final class SweepBench {
    private SweepBench() {}

    static final String TOPIC = "bench.sweep.images";
    static final int BATCH = 64, N_CRITIC = 5, ROUNDS = 2;

    static String yaml(int experiments) {
        StringBuilder y = new StringBuilder("data: {dataset: 8gaussians, topic: " + TOPIC + "}\nexperiments:\n");
        for (int i = 1; i <= experiments; i++)
            y.append(String.format(Locale.ROOT, "  - {name: %s-%d, constraint: %s, architecture: {mlp: {depth: 3, width: 128}}, batch_size: %d, n_critic: %d, seed: %d, "
                    + "publish: {samples_every: 0}}%n", i % 2 == 0 ? "gp" : "clip", i, i % 2 == 0 ? "gp" : "clip", BATCH, N_CRITIC, i));
        return y.toString();
    }

    static int run(int experiments, int generatorSteps) throws Exception {
        RunConfig config = RunConfig.parse(yaml(experiments));
        int cores = Runtime.getRuntime().availableProcessors();
        int slots = Math.min(cores, experiments);
        System.out.printf(Locale.ROOT, "bench --sweep: %d experiments (MLP 3x128, batch %d, n_critic %d, clip and gp in turn), %d generator steps each, "
                + "through the pipeline on 1 slot and on %d, %d rounds interleaved%n", experiments, BATCH, N_CRITIC, generatorSteps, slots, ROUNDS);
        System.out.println("machine: " + Machine.here().describe());
        for (String line : TrainerAssignment.describe(config.experiments(), TrainerAssignment.costs(config.experiments(), config.dataShape()), slots))
            System.out.println("  " + line);
        Path tmp = Files.createTempDirectory("wasserflow-sweep-bench");
        try (LocalKafkaBroker broker = LocalKafkaBroker.start()) {
            Dataset toy = Datasets.open("8gaussians", null, 5);
            long points = (long) generatorSteps * N_CRITIC * BATCH + BATCH;
            ImageBatchProducer.produce(broker.bootstrap(), toy, TOPIC, BATCH, (double) points / toy.epochSize(), null);
            job(broker, config, 1, generatorSteps, tmp, "warm-up"); // the JIT of Flink, Kafka and the trainer, not counted
            List<Double> one = new ArrayList<>(), many = new ArrayList<>();
            Map<String, ExperimentResult> reference = null;
            for (int round = 1; round <= ROUNDS; round++) {
                for (int p : new int[] {1, slots}) {
                    String id = "sweep-" + round + "-p" + p;
                    double seconds = job(broker, config, p, generatorSteps, tmp, id);
                    (p == 1 ? one : many).add(seconds);
                    Map<String, ExperimentResult> results = RunDir.of(tmp, id).results(config.experiments().stream().map(e -> e.name()).toList());
                    if (reference == null) reference = results;
                    boolean same = RunDir.runDigest(results).equals(RunDir.runDigest(reference));
                    System.out.printf(Locale.ROOT, "round %d, %d slot%s: %.1f s, %.0f experiments/h; digests %s%n", round, p, p == 1 ? "" : "s", seconds,
                            experiments * 3600 / seconds, same ? "as on 1 slot" : "DIFFERENT from 1 slot's");
                }
            }
            double a = one.stream().mapToDouble(Double::doubleValue).average().orElseThrow(), b = many.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            System.out.printf(Locale.ROOT, "mean: 1 slot %.0f experiments/h, %d slots %.0f experiments/h: %.2fx on %d cores%n",
                    experiments * 3600 / a, slots, experiments * 3600 / b, a / b, cores);
        }
        return 0;
    }

    /** One sweep job over the whole topic at this trainer parallelism; its wall time in seconds. */
    private static double job(LocalKafkaBroker broker, RunConfig config, int parallelism, int generatorSteps, Path tmp, String runId) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        long start = System.nanoTime();
        new TrainingJob(TrainingJob.kafkaSource(broker.bootstrap(), TOPIC, OffsetsInitializer.earliest(), OffsetsInitializer.latest()),
                TrainingJob.kafkaSink(broker.bootstrap()), JobSpec.of(config, runId, Topics.defaults(), RunDir.of(tmp, runId))
                        .withGeneratorSteps(generatorSteps).withTrainerParallelism(parallelism)).execute(env);
        return (System.nanoTime() - start) / 1e9;
    }
}
