package io.wasserflow.pipeline.job;

import io.wasserflow.pipeline.run.RunDir;
import static io.wasserflow.pipeline.testing.TinyConfigs.gp;
import static io.wasserflow.pipeline.testing.TinyConfigs.small;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.diagnostics.StepReport;
import io.wasserflow.models.layers.Param;
import io.wasserflow.models.nets.Network;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.kafka.KafkaClients;
import io.wasserflow.pipeline.metrics.MetricsEndpoint;
import io.wasserflow.pipeline.source.Dataset;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.testing.SavedTrainers;
import io.wasserflow.pipeline.testing.MiniClusters;
import io.wasserflow.pipeline.testing.TestBroker;
import io.wasserflow.pipeline.testing.TinyConfigs;
import io.wasserflow.pipeline.testing.TopicFollower;
import io.wasserflow.schemas.AlertKind;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.GradientAlert;
import io.wasserflow.schemas.TrainingMetric;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A diverging experiment: an unconstrained critic with SGD at the config's largest
 * learning rate reaches a non-finite loss within a few steps. It raises a non-finite GradientAlert on
 * wasserflow.alerts and on the Prometheus endpoint, turns to the state "diverged" and stops, while
 * the other experiment of the same job (restarts disabled: a crash would fail the job) trains to
 * its full step count. Its state in the final savepoint is its last snapshot before it diverged:
 * finite parameters, equal to a bare trainer's after the same steps.
 */
class DivergingExperimentTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(2);

    @RegisterExtension
    static final TestBroker BROKER = new TestBroker();

    /** Each test's image topic: both tests number their records from offset 0. */
    static final String TOPIC = "diverge.images", BOUNDED_TOPIC = "diverge.bounded.images", RUN = "diverge";
    static final int BATCH = 64, GENERATOR_STEPS = 10, N_CRITIC = 2, BEFORE_SAVEPOINT = 2;
    static final int RECORDS = GENERATOR_STEPS * N_CRITIC; // one record is one critic step of either experiment
    static final String YAML = TinyConfigs.toy(TOPIC, gp().named("steady"), small("blowup", "none").optimizer("{sgd: {lr: 10}}"));

    static List<float[]> batches() throws Exception {
        Dataset toy = Datasets.open("8gaussians", null, 7);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < RECORDS + 2; i++) {
            float[] v = new float[BATCH * 2];
            ByteBuffer.wrap(toy.next(BATCH).values()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
            out.add(v);
        }
        return out;
    }

    static void send(String bootstrap, String topic, List<float[]> batches, int from, int to) throws Exception {
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(bootstrap)) {
            for (int i = from; i < to; i++) {
                ByteBuffer b = ByteBuffer.allocate(4 * BATCH * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (float f : batches.get(i)) b.putFloat(f);
                var record = io.wasserflow.schemas.ImageBatch.newBuilder().setDataset("8gaussians").setSequence(i).setCount(BATCH).setChannels(1)
                        .setHeight(1).setWidth(2).setDtype(io.wasserflow.schemas.DType.FLOAT32).setValues(ByteBuffer.wrap(b.array()))
                        .setProducerTimeMs(0).build();
                producer.send(new ProducerRecord<>(topic, "8gaussians", Codec.IMAGE_BATCH.encode(record))).get();
            }
        }
    }

    static <T extends org.apache.avro.specific.SpecificRecordBase> T decode(Codec<T> codec, byte[] v) {
        try {
            return codec.decode(v);
        } catch (Codec.DecodeException e) {
            throw new AssertionError(e);
        }
    }

    /** The highest value of a metric of one experiment of the run among the records seen. */
    static long highest(List<byte[]> records, String experiment, String metric) {
        long best = 0;
        for (byte[] v : records) {
            TrainingMetric m = decode(Codec.TRAINING_METRIC, v);
            if (m.getRun().equals(RUN) && m.getExperiment().equals(experiment) && m.getName().equals(metric)) best = Math.max(best, (long) m.getValue());
        }
        return best;
    }

    static boolean finite(Trainer t) {
        for (Network n : List.of(t.critic(), t.generator()))
            for (Param p : n.params())
                if (p.value.isNaN().any() || p.value.isInfinite().any()) return false;
        return true;
    }

    static StreamExecutionEnvironment env(Configuration c) {
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "none"); // a divergence that crashed the job would fail it, not restart it
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(c);
        env.setParallelism(2); // each experiment on its own subtask
        return env;
    }

    @Test
    void theDivergedExperimentStopsWithAnAlertAndKeepsItsLastFiniteStateWhileTheOtherTrainsOn(@TempDir Path tmp) throws Exception {
        RunConfig config = RunConfig.parse(YAML);
        ExperimentConfig steady = config.experiments().get(0), blowup = config.experiments().get(1);
        List<float[]> batches = batches();

        // The bare trainers on the same batches: where the diverging one's loss first turns non-finite, and the reference states.
        BlasThreads.fix(RunConfig.TrainerSlots.DEFAULT.blasThreads()); // the threads a job's trainer trains with, on this thread too
        Trainer bareBlowup = new Trainer(blowup, config.dataShape()), bareSteady = new Trainer(steady, config.dataShape());
        long divergedAt = -1;
        String blowupAtSavepoint = null;
        for (int s = 0; s < RECORDS && divergedAt < 0; s++) {
            for (StepReport r : bareBlowup.step(Nd4j.create(batches.get(s), new long[] {BATCH, 1, 1, 2}, 'c')))
                if (!r.finite() && divergedAt < 0) divergedAt = r.criticStep();
            if (s + 1 == BEFORE_SAVEPOINT) {
                assertTrue(finite(bareBlowup));
                blowupAtSavepoint = bareBlowup.parameterDigest();
            }
        }
        assertTrue(divergedAt > BEFORE_SAVEPOINT && divergedAt < RECORDS, "diverges after the savepoint and before the end, at critic step " + divergedAt);
        for (int s = 0; s < RECORDS; s++) bareSteady.step(Nd4j.create(batches.get(s), new long[] {BATCH, 1, 1, 2}, 'c'));

        MetricsEndpoint.setBasePort(ImageTopicFuzzTest.freeBasePort());
        try (MetricsEndpoint endpoint = MetricsEndpoint.acquire()) {
            String bootstrap = BROKER.bootstrap();
            for (String t : List.of(TOPIC, Topics.defaults().metrics(), Topics.defaults().alerts())) KafkaClients.ensureTopic(bootstrap, t);
            send(bootstrap, TOPIC, batches, 0, BEFORE_SAVEPOINT);

            StreamExecutionEnvironment first = env(new Configuration());
            // Bounded one record beyond what is sent before the final savepoint, so it runs until stopped, and its restored splits
            // (which keep their stopping offset) end once that one record is there.
            OffsetsInitializer stop = OffsetsInitializer.offsets(Map.of(new TopicPartition(TOPIC, 0), RECORDS + 3L));
            new TrainingJob(TrainingJob.kafkaSource(bootstrap, TOPIC, OffsetsInitializer.earliest(), stop), TrainingJob.kafkaSink(bootstrap), 
                    JobSpec.of(config, RUN, Topics.defaults(), null).withGeneratorSteps(GENERATOR_STEPS)).build(first);
            String finalSavepoint;
            List<GradientAlert> alerts = new ArrayList<>();
            try (TopicFollower metrics = TopicFollower.fromEnd(bootstrap, Topics.defaults().metrics());
                    TopicFollower alertTopic = TopicFollower.fromEnd(bootstrap, Topics.defaults().alerts())) {
                JobClient job = first.executeAsync("diverging experiment");
                // both experiments at critic step 2 and nothing more to read: a savepoint now holds both at step 2, before the divergence
                assertTrue(metrics.await(r -> highest(r, "steady", "wasserflow_critic_step") >= BEFORE_SAVEPOINT
                        && highest(r, "blowup", "wasserflow_critic_step") >= BEFORE_SAVEPOINT, Duration.ofMinutes(1)), "both reach critic step " + BEFORE_SAVEPOINT);
                job.triggerSavepoint(tmp.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL).get(1, TimeUnit.MINUTES);

                send(bootstrap, TOPIC, batches, BEFORE_SAVEPOINT, RECORDS + 2); // two records more than the steady one needs: it must stop at its count
                assertTrue(metrics.await(r -> highest(r, "steady", "wasserflow_generator_step") >= GENERATOR_STEPS, Duration.ofMinutes(1)),
                        "the steady experiment reaches its full step count");
                assertTrue(alertTopic.await(r -> r.stream().map(v -> decode(Codec.GRADIENT_ALERT, v)).anyMatch(a -> a.getKind() == AlertKind.NON_FINITE),
                        Duration.ofSeconds(30)), "a non-finite alert on " + Topics.defaults().alerts());
                metrics.await(r -> false, Duration.ofSeconds(2)); // whatever else the job had to say
                for (byte[] v : alertTopic.seen()) alerts.add(decode(Codec.GRADIENT_ALERT, v));

                assertEquals((long) RECORDS, highest(metrics.seen(), "steady", "wasserflow_critic_step"), "steady: every critic step, no more");
                assertEquals(divergedAt, highest(metrics.seen(), "blowup", "wasserflow_critic_step"), "blowup: no step after the one that diverged");

                // the endpoint: the alert gauge and the states, while the job still runs (it was never restarted: no restarts allowed)
                String page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(page.lines().anyMatch(l -> l.startsWith("wasserflow_gradient_alert{") && l.contains("experiment=\"blowup\"")
                        && l.contains("kind=\"non_finite\"") && l.contains("run=\"" + RUN + "\"") && l.endsWith(" 1.0")), page);
                assertFalse(page.lines().anyMatch(l -> l.startsWith("wasserflow_gradient_alert{") && l.contains("experiment=\"steady\"")
                        && l.contains("kind=\"non_finite\"") && l.endsWith(" 1.0")), "the steady one raised no non-finite alert");
                assertEquals(1.0, gauge(page, "wasserflow_experiment_state", "blowup", "state=\"diverged\""));
                assertEquals(0.0, gauge(page, "wasserflow_experiment_state", "blowup", "state=\"training\""));
                assertEquals(1.0, gauge(page, "wasserflow_experiment_state", "steady", "state=\"finished\""));
                assertEquals(0.0, gauge(page, "wasserflow_experiment_state", "steady", "state=\"diverged\""));

                finalSavepoint = job.stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(1, TimeUnit.MINUTES);
            }
            GradientAlert loss = alerts.stream().filter(a -> a.getExperiment().equals("blowup") && a.getLayer().equals("loss")).findFirst().orElseThrow(
                    () -> new AssertionError("no alert on blowup's loss: " + alerts));
            assertEquals(AlertKind.NON_FINITE, loss.getKind());
            assertEquals(RUN, loss.getRun());
            assertEquals(divergedAt, loss.getStep());
            assertTrue(alerts.stream().noneMatch(a -> a.getExperiment().equals("steady") && a.getKind() == AlertKind.NON_FINITE), alerts.toString());

            // Restore the final savepoint and end at once: the states it holds land in the save folder.
            Configuration restore = new Configuration();
            restore.set(StateRecoveryOptions.SAVEPOINT_PATH, finalSavepoint);
            StreamExecutionEnvironment second = env(restore);
            send(bootstrap, TOPIC, batches, RECORDS + 1, RECORDS + 2); // the one record after the savepoint: both experiments are looked at, the source ends
            Path saved = tmp.resolve("restored");
            new TrainingJob(TrainingJob.kafkaSource(bootstrap, TOPIC, OffsetsInitializer.earliest(), stop),
                    TrainingJob.kafkaSink(bootstrap),
                    JobSpec.of(config, RUN + "-restored", Topics.defaults(), new RunDir(saved.toString())).withGeneratorSteps(GENERATOR_STEPS)).execute(second);
            Map<String, Trainer> restored = SavedTrainers.in(saved, config);

            Trainer b = restored.get("blowup");
            assertTrue(finite(b), "the diverged experiment's kept state has only finite parameters");
            assertEquals(BEFORE_SAVEPOINT, b.criticSteps(), "its last snapshot before it diverged");
            assertEquals(blowupAtSavepoint, b.parameterDigest(), "equal to the bare trainer after the same " + BEFORE_SAVEPOINT + " steps");

            Trainer s = restored.get("steady");
            assertEquals(GENERATOR_STEPS, s.generatorSteps(), "the other experiment trained to its full step count");
            assertEquals(RECORDS, s.criticSteps());
            assertEquals(bareSteady.parameterDigest(), s.parameterDigest(), "and exactly as a bare trainer on the same batches");
            assertNotEquals(bareBlowup.parameterDigest(), b.parameterDigest());
            System.out.printf("blowup diverged at critic step %d; kept its state of critic step %d; steady trained %d critic steps%n", divergedAt,
                    b.criticSteps(), s.criticSteps());
        } finally {
            MetricsEndpoint.setBasePort(0);
        }
    }

    @Test
    void aBoundedRunSavesTheDivergedExperimentsLastFiniteStateNotItsNaNs(@TempDir Path tmp) throws Exception {
        RunConfig config = RunConfig.parse(YAML);
        ExperimentConfig steady = config.experiments().get(0), blowup = config.experiments().get(1);
        List<float[]> batches = batches();
        BlasThreads.fix(RunConfig.TrainerSlots.DEFAULT.blasThreads()); // the threads a job's trainer trains with, on this thread too
        Trainer bareSteady = new Trainer(steady, config.dataShape());
        for (int s = 0; s < RECORDS; s++) bareSteady.step(Nd4j.create(batches.get(s), new long[] {BATCH, 1, 1, 2}, 'c'));

        MetricsEndpoint.setBasePort(ImageTopicFuzzTest.freeBasePort());
        try {
            String bootstrap = BROKER.bootstrap();
            KafkaClients.ensureTopic(bootstrap, BOUNDED_TOPIC);
            send(bootstrap, BOUNDED_TOPIC, batches, 0, RECORDS);
            new TrainingJob(TrainingJob.kafkaSource(bootstrap, BOUNDED_TOPIC, OffsetsInitializer.earliest(), OffsetsInitializer.latest()),
                    TrainingJob.kafkaSink(bootstrap),
                    JobSpec.of(config, RUN + "-bounded", Topics.defaults(), new RunDir(tmp.toString()))).execute(env(new Configuration()));
        } finally {
            MetricsEndpoint.setBasePort(0);
        }
        Map<String, Trainer> saved = SavedTrainers.in(tmp, config);
        Trainer b = saved.get("blowup");
        assertTrue(finite(b), "the state a run keeps of a diverged experiment has only finite parameters");
        // no checkpoint was taken before it diverged: its last finite state is the one it started from
        assertEquals(0, b.criticSteps());
        assertEquals(new Trainer(blowup, config.dataShape()).parameterDigest(), b.parameterDigest());
        assertEquals(RECORDS, saved.get("steady").criticSteps(), "the other one trained on every batch");
        assertEquals(bareSteady.parameterDigest(), saved.get("steady").parameterDigest());
    }

    /** The value of one series of the run on the exposition page. */
    static double gauge(String page, String name, String experiment, String label) {
        return page.lines().filter(l -> l.startsWith(name + "{") && l.contains("run=\"" + RUN + "\"") && l.contains("experiment=\"" + experiment + "\"")
                && l.contains(label)).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " " + experiment + " " + label + " in\n" + page));
    }
}
