package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.run.RunDir;
import static io.wasserflow.pipeline.testing.TinyConfigs.clip;
import static io.wasserflow.pipeline.testing.TinyConfigs.gp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.broker.ChildJvm;
import io.wasserflow.pipeline.cluster.ChildMain;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import io.wasserflow.pipeline.testing.SavedTrainers;
import io.wasserflow.pipeline.testing.TestBroker;
import io.wasserflow.pipeline.testing.TinyConfigs;
import io.wasserflow.pipeline.testing.TopicReader;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.RunManifest;
import io.wasserflow.schemas.TrainingMetric;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --until never} (and {@code demo --steps 0}, which takes the same path) trains until
 * Ctrl-C: the interrupt stops the job with a draining savepoint, so every batch read is trained on, the
 * states are saved and the manifest's end offsets say where the run stopped. Run in a child JVM that
 * gets a real SIGINT.
 */
class UntilInterruptedTest {
    @RegisterExtension
    static final TestBroker BROKER = new TestBroker();

    static String yaml(String topic) {
        return TinyConfigs.toy(topic, clip(), gp());
    }

    @Test
    void ctrlCStopsTheRunWithItsStatesSavedAndItsEndOffsetsInTheManifest(@TempDir Path tmp) throws Exception {
        String bootstrap = BROKER.bootstrap(), yaml = yaml("never.images");
        var toy = Datasets.open("8gaussians", null, 5);
        ImageBatchProducer.produce(bootstrap, toy, "never.images", 32, 40.0 * 32 / toy.epochSize(), null); // 40 records
        Path config = tmp.resolve("run.yaml");
        Files.writeString(config, yaml);

        Path log = tmp.resolve("train.log");
        Process p = new ProcessBuilder(main("train", "--bootstrap", bootstrap, "--config", config.toString(), "--from", "offsets:0=4",
                "--until", "never", "--run-id", "r-never", "--workdir", tmp.resolve("work").toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String out;
        try {
            // 36 records x 32 points = 18 critic steps of 64 each; wait until both have trained all of them, idle on the topic's end
            awaitTraining(p, log, () -> trainedAll(bootstrap, 18), "18 critic steps");
            assertTrue(p.isAlive(), "an unbounded run waits for more data");
            out = interrupt(p, log, Long.toString(p.pid()));
        } finally {
            p.destroyForcibly();
        }
        assertTrue(out.contains("training until interrupted (Ctrl-C)"), out);
        assertTrue(out.contains("run r-never finished"), out);

        Path dir = tmp.resolve("work/runs/r-never");
        RunManifest m = Codec.RUN_MANIFEST.decode(Files.readAllBytes(dir.resolve(RunDir.MANIFEST)));
        assertEquals(Map.of("0", 4L), m.getStartOffsets());
        assertEquals(Map.of("0", 40L), m.getEndOffsets(), "one past the last record trained on");
        Map<String, Trainer> trainers = SavedTrainers.in(dir, RunConfig.parse(yaml));
        trainers.forEach((name, t) -> assertEquals(18, t.criticSteps(), name));
        assertEquals(SavedTrainers.runDigest(trainers), m.getFinalParameterDigest(), "the digest of the saved states");
        assertTrue(out.contains(m.getFinalParameterDigest().substring(0, 16)), "the summary prints the digest");

        // the same offsets bounded give the same parameters: what replay relies on
        assertEquals(0, Main.run(new String[] {"train", "--bootstrap", bootstrap, "--config", config.toString(), "--from", "offsets:0=4",
                "--run-id", "r-bounded", "--workdir", tmp.resolve("work").toString()}));
        RunManifest bounded = Codec.RUN_MANIFEST.decode(Files.readAllBytes(tmp.resolve("work/runs/r-bounded").resolve(RunDir.MANIFEST)));
        assertEquals(m.getEndOffsets(), bounded.getEndOffsets());
        assertEquals(m.getFinalParameterDigest(), bounded.getFinalParameterDigest(), "bit for bit");
    }

    /**
     * A terminal's Ctrl-C reaches its whole foreground process group: the demo's own broker is in
     * that group's reach unless it runs in a session of its own, and the run drains into it after
     * the interrupt. Here the demo runs in a new session of its own (as a shell's job) and the
     * SIGINT goes to every process of its group.
     */
    @Test
    void ctrlCAtATerminalStopsTheDemoCleanlyWithItsOwnBroker(@TempDir Path tmp) throws Exception {
        java.util.Optional<Path> setsid = ChildJvm.OWN_SESSION;
        org.junit.jupiter.api.Assumptions.assumeTrue(setsid.isPresent(), "util-linux's setsid (Linux)");
        Path config = tmp.resolve("run.yaml");
        Files.writeString(config, yaml("demo.images"));
        List<String> cmd = new ArrayList<>(List.of(setsid.get().toString()));
        cmd.addAll(main("demo", "--config", config.toString(), "--steps", "0", "--workdir", tmp.resolve("work").toString()));
        Path log = tmp.resolve("demo.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start(); // setsid execs: p's pid leads the group
        List<ProcessHandle> family = new ArrayList<>();
        String out;
        try {
            awaitTraining(p, log, () -> read(log).contains("[gp] generator step"), "a progress line");
            p.descendants().forEach(family::add);
            assertTrue(family.size() >= 1, "the broker runs as a child");
            out = interrupt(p, log, "-" + p.pid()); // the whole process group
        } finally {
            p.destroyForcibly();
        }
        assertTrue(out.matches("(?s).*run \\S+ finished; final parameters digest [0-9a-f]{16}.*"), out);
        for (ProcessHandle h : family) h.onExit().get(30, TimeUnit.SECONDS); // and the broker stopped with the demo
    }

    /** The command that runs Main with these arguments in a child JVM (this one's module flags and class path). */
    private static List<String> main(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) if (a.startsWith("--add-")) cmd.add(a);
        cmd.addAll(List.of("-Xmx1g", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"), ChildMain.class.getName(), Main.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Waits, up to 3 minutes, until the child has trained as far as {@code trained} says, while it runs. */
    private static void awaitTraining(Process p, Path log, java.util.function.BooleanSupplier trained, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!trained.getAsBoolean()) {
            assertTrue(p.isAlive(), () -> "ended early:\n" + read(log));
            assertTrue(System.nanoTime() < deadline, () -> "no " + what + " in 3 minutes:\n" + read(log));
            Thread.sleep(300);
        }
    }

    /** SIGINT to {@code target} (a pid, or minus a process group's id), then the child's output once it has stopped its run and exited 0. */
    private static String interrupt(Process p, Path log, String target) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-INT", "--", target).start().waitFor(), "SIGINT to " + target);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), () -> "still running 2 minutes after Ctrl-C:\n" + read(log));
        String out = read(log);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("interrupted: stopping the run"), out);
        return out;
    }

    private static boolean trainedAll(String bootstrap, int criticSteps) {
        int done = 0;
        for (byte[] v : TopicReader.values(bootstrap, "wasserflow.metrics")) { // none before the job has written
            TrainingMetric t;
            try {
                t = Codec.TRAINING_METRIC.decode(v);
            } catch (Codec.DecodeException e) {
                continue;
            }
            if (t.getName().equals("wasserflow_critic_step") && t.getValue() == criticSteps) done++;
        }
        return done >= 2;
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
