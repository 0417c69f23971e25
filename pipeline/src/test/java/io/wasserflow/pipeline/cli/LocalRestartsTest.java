package io.wasserflow.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.pipeline.testing.TinyConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local run whose failure comes back after every restart ends with the cause in one line and exit
 * code 1, instead of restarting without end (Flink's default with checkpointing), which left a
 * demo hanging in silence. The failure is a real one: the run's checkpoint folder is replaced by a
 * file in the middle of the run, as a lost or full disk would, so every later checkpoint fails on the
 * job manager and, at Flink's default of no tolerated checkpoint failure, fails the job. The line
 * names the cause and how to go on ({@code resume}).
 */
class LocalRestartsTest {
    @Test
    void aFailureThatComesBackEndsTheDemoInOneLine(@TempDir Path workdir) throws Exception {
        Path config = workdir.resolve("run.yaml");
        Files.writeString(config, "checkpoints: {interval_seconds: 1, retained: 3}\n" + TinyConfigs.toy(null, TinyConfigs.clip()));
        CompletableFuture<Cli.Outcome> demo = CompletableFuture.supplyAsync(
                () -> Cli.capture("demo", "--config", config.toString(), "--steps", "20000", "--workdir", workdir.toString()));

        // progress, not a clock: wait for the job's first complete checkpoint, then take its folder away
        Path jobCheckpoints = null;
        while (jobCheckpoints == null && !demo.isDone()) {
            Thread.sleep(200);
            jobCheckpoints = firstCompleteCheckpoint(workdir).map(Path::getParent).orElse(null);
        }
        assertTrue(jobCheckpoints != null, "the demo ended before its first checkpoint: " + (demo.isDone() ? demo.get() : ""));
        try (Stream<Path> all = Files.walk(jobCheckpoints)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        Files.writeString(jobCheckpoints, "not a folder");

        Cli.Outcome out = demo.get(10, TimeUnit.MINUTES); // bounded only against a hang: the restarts wait 31 s in all
        assertEquals(1, out.code(), "stdout:\n" + out.out() + "\nstderr:\n" + out.err());
        List<String> lines = out.err().lines().filter(l -> l.startsWith("wasserflow")).toList();
        assertEquals(1, lines.size(), out.err());
        String line = lines.get(0);
        assertTrue(line.contains("failed after " + LocalRestarts.ATTEMPTS + " restarts: "), line);
        assertTrue(line.contains("Exceeded checkpoint tolerable failure threshold"), "the line names the cause: " + line);
        assertTrue(line.contains("./wasserflow resume --run ") && line.contains(" --workdir " + workdir), "and how to go on: " + line);
        System.out.println("LocalRestartsTest: " + lines.get(0));
    }

    private static Optional<Path> firstCompleteCheckpoint(Path workdir) throws Exception {
        Path runs = workdir.resolve("runs");
        if (!Files.isDirectory(runs)) return Optional.empty();
        try (Stream<Path> all = Files.walk(runs, 4)) {
            return all.filter(p -> p.getFileName().toString().startsWith("chk-") && Files.exists(p.resolve("_metadata"))).findFirst();
        }
    }
}
