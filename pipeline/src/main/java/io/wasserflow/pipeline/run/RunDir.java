package io.wasserflow.pipeline.run;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A run's folder, {@code <workdir>/runs/<run>/}, and the one place that knows its layout: the
 * config, the manifest, the local copy of the metric records, each experiment's final state and
 * result, the end offsets of a drained run, sample pictures, checkpoints and the savepoint. The job
 * writes into it (it is serializable, so operators carry it), the commands and the report read it.
 */
public record RunDir(String path) implements Serializable {
    public static final String CONFIG = "config.yaml", MANIFEST = "manifest.avro", METRICS = "metrics.bin", SAMPLES = "samples";
    private static final String STATE = ".state", RESULT = ".result", END_OFFSET = ".end-offset";

    public static RunDir of(Path workdir, String runId) {
        return new RunDir(runs(workdir).resolve(runId).toString());
    }

    public static Path runs(Path workdir) {
        return workdir.resolve("runs");
    }

    public Path dir() {
        return Path.of(path);
    }

    public Path config() { return dir().resolve(CONFIG); }
    public Path manifest() { return dir().resolve(MANIFEST); }
    public Path metrics() { return dir().resolve(METRICS); }
    public Path samples() { return dir().resolve(SAMPLES); }
    public Path checkpoints() { return dir().resolve("checkpoints"); }
    public Path savepoint() { return dir().resolve("savepoint"); }

    public RunDir create() throws IOException {
        Files.createDirectories(dir());
        return this;
    }

    /** The experiment's final trainer state, or null. */
    public Path state(String experiment) {
        Path p = dir().resolve(experiment + STATE);
        return Files.isRegularFile(p) ? p : null;
    }

    /** At the end of input: the experiment's final trainer state and its result. */
    public void writeFinal(ExperimentResult result, byte[] state) throws IOException {
        create();
        Files.write(dir().resolve(result.experiment() + STATE), state);
        Files.writeString(dir().resolve(result.experiment() + RESULT), result.encode());
    }

    /** The results of the experiments that wrote one, in the order given. */
    public Map<String, ExperimentResult> results(List<String> experiments) throws IOException {
        Map<String, ExperimentResult> out = new LinkedHashMap<>();
        for (String e : experiments) {
            Path p = dir().resolve(e + RESULT);
            if (Files.isRegularFile(p)) out.put(e, ExperimentResult.decode(Files.readString(p, StandardCharsets.UTF_8)));
        }
        return out;
    }

    /** One digest over every experiment's parameter digest, in config order: the manifest's. */
    public static String runDigest(Map<String, ExperimentResult> results) {
        Map<String, String> digests = new LinkedHashMap<>();
        results.forEach((name, r) -> digests.put(name, r.parameterDigest()));
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(digests.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** At the end of input: one past the highest image-topic offset this subtask trained on. */
    public void writeEndOffset(int subtask, long offset) throws IOException {
        create();
        Files.writeString(dir().resolve(subtask + END_OFFSET), String.valueOf(offset));
    }

    /** Where a drained run ended: the highest end offset its subtasks wrote, at least {@code start}. */
    public long endOffset(long start) throws IOException {
        long end = start;
        try (Stream<Path> files = Files.list(dir())) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(END_OFFSET)).toList())
                end = Math.max(end, Long.parseLong(Files.readString(f).strip()));
        }
        return end;
    }

    /** A sample picture at a generator step, kept as {@code <experiment>-g<step>.png} and as the latest. */
    /** A picture of kind {@code kind} (a folder of the run's: samples, landscapes), by step and as the latest. */
    public void writePicture(String kind, String experiment, long generatorStep, byte[] png) throws IOException {
        Path folder = dir().resolve(kind);
        Files.createDirectories(folder);
        Files.write(folder.resolve(String.format(Locale.ROOT, "%s-g%06d.png", experiment, generatorStep)), png);
        Files.write(folder.resolve(experiment + ".png"), png);
    }

    /** The experiment's pictures of one kind by generator step. */
    public SortedMap<Long, Path> picturesOverTime(String kind, String experiment) throws IOException {
        SortedMap<Long, Path> out = new TreeMap<>();
        Path folder = dir().resolve(kind);
        if (!Files.isDirectory(folder)) return out;
        Pattern name = Pattern.compile(Pattern.quote(experiment) + "-g(\\d+)\\.png");
        try (Stream<Path> s = Files.list(folder)) {
            s.forEach(p -> {
                Matcher m = name.matcher(p.getFileName().toString());
                if (m.matches()) out.put(Long.parseLong(m.group(1)), p);
            });
        }
        return out;
    }

    /** The latest sample picture of an experiment, or null. */
    public Path latestSample(String experiment) {
        Path p = samples().resolve(experiment + ".png");
        return Files.isRegularFile(p) ? p : null;
    }

    /** The experiment's sample pictures by generator step. */
    public SortedMap<Long, Path> samplesOverTime(String experiment) throws IOException {
        return picturesOverTime(SAMPLES, experiment);
    }

    /** Every sample picture, by name. */
    public List<Path> allSamples() throws IOException {
        if (!Files.isDirectory(samples())) return List.of();
        try (Stream<Path> files = Files.list(samples())) {
            return files.filter(f -> f.toString().endsWith(".png")).sorted().toList();
        }
    }
}
