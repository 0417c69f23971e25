package io.wasserflow.pipeline.cluster;

import io.wasserflow.pipeline.run.RunDir;
import static io.wasserflow.pipeline.testing.TinyConfigs.clip;
import static io.wasserflow.pipeline.testing.TinyConfigs.gp;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.job.Topics;
import io.wasserflow.pipeline.job.JobSpec;
import io.wasserflow.pipeline.job.TrainingJob;
import io.wasserflow.pipeline.testing.TinyConfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The training job as the cluster tests run it, and the check that two runs ended with the same parameters. */
final class TrainingRuns {
    private TrainingRuns() {}

    static final String TOPIC = "cluster.images";
    /** Two experiments, one per slot; wide enough that a few hundred records take tens of seconds on two cores. */
    static final RunConfig CONFIG = RunConfig.parse(TinyConfigs.toy(TOPIC, gp().wide(), clip().wide()));
    static final int PRODUCER_BATCH = 64, EXPERIMENT_BATCH = 100;

    /**
     * A sweep of eight small experiments of different sizes, batch sizes and n_critic, so their costs differ and the
     * balanced assignment puts unequal numbers on the subtasks.
     */
    static final RunConfig SWEEP = RunConfig.parse(TinyConfigs.toy(TOPIC,
            gp().named("gp-a").mlp(3, 128).batchSize(100), clip().named("clip-a").mlp(3, 128).batchSize(100),
            gp().named("gp-b").mlp(2, 64).nCritic(1), clip().named("clip-b").mlp(2, 64).set("seed", "2"),
            gp().named("gp-c").mlp(3, 96).batchSize(80).nCritic(3), clip().named("clip-c").mlp(3, 160).batchSize(120),
            gp().named("gp-d").mlp(2, 32).batchSize(50).set("seed", "3"), clip().named("clip-d").mlp(3, 64).batchSize(100).optimizer("adam")));

    /** Critic steps an experiment of batch EXPERIMENT_BATCH trains on this many producer records (the last partial batch stays pending). */
    static long criticSteps(long records) {
        return criticSteps(records, EXPERIMENT_BATCH);
    }

    static long criticSteps(long records, int batchSize) {
        return records * PRODUCER_BATCH / batchSize;
    }

    /** Submits the job reading TOPIC from the start up to stop; each experiment's final state goes to saveDir/NAME.state. */
    static JobClient submit(FlinkCluster cluster, String bootstrap, OffsetsInitializer stop, String runId, Path saveDir) throws Exception {
        return submit(cluster.environment(CONFIG.experiments().size()), CONFIG, bootstrap, stop, runId, saveDir);
    }

    /** The job of config on env (a trainer subtask a slot of its parallelism, at most one an experiment). */
    static JobClient submit(StreamExecutionEnvironment env, RunConfig config, String bootstrap, OffsetsInitializer stop, String runId, Path saveDir)
            throws Exception {
        new TrainingJob(TrainingJob.kafkaSource(bootstrap, config.topic(), OffsetsInitializer.earliest(), stop), TrainingJob.kafkaSink(bootstrap),
                JobSpec.of(config, runId, Topics.defaults(), saveDir == null ? null : new RunDir(saveDir.toString()))).build(env);
        return env.executeAsync("wasserflow " + runId);
    }

    /** Each experiment's final state in actual has trained criticSteps steps and the parameters of the one in expected, bit for bit. */
    static void assertSameFinalParameters(Path expected, Path actual, long criticSteps) throws IOException {
        for (ExperimentConfig c : CONFIG.experiments()) assertSameFinalParameters(CONFIG, c, expected, actual, criticSteps);
    }

    /** One experiment's final state in actual has trained criticSteps steps and the parameters of the one in expected, bit for bit. */
    static String assertSameFinalParameters(RunConfig config, ExperimentConfig c, Path expected, Path actual, long criticSteps) throws IOException {
        Trainer a = new Trainer(c, config.dataShape()), b = new Trainer(c, config.dataShape());
        a.restoreState(Files.readAllBytes(expected.resolve(c.name() + ".state")));
        b.restoreState(Files.readAllBytes(actual.resolve(c.name() + ".state")));
        assertEquals(criticSteps, a.criticSteps(), c.name() + ": critic steps of the reference run");
        assertEquals(criticSteps, b.criticSteps(), c.name() + ": critic steps of the interrupted run (a batch lost or trained twice?)");
        assertEquals(a.parameterDigest(), b.parameterDigest(), c.name() + ": the interrupted run's parameters differ from the reference's");
        return b.parameterDigest();
    }
}
