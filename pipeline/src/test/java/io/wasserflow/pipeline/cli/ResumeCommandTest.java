package io.wasserflow.pipeline.cli;

import static io.wasserflow.pipeline.testing.TinyConfigs.clip;
import static io.wasserflow.pipeline.testing.TinyConfigs.gp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.pipeline.cluster.ChildMain;
import io.wasserflow.pipeline.job.RetainedCheckpoints;
import io.wasserflow.pipeline.run.RunDir;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import io.wasserflow.pipeline.testing.TestBroker;
import io.wasserflow.pipeline.testing.TinyConfigs;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.RunManifest;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * `wasserflow resume` after a real {@code kill -9}: of a `train` process against a broker of its
 * own, and of a `demo` process tree (its JVM and its broker's). The resumed run ends with an
 * uninterrupted run's digest; a corrupt latest checkpoint is passed over in one line naming it, a
 * truncated one too; a run with no checkpoint is refused in one line, nothing started. Checkpoints
 * every second, tiny networks: seconds of training.
 */
class ResumeCommandTest {
    @RegisterExtension
    static final TestBroker BROKER = new TestBroker();

    /** A checkpoint a second, so a run of a few seconds' training retains several. */
    static String yaml(String topic) {
        return TinyConfigs.toy(topic, clip().mlp(2, 32), gp().mlp(2, 32)) + "checkpoints: {interval_seconds: 1, retained: 3}\n";
    }

    @Test
    void aKilledTrainResumesPastACorruptLatestCheckpointToTheUninterruptedDigest(@TempDir Path tmp) throws Exception {
        String bootstrap = BROKER.bootstrap(), topic = "resume.train";
        var toy = Datasets.open("8gaussians", null, 4);
        ImageBatchProducer.produce(bootstrap, toy, topic, 64, 1500.0 * 64 / toy.epochSize(), null); // 1500 records: 750 critic steps each
        Path config = tmp.resolve("run.yaml"), work = tmp.resolve("work");
        Files.writeString(config, yaml(topic));

        assertEquals(0, Main.run(new String[] {"train", "--bootstrap", bootstrap, "--config", config.toString(), "--run-id", "whole", "--workdir", work.toString()}));
        String whole = manifest(work, "whole").getFinalParameterDigest();

        Path log = tmp.resolve("train.log");
        Process p = new ProcessBuilder(main("train", "--bootstrap", bootstrap, "--config", config.toString(), "--run-id", "killed", "--workdir", work.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        RunDir killed = RunDir.of(work, "killed");
        try {
            awaitCheckpoints(p, log, killed, 2);
            kill9(List.of(p.toHandle()));
        } finally {
            p.destroyForcibly();
        }
        assertNoResults(killed);
        RunManifest before = manifest(work, "killed");
        assertNull(before.getFinalParameterDigest(), "the killed run's manifest, written at its start");
        assertEquals(bootstrap, before.getBootstrap());
        assertNull(before.getEmbeddedBrokerLog());

        // a copy of the retained checkpoints, to cut the newest one's metadata short
        Path copy = tmp.resolve("copy");
        copyTree(killed.checkpoints(), copy);
        RetainedCheckpoints.Checkpoint newest = RetainedCheckpoints.latestUsable(killed.checkpoints()).usable();
        assertNotNull(newest, "a usable checkpoint before any damage");
        Path copiedNewest = copy.resolve(newest.dir().getParent().getFileName().toString()).resolve(newest.dir().getFileName().toString());
        Path meta = copiedNewest.resolve("_metadata");
        Files.write(meta, java.util.Arrays.copyOf(Files.readAllBytes(meta), (int) Files.size(meta) / 2));
        RetainedCheckpoints.Choice cut = RetainedCheckpoints.latestUsable(copy);
        assertNotNull(cut.usable());
        assertNotEquals(copiedNewest, cut.usable().dir(), "the truncated one is passed over");
        assertTrue(cut.passedOver().stream().anyMatch(l -> l.contains(newest.name()) && l.contains("corrupt or truncated _metadata")), cut.passedOver().toString());

        // the real one: a byte of an experiment's state changed on disk, which Flink itself would restore without a word
        corruptAnExperimentState(newest.dir());
        Cli.Outcome resumed = Cli.capture("resume", "--run", "killed", "--workdir", work.toString());
        assertEquals(0, resumed.code(), resumed.out() + "\n" + resumed.err());
        List<String> named = resumed.err().lines().filter(l -> l.contains(newest.name())).toList();
        assertEquals(1, named.size(), resumed.err());
        assertTrue(named.get(0).matches("wasserflow resume: checkpoint .* holds a corrupt experiment state \\(checksum mismatch.*\\); passed over"), named.get(0));
        assertTrue(resumed.out().contains("run killed: resuming 2 experiments"), resumed.out());

        RunManifest after = manifest(work, "killed");
        assertEquals(whole, after.getFinalParameterDigest(), "bit for bit the uninterrupted run's");
        assertTrue(resumed.out().contains("run killed finished; final parameters digest " + whole.substring(0, 16)), resumed.out());
        assertEquals(before.getStartTimeMs(), after.getStartTimeMs(), "the same run");
        assertEquals(1, after.getResumes().size());
        String from = after.getResumes().get(0).getCheckpoint();
        assertNotEquals(newest.dir().toAbsolutePath().toString(), from, "resumed from the one before");
        assertTrue(after.getResumes().get(0).getPassedOver().stream().anyMatch(l -> l.contains(newest.name())), after.getResumes().toString());

        // a run that died before its first checkpoint: one line, nothing started
        Path none = RunDir.of(work, "no-checkpoint").dir();
        Files.createDirectories(none);
        Files.write(none.resolve(RunDir.MANIFEST), Codec.RUN_MANIFEST.encode(RunManifest.newBuilder(before).setRunId("no-checkpoint").build()));
        Cli.Outcome refused = Cli.capture("resume", "--run", "no-checkpoint", "--workdir", work.toString());
        assertEquals(ResumeCommand.NOTHING_TO_RESUME, refused.code(), refused.out() + refused.err());
        assertEquals(1, refused.err().lines().count(), refused.err());
        assertTrue(refused.err().startsWith("wasserflow resume: run no-checkpoint has no usable checkpoint in "), refused.err());
        assertEquals("", refused.out(), "nothing started");
        try (Stream<Path> s = Files.list(none)) {
            assertEquals(List.of(none.resolve(RunDir.MANIFEST)), s.toList(), "nothing written");
        }
        // and a finished one has nothing to resume
        Cli.Outcome finished = Cli.capture("resume", "--run", "whole", "--workdir", work.toString());
        assertEquals(ResumeCommand.NOTHING_TO_RESUME, finished.code());
        assertEquals(1, finished.err().lines().count(), finished.err());
        assertTrue(finished.err().contains("run whole finished"), finished.err());
    }

    /**
     * The demo as a user runs it, killed with its broker: {@code kill -9} of the demo's JVM and of its broker's
     * at once. resume restarts that broker on the working folder's log and ends where the demo would have.
     */
    @Test
    void aKilledDemoTreeResumesOnItsOwnBrokerToTheUninterruptedDigest(@TempDir Path tmp) throws Exception {
        Path config = tmp.resolve("demo.yaml"), whole = tmp.resolve("whole"), work = tmp.resolve("work");
        Files.writeString(config, yaml("resume.demo"));
        String steps = "3000"; // clip and gp: 6000 critic steps each of 64 points, long enough to be killed mid-run unloaded
        long t0 = System.nanoTime();
        assertEquals(0, Main.run(new String[] {"demo", "--config", config.toString(), "--steps", steps, "--workdir", whole.toString()}));
        System.out.printf("uninterrupted demo: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        String runWhole;
        try (Stream<Path> s = Files.list(RunDir.runs(whole))) {
            runWhole = s.findFirst().orElseThrow().getFileName().toString();
        }
        String digest = manifest(whole, runWhole).getFinalParameterDigest();

        Path log = tmp.resolve("demo.log");
        Process p = new ProcessBuilder(main("demo", "--config", config.toString(), "--steps", steps, "--workdir", work.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String runId;
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!Files.isDirectory(RunDir.runs(work)) || Files.list(RunDir.runs(work)).findAny().isEmpty()) {
                assertTrue(p.isAlive() && System.nanoTime() < deadline, () -> "no run started:\n" + read(log));
                Thread.sleep(100);
            }
            try (Stream<Path> s = Files.list(RunDir.runs(work))) {
                runId = s.findFirst().orElseThrow().getFileName().toString();
            }
            awaitCheckpoints(p, log, RunDir.of(work, runId), 1);
            List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
            assertEquals(1, tree.size(), "the demo's broker is its one child: " + tree);
            tree.add(p.toHandle());
            kill9(tree);
        } finally {
            p.destroyForcibly();
        }
        assertNoResults(RunDir.of(work, runId));
        assertEquals(work.resolve("kafka").toAbsolutePath().toString(), manifest(work, runId).getEmbeddedBrokerLog());

        Cli.Outcome resumed = Cli.capture("resume", "--run", runId, "--workdir", work.toString());
        assertEquals(0, resumed.code(), resumed.out() + "\n" + resumed.err());
        assertTrue(resumed.out().contains("resume " + runId + ": restarted the embedded broker from its log in " + work.resolve("kafka").toAbsolutePath()), resumed.out());
        RunManifest after = manifest(work, runId);
        assertEquals(digest, after.getFinalParameterDigest(), "bit for bit the uninterrupted demo's");
        assertEquals(1, after.getResumes().size());
    }

    /** Flips a byte inside the first experiment state (magic "WFRS") found in the checkpoint's files, metadata included. */
    static void corruptAnExperimentState(Path chk) throws IOException {
        byte[] magic = {0x57, 0x46, 0x52, 0x53};
        try (Stream<Path> files = Files.walk(chk)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                byte[] b = Files.readAllBytes(f);
                for (int i = 0; i + 24 < b.length; i++)
                    if (b[i] == magic[0] && b[i + 1] == magic[1] && b[i + 2] == magic[2] && b[i + 3] == magic[3]) {
                        b[i + 20] ^= 0x01; // inside the trainer's bytes
                        Files.write(f, b, StandardOpenOption.TRUNCATE_EXISTING);
                        return;
                    }
            }
        }
        throw new AssertionError("no experiment state in " + chk);
    }

    static RunManifest manifest(Path work, String runId) throws Exception {
        return Codec.RUN_MANIFEST.decode(Files.readAllBytes(RunDir.of(work, runId).manifest()));
    }

    static void assertNoResults(RunDir dir) throws IOException {
        try (Stream<Path> s = Files.list(dir.dir())) {
            List<Path> results = s.filter(f -> f.getFileName().toString().endsWith(".result")).toList();
            assertEquals(List.of(), results, "killed mid-run, before the end");
        }
    }

    /** Waits, up to 3 minutes, until the run has retained {@code n} complete checkpoints, while it runs and before it ends. */
    static void awaitCheckpoints(Process p, Path log, RunDir dir, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (complete(dir) < n) {
            assertTrue(p.isAlive(), () -> "ended early:\n" + read(log));
            assertTrue(System.nanoTime() < deadline, () -> "no " + n + " checkpoints in 3 minutes:\n" + read(log));
            Thread.sleep(100);
        }
        assertNoResults(dir);
    }

    static long complete(RunDir dir) throws IOException {
        return RetainedCheckpoints.newestFirst(dir.checkpoints()).stream().filter(c -> Files.exists(c.resolve("_metadata"))).count();
    }

    /** {@code kill -9} of every process given, at once; returns when all are gone. */
    static void kill9(List<ProcessHandle> processes) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("kill", "-9"));
        for (ProcessHandle h : processes) cmd.add(Long.toString(h.pid()));
        assertEquals(0, new ProcessBuilder(cmd).start().waitFor(), "kill -9 " + cmd);
        for (ProcessHandle h : processes) h.onExit().get(30, TimeUnit.SECONDS);
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path f : s.sorted(Comparator.naturalOrder()).toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(t);
                else Files.copy(f, t);
            }
        }
    }

    /** The command that runs Main with these arguments in a child JVM (this one's module flags and class path). */
    static List<String> main(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) if (a.startsWith("--add-")) cmd.add(a);
        cmd.addAll(List.of("-Xmx1g", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"), ChildMain.class.getName(), Main.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
