package io.wasserflow.pipeline.cli;

import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.job.TrainingJob;
import io.wasserflow.pipeline.job.Topics;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.RunManifest;
import io.wasserflow.schemas.TrainingMetric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs the training job in this process (a local Flink MiniCluster), with the run's manifest on
 * wasserflow.runs before and after, the final trainer states in the working folder, and a summary.
 */
final class LocalRun {
    private LocalRun() {}

    static void run(String bootstrap, RunConfig config, String runId, Path workdir, OffsetsInitializer start, OffsetsInitializer stop) throws Exception {
        run(bootstrap, config, runId, workdir, start, stop, 0);
    }

    static void run(String bootstrap, RunConfig config, String runId, Path workdir, OffsetsInitializer start, OffsetsInitializer stop,
            long generatorSteps) throws Exception {
        Topics topics = Topics.defaults();
        Path states = workdir.resolve("runs").resolve(runId);
        Files.createDirectories(states);
        Files.writeString(states.resolve("config.yaml"), config.yaml());
        Map<String, Long> startOffsets = offsets(bootstrap, config.topic(), true), endOffsets = offsets(bootstrap, config.topic(), false);
        long started = System.currentTimeMillis();
        RunManifest manifest = manifest(config, runId, startOffsets, endOffsets, null, started, null);
        publish(bootstrap, topics.runs(), runId, Codec.RUN_MANIFEST.encode(manifest));
        System.out.printf("run %s: %d experiments (%s) on %s from %s%n", runId, config.experiments().size(),
                String.join(", ", config.experiments().stream().map(ExperimentConfig::name).toList()), config.topic(), bootstrap);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(Math.min(config.experiments().size(), Math.max(1, Runtime.getRuntime().availableProcessors())));
        new TrainingJob(TrainingJob.kafkaSource(bootstrap, config.topic(), start, stop), TrainingJob.kafkaSink(bootstrap), config, runId, topics, states)
                .withProgress().withGeneratorSteps(generatorSteps).execute(env);

        Map<String, String> digests = new LinkedHashMap<>();
        Map<String, Trainer> trainers = new LinkedHashMap<>();
        for (ExperimentConfig c : config.experiments()) {
            Path f = states.resolve(c.name() + ".state");
            if (!Files.exists(f)) continue;
            Trainer t = new Trainer(c, config.dataShape());
            t.restoreState(Files.readAllBytes(f));
            trainers.put(c.name(), t);
            digests.put(c.name(), t.parameterDigest());
        }
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(digests.toString().getBytes()));
        publish(bootstrap, topics.runs(), runId, Codec.RUN_MANIFEST.encode(
                manifest(config, runId, startOffsets, endOffsets, digest, started, System.currentTimeMillis())));
        summary(bootstrap, topics, runId, trainers, digest);
    }

    static RunManifest manifest(RunConfig config, String runId, Map<String, Long> start, Map<String, Long> end, String digest, long started, Long ended) {
        return RunManifest.newBuilder().setRunId(runId).setConfigYaml(config.yaml())
                .setSeed(config.experiments().get(0).seed()).setCodeCommit(Version.commit()).setCodeModified(Version.modified())
                .setBackend(Nd4j.getBackend().getClass().getSimpleName())
                .setBlasLibrary(String.valueOf(Nd4j.getExecutioner().getEnvironmentInformation().get("blas.vendor")))
                .setBlasCoreType(System.getenv().getOrDefault("OPENBLAS_CORETYPE", "auto"))
                .setBlasThreads(Integer.parseInt(String.valueOf(Nd4j.getExecutioner().getEnvironmentInformation().getOrDefault("blas.threads", "0"))))
                .setTopic(config.topic()).setStartOffsets(start).setEndOffsets(end).setFinalParameterDigest(digest)
                .setExperiments(config.experiments().stream().map(ExperimentConfig::name).toList())
                .setStartTimeMs(started).setEndTimeMs(ended).build();
    }

    static Map<String, Long> offsets(String bootstrap, String topic, boolean beginning) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            Map<TopicPartition, Long> o = beginning ? c.beginningOffsets(parts) : c.endOffsets(parts);
            Map<String, Long> out = new LinkedHashMap<>();
            o.forEach((tp, off) -> out.put(String.valueOf(tp.partition()), off));
            return out;
        }
    }

    static void publish(String bootstrap, String topic, String key, byte[] value) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    /** The last value of a few series per experiment, read back from the metrics topic. */
    static void summary(String bootstrap, Topics topics, String runId, Map<String, Trainer> trainers, String digest) throws Exception {
        Map<String, Map<String, Double>> last = new HashMap<>();
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topics.metrics()).stream().map(i -> new TopicPartition(topics.metrics(), i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)))
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    TrainingMetric m = Codec.TRAINING_METRIC.decode(r.value());
                    if (m.getRun().equals(runId) && m.getLabels().isEmpty())
                        last.computeIfAbsent(m.getExperiment(), k -> new HashMap<>()).put(m.getName(), m.getValue());
                }
        }
        System.out.println();
        System.out.printf("%-16s %10s %10s %14s %12s %12s  %s%n", "experiment", "gen steps", "critic", "W estimate", "critic loss", "images/s", "parameters (SHA-256)");
        for (Map.Entry<String, Trainer> e : trainers.entrySet()) {
            Map<String, Double> m = last.getOrDefault(e.getKey(), Map.of());
            System.out.printf(Locale.ROOT, "%-16s %10d %10d %14.4f %12.4f %12.0f  %s%n", e.getKey(), e.getValue().generatorSteps(), e.getValue().criticSteps(),
                    m.getOrDefault("wasserflow_wasserstein_estimate", Double.NaN), m.getOrDefault("wasserflow_critic_loss", Double.NaN),
                    m.getOrDefault("wasserflow_images_per_second", Double.NaN), e.getValue().parameterDigest().substring(0, 16));
        }
        System.out.println("run " + runId + " finished; final parameters digest " + digest.substring(0, 16));
    }
}
