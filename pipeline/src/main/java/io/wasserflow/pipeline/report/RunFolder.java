package io.wasserflow.pipeline.report;

import io.wasserflow.pipeline.cli.UsageException;
import io.wasserflow.pipeline.config.ConfigException;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.RunManifest;
import io.wasserflow.schemas.TrainingMetric;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A finished run's folder, {@code <workdir>/runs/<run>/}, as the CLI leaves it: the config, the
 * final manifest, the local copy of the run's metric records, sample pictures and trainer states.
 * Everything {@code report} needs with no broker and no job running.
 */
public record RunFolder(Path dir, String runId, RunConfig config, RunManifest manifest) {
    public static final String CONFIG = "config.yaml", MANIFEST = "manifest.avro", METRICS = "metrics.bin", SAMPLES = "samples";
    /** Far above any real record (a histogram of 1,000 buckets is about 16 KB): a larger length means a corrupt file. */
    private static final int MAX_RECORD_BYTES = 64 << 20;

    static RunFolder open(Path workdir, String runId) throws IOException {
        Path runs = workdir.resolve("runs"), dir = runs.resolve(runId);
        if (!runId.matches("[A-Za-z0-9_.-]+") || !Files.isDirectory(dir)) throw new UsageException("no run '" + runId + "' in " + runs + knownRuns(runs));
        for (String f : List.of(CONFIG, MANIFEST, METRICS))
            if (!Files.isRegularFile(dir.resolve(f)))
                throw new UsageException("run " + runId + " has no " + f + " in " + dir + " (it has not finished, or an older version wrote it)");
        RunConfig config;
        try {
            config = RunConfig.load(dir.resolve(CONFIG));
        } catch (ConfigException e) {
            throw new UsageException(dir.resolve(CONFIG) + ": " + e.getMessage());
        }
        try {
            return new RunFolder(dir, runId, config, Codec.RUN_MANIFEST.decode(Files.readAllBytes(dir.resolve(MANIFEST))));
        } catch (Codec.DecodeException e) {
            throw new UsageException(dir.resolve(MANIFEST) + " is not a run manifest: " + e.getMessage());
        }
    }

    /** " (runs there: ...)", the latest five run ids under {@code runs}, for a message naming a run that is not there. */
    public static String knownRuns(Path runs) throws IOException {
        if (!Files.isDirectory(runs)) return " (no runs there)";
        try (Stream<Path> s = Files.list(runs)) {
            List<String> ids = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
            if (ids.isEmpty()) return " (no runs there)";
            return " (runs there: " + String.join(", ", ids.size() > 5 ? ids.subList(ids.size() - 5, ids.size()) : ids) + (ids.size() > 5 ? ", ..." : "") + ")";
        }
    }

    /** Hands every record of metrics.bin to sink, in file order. */
    void forEachMetric(Consumer<TrainingMetric> sink) throws IOException {
        forEachMetric(dir.resolve(METRICS), sink);
    }

    /** Hands every record of a metrics file to sink, in file order: repeated [int length, big-endian][single-object-encoded TrainingMetric]. */
    public static void forEachMetric(Path file, Consumer<TrainingMetric> sink) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            for (long n = 0; ; n++) {
                int length;
                try {
                    length = in.readInt();
                } catch (EOFException end) {
                    return;
                }
                if (length <= 0 || length > MAX_RECORD_BYTES) throw new UsageException(file + " is corrupt: record " + n + " claims " + length + " bytes");
                byte[] bytes = new byte[length];
                try {
                    in.readFully(bytes);
                    sink.accept(Codec.TRAINING_METRIC.decode(bytes));
                } catch (EOFException e) {
                    throw new UsageException(file + " is truncated in record " + n);
                } catch (Codec.DecodeException e) {
                    throw new UsageException(file + ": record " + n + " is not a TrainingMetric: " + e.getMessage());
                }
            }
        }
    }

    /** The latest sample picture of an experiment, or null. */
    Path latestSample(String experiment) {
        Path p = dir.resolve(SAMPLES).resolve(experiment + ".png");
        return Files.isRegularFile(p) ? p : null;
    }

    /** The experiment's sample pictures by generator step ({@code <experiment>-g<step>.png}). */
    SortedMap<Long, Path> samplesOverTime(String experiment) throws IOException {
        SortedMap<Long, Path> out = new TreeMap<>();
        Path samples = dir.resolve(SAMPLES);
        if (!Files.isDirectory(samples)) return out;
        Pattern name = Pattern.compile(Pattern.quote(experiment) + "-g(\\d+)\\.png");
        try (Stream<Path> s = Files.list(samples)) {
            s.forEach(p -> {
                Matcher m = name.matcher(p.getFileName().toString());
                if (m.matches()) out.put(Long.parseLong(m.group(1)), p);
            });
        }
        return out;
    }

    /** The experiment's final trainer state, or null. */
    Path state(String experiment) {
        Path p = dir.resolve(experiment + ".state");
        return Files.isRegularFile(p) ? p : null;
    }
}
