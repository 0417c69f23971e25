package io.wasserflow.pipeline.run;

import io.wasserflow.pipeline.BadInputException;
import io.wasserflow.pipeline.config.ConfigException;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.kafka.KafkaClients;
import io.wasserflow.pipeline.metrics.FirstCopies;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.RunManifest;
import io.wasserflow.schemas.TrainingMetric;
import io.wasserflow.pipeline.job.Topics;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A finished run's folder, {@code <workdir>/runs/<run>/}, as the CLI leaves it: the config, the
 * final manifest, the local copy of the run's metric records, sample pictures and trainer states.
 * Everything {@code report} needs with no broker and no job running; or, for {@code report
 * --bootstrap}, the run's manifest and metric records from the broker's topics.
 */
public record RunFolder(RunDir folder, String runId, RunConfig config, RunManifest manifest, Path metrics) {
    public static final String CONFIG = RunDir.CONFIG, MANIFEST = RunDir.MANIFEST, METRICS = RunDir.METRICS, SAMPLES = RunDir.SAMPLES;
    /** Far above any real record (a histogram of 1,000 buckets is about 16 KB): a larger length means a corrupt file. */
    private static final int MAX_RECORD_BYTES = 64 << 20;

    public static RunFolder open(Path workdir, String runId) throws IOException {
        Path runs = RunDir.runs(workdir), dir = RunDir.of(workdir, runId).dir();
        if (!runId.matches("[A-Za-z0-9_.-]+") || !Files.isDirectory(dir)) throw new BadInputException("no run '" + runId + "' in " + runs + knownRuns(runs));
        for (String f : List.of(CONFIG, MANIFEST, METRICS))
            if (!Files.isRegularFile(dir.resolve(f)))
                throw new BadInputException("run " + runId + " has no " + f + " in " + dir + " (it has not finished, or an older version wrote it)");
        RunConfig config;
        try {
            config = RunConfig.load(dir.resolve(CONFIG));
        } catch (ConfigException e) {
            throw new BadInputException(dir.resolve(CONFIG) + ": " + e.getMessage());
        }
        try {
            return new RunFolder(RunDir.of(workdir, runId), runId, config, Codec.RUN_MANIFEST.decode(Files.readAllBytes(dir.resolve(MANIFEST))), dir.resolve(METRICS));
        } catch (Codec.DecodeException e) {
            throw new BadInputException(dir.resolve(MANIFEST) + " is not a run manifest: " + e.getMessage());
        }
    }

    /**
     * The run as a broker has it: its latest manifest in the runs topic (the config with it) and its
     * records of the metrics topic, copied in topic order into {@code copy}, a metrics file as the
     * local one. Sample pictures and final states are not on the broker: they come from this
     * machine's run folder where it has one. A run still training has a manifest with no end yet.
     */
    public static RunFolder fromBroker(String bootstrap, Topics topics, Path workdir, String runId, Path copy) throws IOException {
        RunManifest[] manifest = {null};
        java.util.LinkedHashSet<String> seen = new java.util.LinkedHashSet<>();
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(bootstrap)) {
            KafkaClients.readToEnd(c, topics.runs(), r -> {
                if (r.value() == null) return;
                RunManifest m;
                try {
                    m = Codec.RUN_MANIFEST.decode(r.value());
                } catch (Codec.DecodeException e) {
                    return; // not a manifest: nothing of this run
                }
                seen.remove(m.getRunId());
                seen.add(m.getRunId());
                if (m.getRunId().equals(runId)) manifest[0] = m; // the latest: the final one of a finished run
            });
            if (manifest[0] == null) throw new BadInputException("no run '" + runId + "' in topic " + topics.runs() + " on " + bootstrap + listed(List.copyOf(seen)));
        }
        copyMetrics(bootstrap, topics.metrics(), runId, Map.of(), copy, m -> {});
        RunConfig config;
        try {
            config = RunConfig.parse(manifest[0].getConfigYaml());
        } catch (ConfigException e) {
            throw new BadInputException("run " + runId + ": the config in its manifest no longer parses: " + e.getMessage());
        }
        return new RunFolder(RunDir.of(workdir, runId), runId, config, manifest[0], copy);
    }

    /** " (runs there: ...)", the latest five run ids under {@code runs}, for a message naming a run that is not there. */
    public static String knownRuns(Path runs) throws IOException {
        if (!Files.isDirectory(runs)) return " (no runs there)";
        try (Stream<Path> s = Files.list(runs)) {
            return listed(s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    /** " (runs there: ...)" with the last five of these run ids, or " (no runs there)". */
    private static String listed(List<String> ids) {
        if (ids.isEmpty()) return " (no runs there)";
        return " (runs there: " + String.join(", ", ids.size() > 5 ? ids.subList(ids.size() - 5, ids.size()) : ids) + (ids.size() > 5 ? ", ..." : "") + ")";
    }

    /** How many records a reader took, and how many of them were repeats it dropped (see {@link FirstCopies}). */
    public record Count(long records, long repeats) {
        /** The records left: one per (experiment, step, series). */
        public long firstCopies() {
            return records - repeats;
        }
    }

    /**
     * Copies the run's records of the metrics topic, from {@code start} (partition to offset; a partition not named:
     * its beginning) to where each partition ends now, into {@code copy} as they are on the topic (a metrics file);
     * hands sink the first copy of each (experiment, step, series) in topic order. Records of other runs, and values
     * that are not TrainingMetric records, are passed over.
     */
    public static Count copyMetrics(String bootstrap, String topic, String runId, Map<Integer, Long> start, Path copy, Consumer<TrainingMetric> sink)
            throws IOException {
        FirstCopies first = new FirstCopies();
        long records = 0;
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.consumer(bootstrap);
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(copy), 1 << 16))) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            for (TopicPartition tp : parts) if (start.containsKey(tp.partition())) c.seek(tp, start.get(tp.partition()));
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)))
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() >= end.get(tp) || r.value() == null) continue;
                    TrainingMetric m;
                    try {
                        m = Codec.TRAINING_METRIC.decode(r.value());
                    } catch (Codec.DecodeException e) {
                        continue; // not a metric record: nothing of this run
                    }
                    if (!m.getRun().equals(runId)) continue;
                    records++;
                    out.writeInt(r.value().length);
                    out.write(r.value());
                    if (first.test(m)) sink.accept(m);
                }
        }
        return new Count(records, first.repeats());
    }

    /**
     * Hands sink the first copy of each (experiment, step, series) of metrics.bin, in file order: what an
     * uninterrupted run wrote, whatever a failover or a resume wrote again ({@link FirstCopies}).
     */
    public Count forEachMetric(Consumer<TrainingMetric> sink) throws IOException {
        FirstCopies first = new FirstCopies();
        long[] records = {0};
        forEachMetric(metrics, m -> {
            records[0]++;
            if (first.test(m)) sink.accept(m);
        });
        return new Count(records[0], first.repeats());
    }

    /** Hands every record of a metrics file to sink, repeats too, in file order: repeated [int length, big-endian][single-object-encoded TrainingMetric]. */
    public static void forEachMetric(Path file, Consumer<TrainingMetric> sink) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            for (long n = 0; ; n++) {
                int length;
                try {
                    length = in.readInt();
                } catch (EOFException end) {
                    return;
                }
                if (length <= 0 || length > MAX_RECORD_BYTES) throw new BadInputException(file + " is corrupt: record " + n + " claims " + length + " bytes");
                byte[] bytes = new byte[length];
                try {
                    in.readFully(bytes);
                    sink.accept(Codec.TRAINING_METRIC.decode(bytes));
                } catch (EOFException e) {
                    throw new BadInputException(file + " is truncated in record " + n);
                } catch (Codec.DecodeException e) {
                    throw new BadInputException(file + ": record " + n + " is not a TrainingMetric: " + e.getMessage());
                }
            }
        }
    }

    /** The run's folder on this machine. */
    public Path dir() {
        return folder.dir();
    }
}
