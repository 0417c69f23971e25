package io.wasserflow.pipeline.cli;

import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.job.JobSpec;
import io.wasserflow.pipeline.job.TrainingJob;
import io.wasserflow.pipeline.kafka.KafkaClients;
import io.wasserflow.pipeline.metrics.Metric;
import io.wasserflow.pipeline.run.ExperimentResult;
import io.wasserflow.pipeline.run.Machine;
import io.wasserflow.pipeline.run.RunDir;
import io.wasserflow.pipeline.run.RunFolder;
import io.wasserflow.pipeline.job.Topics;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.RunManifest;
import io.wasserflow.schemas.Resume;
import io.wasserflow.pipeline.job.RetainedCheckpoints;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;
import io.wasserflow.schemas.TrainingMetric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import sun.misc.Signal;
import sun.misc.SignalHandler;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs the training job in this process (a local Flink MiniCluster), with the run's manifest on
 * wasserflow.runs before and after, the final trainer states in the working folder, and a summary.
 */
final class LocalRun {
    private LocalRun() {}

    /**
     * Trains the config's experiments on the records of its topic from {@code start} up to {@code stop}
     * (partition -> offset; null: no end), each for at most {@code generatorSteps} generator steps (0: no limit).
     * The offsets are concrete so the manifest names exactly the records trained on, and replay reads the same.
     */
    static RunManifest run(String bootstrap, RunConfig config, String runId, Path workdir, Map<Integer, Long> start, Map<Integer, Long> stop,
            long generatorSteps) throws Exception {
        return run(bootstrap, config, runId, workdir, start, stop, generatorSteps, null, () -> {});
    }

    /** As above; with no stop offsets the run goes on until Ctrl-C, which first calls {@code onInterrupt}. */
    static RunManifest run(String bootstrap, RunConfig config, String runId, Path workdir, Map<Integer, Long> start, Map<Integer, Long> stop,
            long generatorSteps, Runnable onInterrupt) throws Exception {
        return run(bootstrap, config, runId, workdir, start, stop, generatorSteps, null, onInterrupt);
    }

    /** As above; {@code replayOf} names the run this one replays (null: none), in its manifests. */
    static RunManifest run(String bootstrap, RunConfig config, String runId, Path workdir, Map<Integer, Long> start, Map<Integer, Long> stop,
            long generatorSteps, String replayOf) throws Exception {
        return run(bootstrap, config, runId, workdir, start, stop, generatorSteps, replayOf, () -> {});
    }

    static RunManifest run(String bootstrap, RunConfig config, String runId, Path workdir, Map<Integer, Long> start, Map<Integer, Long> stop,
            long generatorSteps, String replayOf, Runnable onInterrupt) throws Exception {
        return run(new Broker(bootstrap, null), config, runId, workdir, start, stop, generatorSteps, replayOf, onInterrupt, null);
    }

    /** The broker a run uses: its address, and the folder of the demo's embedded broker (null: the user's broker). */
    record Broker(String bootstrap, Path embeddedLog) {}

    /**
     * A run continued after its process died: its manifest as it was (start time, metrics offsets, earlier resumes kept),
     * the retained checkpoint it continues from, and the newer ones passed over (one line each).
     */
    record Resumption(RunManifest previous, RetainedCheckpoints.Checkpoint checkpoint, List<String> passedOver) {}

    /**
     * As above, on {@code broker}; with a {@code resumption}, the job starts from its checkpoint (the offsets and
     * trainers' states in it) and the manifest keeps the run's history, with this resume added.
     */
    static RunManifest run(Broker broker, RunConfig config, String runId, Path workdir, Map<Integer, Long> start, Map<Integer, Long> stop,
            long generatorSteps, String replayOf, Runnable onInterrupt, Resumption resumption) throws Exception {
        String bootstrap = broker.bootstrap();
        Topics topics = Topics.defaults();
        RunDir dir = RunDir.of(workdir, runId).create();
        Files.writeString(dir.config(), config.yaml());
        RunManifest previous = resumption == null ? null : resumption.previous();
        long started = previous == null ? System.currentTimeMillis() : previous.getStartTimeMs();
        // the summary reads this run's records from here: where the topic ended when the run first started
        Map<Integer, Long> metricsStart = previous != null && !previous.getMetricsStartOffsets().isEmpty()
                ? ReplayCommand.byPartition(previous.getMetricsStartOffsets()) : resolve(bootstrap, topics.metrics(), "latest");
        List<Resume> resumes = new java.util.ArrayList<>(previous == null ? List.of() : previous.getResumes());
        if (resumption != null)
            resumes.add(Resume.newBuilder().setTimeMs(System.currentTimeMillis()).setCheckpoint(resumption.checkpoint().dir().toAbsolutePath().toString())
                    .setPassedOver(List.copyOf(resumption.passedOver())).build());
        java.util.function.Function<RunManifest.Builder, RunManifest> finish = b -> b.setMaxGeneratorSteps(generatorSteps).setReplayOf(replayOf)
                .setBootstrap(bootstrap).setEmbeddedBrokerLog(broker.embeddedLog() == null ? null : broker.embeddedLog().toAbsolutePath().toString())
                .setMetricsStartOffsets(byName(metricsStart)).setResumes(resumes).build();
        // the manifest is in the run's folder from the start, so a run whose process dies can be resumed from it
        byte[] running = Codec.RUN_MANIFEST.encode(finish.apply(manifest(config, runId, start, stop, null, started, null)));
        Files.write(dir.manifest(), running);
        publish(bootstrap, topics.runs(), runId, running);
        if (resumption == null)
            System.out.printf("run %s: %d experiments (%s) on %s from %s%n", runId, config.experiments().size(),
                    String.join(", ", config.experiments().stream().map(ExperimentConfig::name).toList()), config.topic(), bootstrap);
        else
            System.out.printf("run %s: resuming %d experiments (%s) on %s from %s, from checkpoint %s%n", runId, config.experiments().size(),
                    String.join(", ", config.experiments().stream().map(ExperimentConfig::name).toList()), config.topic(), bootstrap,
                    resumption.checkpoint().name());

        // checkpoints and the savepoint of an interrupted run go to the run's folder (job-manager memory holds only 5 MB)
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.checkpoints().toUri().toString());
        // periodic checkpoints, kept when the job ends or dies, so a killed run has something to come back to
        conf.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, config.checkpoints().retained());
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, org.apache.flink.configuration.ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        if (resumption != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, resumption.checkpoint().dir().toUri().toString());
            // the resumed job owns the checkpoint it starts from: it is retired with the others, so the folder keeps the latest N
            conf.set(StateRecoveryOptions.RESTORE_MODE, RecoveryClaimMode.CLAIM);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        if (config.checkpoints().intervalSeconds() > 0) env.enableCheckpointing(config.checkpoints().intervalSeconds() * 1000L);
        // trainer.parallelism 0: here, the machine's cores; submitted with flink run, the job's (-p, or the cluster's parallelism.default)
        boolean local = env instanceof LocalStreamEnvironment;
        if (local) {
            env.setParallelism(Math.min(config.experiments().size(), Math.max(1, Runtime.getRuntime().availableProcessors())));
            env.configure(LocalRestarts.configuration());
        }
        TrainingJob job = new TrainingJob(TrainingJob.kafkaSource(bootstrap, config.topic(), OffsetsInitializer.offsets(partitions(config.topic(), start)),
                stop == null ? null : OffsetsInitializer.offsets(partitions(config.topic(), stop))), TrainingJob.kafkaSink(bootstrap),
                JobSpec.of(config, runId, topics, dir).withProgress().withGeneratorSteps(generatorSteps));
        try {
            if (stop != null) job.execute(env);
            else {
                untilInterrupted(job.executeAsync(env), dir.savepoint(), onInterrupt);
                stop = start.size() == 1 ? Map.of(start.keySet().iterator().next(), dir.endOffset(start.values().iterator().next())) : null;
            }
        } catch (Exception e) {
            if (!local || !LocalRestarts.jobFailed(e)) throw e;
            throw LocalRestarts.gaveUp(runId, dir, e);
        }

        Map<String, ExperimentResult> results = dir.results(config.experiments().stream().map(ExperimentConfig::name).toList());
        String digest = RunDir.runDigest(results);
        RunManifest done = finish.apply(manifest(config, runId, start, stop, digest, started, System.currentTimeMillis()));
        byte[] encoded = Codec.RUN_MANIFEST.encode(done);
        publish(bootstrap, topics.runs(), runId, encoded);
        Files.write(dir.manifest(), encoded);
        summary(bootstrap, topics, runId, dir, metricsStart, results, digest, config.dataset());
        return done;
    }

    /**
     * Waits for an unbounded run's job; Ctrl-C stops it with a draining savepoint, so every batch read
     * so far is trained on and each experiment's state is saved as at the end of a bounded run. A second
     * Ctrl-C exits at once.
     */
    static void untilInterrupted(JobClient client, Path savepoint, Runnable onInterrupt) throws Exception {
        AtomicBoolean stopping = new AtomicBoolean();
        Signal interrupt = new Signal("INT");
        SignalHandler previous = Signal.handle(interrupt, sig -> {
            if (!stopping.compareAndSet(false, true)) Runtime.getRuntime().halt(130);
            System.out.println("interrupted: stopping the run (the batches read so far are trained on, states saved); Ctrl-C again to quit at once");
            onInterrupt.run();
            client.stopWithSavepoint(true, savepoint.toUri().toString(), SavepointFormatType.CANONICAL);
        });
        System.out.println("training until interrupted (Ctrl-C)");
        try {
            client.getJobExecutionResult().get();
        } finally {
            Signal.handle(interrupt, previous);
        }
    }

    static Map<TopicPartition, Long> partitions(String topic, Map<Integer, Long> offsets) {
        Map<TopicPartition, Long> out = new HashMap<>();
        offsets.forEach((p, o) -> out.put(new TopicPartition(topic, p), o));
        return out;
    }

    /** earliest, latest, timestamp:MS or offsets:P=O,... as concrete offsets per partition. */
    static Map<Integer, Long> resolve(String bootstrap, String topic, String spec) {
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(bootstrap)) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            Map<TopicPartition, Long> o;
            if (spec.equals("earliest")) o = c.beginningOffsets(parts);
            else if (spec.equals("latest")) o = c.endOffsets(parts);
            else if (spec.startsWith("timestamp:")) {
                long ms = Long.parseLong(spec.substring("timestamp:".length()));
                Map<TopicPartition, Long> query = new HashMap<>();
                parts.forEach(tp -> query.put(tp, ms));
                Map<TopicPartition, Long> end = c.endOffsets(parts);
                o = new HashMap<>();
                var found = c.offsetsForTimes(query);
                for (TopicPartition tp : parts) o.put(tp, found.get(tp) == null ? end.get(tp) : found.get(tp).offset());
            } else if (spec.startsWith("offsets:")) {
                o = new HashMap<>();
                for (String po : spec.substring("offsets:".length()).split(",")) {
                    String[] kv = po.split("=");
                    o.put(new TopicPartition(topic, Integer.parseInt(kv[0].trim())), Long.parseLong(kv[1].trim()));
                }
            } else throw new IllegalArgumentException(spec);
            Map<Integer, Long> out = new java.util.TreeMap<>();
            o.forEach((tp, off) -> out.put(tp.partition(), off));
            return out;
        }
    }

    /** A manifest of this build on this machine, to finish with the run's step limit and what it replays. */
    static RunManifest.Builder manifest(RunConfig config, String runId, Map<Integer, Long> start, Map<Integer, Long> end, String digest, long started, Long ended) {
        Machine machine = Machine.here();
        return RunManifest.newBuilder().setRunId(runId).setConfigYaml(config.yaml())
                .setSeed(config.experiments().get(0).seed()).setCodeCommit(Version.commit()).setCodeModified(Version.modified())
                .setBackend(Nd4j.getBackend().getClass().getSimpleName())
                .setBlasLibrary(machine.blas()).setBlasCoreType(machine.blasCore())
                .setProcessor(machine.processor()).setInstructionSets(machine.instructionSets()).setOnednnIsa(machine.onednnIsa())
                .setNativeLibrary(machine.libnd4j())
                .setBlasThreads(config.trainer().blasThreads()) // what every trainer of the run uses, whatever its slot
                .setTopic(config.topic()).setStartOffsets(byName(start)).setEndOffsets(end == null ? Map.of() : byName(end)).setFinalParameterDigest(digest)
                .setExperiments(config.experiments().stream().map(ExperimentConfig::name).toList())
                .setStartTimeMs(started).setEndTimeMs(ended);
    }

    private static Map<String, Long> byName(Map<Integer, Long> offsets) {
        Map<String, Long> out = new LinkedHashMap<>();
        offsets.forEach((p, o) -> out.put(String.valueOf(p), o));
        return out;
    }

    static void publish(String bootstrap, String topic, String key, byte[] value) throws Exception {
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(bootstrap)) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    /**
     * The last value of a few series per experiment, read back from the metrics topic from where it
     * stood when the run started; the run's records also go to the folder's copy that report reads.
     */
    static void summary(String bootstrap, Topics topics, String runId, RunDir dir, Map<Integer, Long> metricsStart,
            Map<String, ExperimentResult> results, String digest, String dataset) throws Exception {
        Map<String, Map<String, Double>> last = new HashMap<>(), quality = new HashMap<>();
        // the run's records go to the folder's copy that report reads with no broker running; the summary takes the first copy of each
        RunFolder.Count count = RunFolder.copyMetrics(bootstrap, topics.metrics(), runId, metricsStart, dir.metrics(), m -> {
            if (m.getLabels().isEmpty())
                last.computeIfAbsent(m.getExperiment(), k -> new HashMap<>()).put(m.getName(), m.getValue());
            else if (m.getName().equals(Metric.SAMPLE_QUALITY.id) && m.getLabels().containsKey("measure"))
                quality.computeIfAbsent(m.getExperiment(), k -> new HashMap<>()).put(m.getLabels().get("measure"), m.getValue());
        });
        System.out.println();
        System.out.printf("%-16s %10s %10s %14s %12s %12s  %s%n", "experiment", "gen steps", "critic", "W estimate", "critic loss", "images/s", "parameters (SHA-256)");
        for (ExperimentResult r : results.values()) {
            Map<String, Double> m = last.getOrDefault(r.experiment(), Map.of());
            System.out.printf(Locale.ROOT, "%-16s %10d %10d %14.4f %12.4f %12.0f  %s%n", r.experiment(), r.generatorSteps(), r.criticSteps(),
                    m.getOrDefault(Metric.WASSERSTEIN_ESTIMATE.id, Double.NaN), m.getOrDefault(Metric.CRITIC_LOSS.id, Double.NaN),
                    m.getOrDefault(Metric.IMAGES_PER_SECOND.id, Double.NaN), r.parameterDigest().substring(0, 16));
        }
        System.out.println("run " + runId + " finished; final parameters digest " + digest.substring(0, 16));
        System.out.println(metricRecords(count));
        String seen = whatYouSee(dataset, results.keySet(), quality);
        if (seen != null) System.out.println(seen);
        hints(runId, dir, results.keySet().iterator().next());
    }

    /** One line on the run's metric records: how many, and the repeats a failover or a resume wrote, which every reader drops. */
    static String metricRecords(RunFolder.Count count) {
        return String.format(Locale.ROOT, "metric records: %d, one per (experiment, step, series)%s", count.firstCopies(), count.repeats() == 0 ? ""
                : String.format(Locale.ROOT, "; %d repeats (steps written again after a failover or resume) dropped", count.repeats()));
    }

    /**
     * One line on what the pictures show, from the last sample-quality records: the modes each
     * experiment covers on Gaussian mixtures, the Frechet distance on images. Null when none was measured.
     */
    static String whatYouSee(String dataset, java.util.Collection<String> experiments, Map<String, Map<String, Double>> quality) {
        io.wasserflow.models.data.Toy2D toy = io.wasserflow.models.data.Toy2D.byId(dataset);
        boolean modes = toy != null && toy.centres().length > 0;
        String measure = modes ? "modes" : toy != null ? "w1" : "frechet_distance";
        List<String> parts = new java.util.ArrayList<>();
        for (String e : experiments) {
            Double v = quality.getOrDefault(e, Map.of()).get(measure);
            if (v != null) parts.add(modes ? String.format(Locale.ROOT, "%s %.0f/%d", e, v, toy.centres().length) : String.format(Locale.ROOT, "%s %.3g", e, v));
        }
        if (parts.isEmpty()) return null;
        if (modes) return "what you see: each experiment's samples (blue) over the real data (grey); modes covered at the last samples step (at least "
                + String.format(Locale.ROOT, "%.0f%% of the samples within %.2g of a centre): ", 100 * io.wasserflow.models.diagnostics.ToyQuality.MODE_SHARE,
                        io.wasserflow.models.diagnostics.ToyQuality.MODE_RADIUS) + String.join(", ", parts);
        if (toy != null) return "what you see: each experiment's samples over the real data; sliced W1 to real data at the last samples step (lower is closer): "
                + String.join(", ", parts);
        return "what you see: sample grids over training; Frechet distance to real images at the last samples step (lower is closer): " + String.join(", ", parts);
    }

    /** Where the run's pictures are and what to do with a finished run. */
    private static void hints(String runId, RunDir dir, String experiment) throws IOException {
        List<Path> pngs = dir.allSamples();
        if (!pngs.isEmpty()) System.out.printf("samples: %d pictures in %s (latest %s)%n", pngs.size(), dir.samples(), pngs.get(pngs.size() - 1).getFileName());
        String wd = workdirFlag(dir);
        System.out.printf("next: ./wasserflow report --run %s%s --out %s   (PNG figures and a summary)%n", runId, wd, dir.dir().resolve("report"));
        System.out.printf("      ./wasserflow sample --run %s%s --experiment %s --out samples.png%n", runId, wd, experiment);
        System.out.printf("      ./wasserflow replay --run %s%s   (re-runs it and checks the parameters bit for bit)%n", runId, wd);
    }

    /** " --workdir DIR" for commands about this run, or nothing for the default working folder. */
    static String workdirFlag(RunDir dir) {
        Path workdir = dir.dir().getParent().getParent();
        return workdir.equals(Path.of("wasserflow-data")) ? "" : " --workdir " + workdir;
    }
}
