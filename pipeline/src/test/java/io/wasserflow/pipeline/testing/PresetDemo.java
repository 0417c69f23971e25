package io.wasserflow.pipeline.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.wasserflow.pipeline.cli.Cli;
import io.wasserflow.pipeline.config.Presets;
import io.wasserflow.pipeline.report.ReadBack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;

/**
 * One experiment of a shipped preset, run as a user runs it: {@code wasserflow demo} (an embedded
 * broker, the points streamed into it, the job on a MiniCluster), then {@code wasserflow report}
 * on the finished run folder with no broker and no job.
 *
 * @param yaml     the config the demo ran
 * @param runId    the run's id
 * @param report   the report's folder
 * @param markdown its {@code report.md}
 * @param run      the run folder read back, by experiment
 * @param trainSeconds  the demo's wall time
 * @param reportSeconds the report's wall time
 */
public record PresetDemo(String yaml, String runId, Path report, String markdown, Map<String, ReadBack.Experiment> run, long trainSeconds,
        long reportSeconds) {

    /**
     * The preset's experiment of this name alone, as the jar ships it, with the test's overrides
     * applied to its keys (a mutable copy); the preset's data section unchanged.
     */
    @SuppressWarnings("unchecked")
    public static String experiment(String preset, String name, Consumer<Map<String, Object>> overrides) throws java.io.IOException {
        Map<String, Object> config = new Yaml().load(Presets.resolve(preset).yaml());
        Map<String, Object> experiment = null;
        for (Object o : (List<Object>) config.get("experiments"))
            if (name.equals(((Map<String, Object>) o).get("name"))) experiment = new LinkedHashMap<>((Map<String, Object>) o);
        assertNotNull(experiment, "the " + preset + " preset's " + name + " experiment");
        overrides.accept(experiment);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("data", config.get("data"));
        out.put("experiments", List.of(experiment));
        return new Yaml().dump(out);
    }

    /** {@code demo} of this config for so many generator steps in workdir, then {@code report} into workdir/report. */
    public static PresetDemo run(String yaml, int generatorSteps, Path workdir) throws Exception {
        Path file = workdir.resolve("preset-ci.yaml");
        Files.writeString(file, yaml);
        long start = System.nanoTime();
        assertEquals(0, Cli.run("demo", "--config", file.toString(), "--steps", String.valueOf(generatorSteps), "--workdir", workdir.toString()));
        long trainSeconds = (System.nanoTime() - start) / 1_000_000_000L;
        String runId = onlyRunId(workdir);
        // the demo is over: its broker and job are gone; the report reads the run folder alone
        start = System.nanoTime();
        Path report = workdir.resolve("report");
        assertEquals(0, Cli.run("report", "--run", runId, "--out", report.toString(), "--workdir", workdir.toString()));
        long reportSeconds = (System.nanoTime() - start) / 1_000_000_000L;
        return new PresetDemo(yaml, runId, report, Files.readString(report.resolve("report.md")), ReadBack.read(workdir, runId), trainSeconds,
                reportSeconds);
    }

    /** The id of the one run in workdir's {@code runs} folder (a test's demo made it). */
    public static String onlyRunId(Path workdir) throws java.io.IOException {
        try (Stream<Path> runs = Files.list(workdir.resolve("runs"))) {
            List<Path> all = runs.toList();
            assertEquals(1, all.size(), all.toString());
            return all.get(0).getFileName().toString();
        }
    }
}
