package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.run.RunDir;
import static io.wasserflow.pipeline.testing.TinyConfigs.clip;
import static io.wasserflow.pipeline.testing.TinyConfigs.gp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.kafka.KafkaClients;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import io.wasserflow.pipeline.testing.TestBroker;
import io.wasserflow.pipeline.testing.TinyConfigs;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.RunManifest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * `wasserflow replay` through the CLI's entry point: a finished demo run replays bit for bit from
 * the working folder's broker log; a run whose records were deleted, or that another code version
 * made, is refused by name before anything trains; an unknown run gets one line.
 */
class ReplayCommandTest {
    /** 3 generator steps: demo streams 2 records of 256 points (clip's 6 batches of 64); gp, one critic step each, would train on past step 3 without the step limit. */
    static String yaml(String topic) {
        return TinyConfigs.toy(topic, clip(), gp().nCritic(1));
    }

    @RegisterExtension
    static final TestBroker BROKER = new TestBroker();

    @TempDir
    static Path workdir;
    static String original;
    static RunManifest manifest;

    record Outcome(int code, String out, String err) {}

    static Outcome main(String... argv) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true));
        System.setErr(new PrintStream(e, true));
        try {
            return new Outcome(Main.run(argv), o.toString(), e.toString().strip());
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    static Set<String> runs(Path workdir) throws Exception {
        try (Stream<Path> s = Files.list(workdir.resolve("runs"))) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
        }
    }

    static RunManifest manifestOf(String runId) throws Exception {
        return Codec.RUN_MANIFEST.decode(Files.readAllBytes(workdir.resolve("runs").resolve(runId).resolve(RunDir.MANIFEST)));
    }

    /** A copy of the original run's folder under another id, its manifest changed by edit. */
    static String copyOfTheRun(String id, java.util.function.UnaryOperator<RunManifest.Builder> edit) throws Exception {
        Path from = workdir.resolve("runs").resolve(original), to = workdir.resolve("runs").resolve(id);
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) Files.copy(f, to.resolve(f.getFileName()));
        }
        Files.write(to.resolve(RunDir.MANIFEST), Codec.RUN_MANIFEST.encode(edit.apply(RunManifest.newBuilder(manifest).setRunId(id)).build()));
        return id;
    }

    static void assertRefused(Outcome o, String reason) {
        assertEquals(ReplayCommand.REFUSED, o.code, o.err);
        assertEquals(1, o.err.lines().count(), "one line: " + o.err);
        assertTrue(o.err.startsWith("wasserflow replay: refused: "), o.err);
        assertTrue(o.err.contains(reason), o.err);
    }

    /** A finished run as `demo` leaves it: the broker's log in workdir/kafka (the broker stopped), the run's folder and manifest. */
    @BeforeAll
    static void finishedDemo() throws Exception {
        Path config = workdir.resolve("tiny.yaml");
        Files.writeString(config, yaml("replay.images"));
        Outcome demo = main("demo", "--config", config.toString(), "--steps", "3", "--workdir", workdir.toString());
        assertEquals(0, demo.code, demo.err);
        original = runs(workdir).iterator().next();
        manifest = manifestOf(original);
        assertEquals(3L, manifest.getMaxGeneratorSteps(), "the manifest records the run's step limit");
    }

    @Test
    void aFinishedRunReplaysBitIdenticalFromTheWorkingFoldersLog() throws Exception {
        Set<String> before = runs(workdir);
        Outcome o = main("replay", "--run", original, "--workdir", workdir.toString());
        assertEquals(0, o.code, o.out + o.err);
        assertTrue(o.out.contains("replay " + original + ": restarted the embedded broker from its log"), o.out);
        assertTrue(o.out.contains("replay " + original + ": bit-identical (digest " + manifest.getFinalParameterDigest()), o.out);

        List<String> added = new ArrayList<>(runs(workdir));
        added.removeAll(before);
        assertEquals(1, added.size(), "the replay is a new run: " + added);
        RunManifest replay = manifestOf(added.get(0));
        assertEquals(original, replay.getReplayOf());
        assertEquals(manifest.getFinalParameterDigest(), replay.getFinalParameterDigest());
        assertEquals(manifest.getStartOffsets(), replay.getStartOffsets());
        assertEquals(manifest.getEndOffsets(), replay.getEndOffsets());
        assertEquals(3L, replay.getMaxGeneratorSteps());
        // the step limit mattered: gp stopped after 3 of the batches its records hold
        RunConfig c = RunConfig.parse(yaml("replay.images"));
        Trainer gp = new Trainer(c.experiments().get(1), c.dataShape());
        gp.restoreState(Files.readAllBytes(workdir.resolve("runs").resolve(added.get(0)).resolve("gp.state")));
        assertEquals(3, gp.criticSteps());
        assertTrue((manifest.getEndOffsets().get("0") - manifest.getStartOffsets().get("0")) * 256 / 64 > 3, manifest.getEndOffsets().toString());
    }

    @Test
    void aReplayThatEndsElsewhereIsDifferentAndSaysWhere() throws Exception {
        // the same run's records, but a manifest that says it stopped after 2 generator steps: the replay stops there, the digest cannot match
        String early = copyOfTheRun("r-stopped-early", m -> m.setMaxGeneratorSteps(2L));
        Outcome o = main("replay", "--run", early, "--workdir", workdir.toString());
        assertEquals(ReplayCommand.DIFFERENT, o.code, o.out + o.err);
        String line = o.out.lines().filter(l -> l.startsWith("replay " + early + ": DIFFERENT: ")).findFirst().orElseThrow(() -> new AssertionError(o.out));
        assertTrue(line.contains("the run's was " + manifest.getFinalParameterDigest()), line);
        assertTrue(line.contains("clip ended at generator step 2, critic step 4; the run at 3, 6"), line);
        assertTrue(line.contains("gp ended at generator step 2, critic step 2; the run at 3, 3"), line);
    }

    @Test
    void anotherCodeVersionOrMachineIsRefusedBeforeAnythingTrains() throws Exception {
        String other = copyOfTheRun("r-other-code", m -> m.setCodeCommit("a1b2c3d4e5f60718293a4b5c6d7e8f9012345678").setCodeModified(false));
        String threads = copyOfTheRun("r-other-threads", m -> m.setBlasThreads(manifest.getBlasThreads() + 7));
        String processor = copyOfTheRun("r-other-processor", m -> m.setProcessor("Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz (2 cores)"));
        String isa = copyOfTheRun("r-other-isa", m -> m.setOnednnIsa("avx2"));
        String older = copyOfTheRun("r-older-manifest", m -> m.setProcessor(""));
        Set<String> before = runs(workdir);
        String here = Version.commit().length() > 7 ? Version.commit().substring(0, 7) : Version.commit();
        assertRefused(main("replay", "--run", other, "--workdir", workdir.toString()),
                "code version differs: run was a1b2c3d, this build is " + here + (Version.modified() ? " (modified)" : ""));

        assertRefused(main("replay", "--run", threads, "--workdir", workdir.toString()),
                "BLAS thread count differs: run used " + (manifest.getBlasThreads() + 7) + ", this replay would use " + manifest.getBlasThreads() + " (trainer.blas_threads)");
        assertFalse(manifest.getProcessor().isEmpty(), "the manifest records the processor");
        assertRefused(main("replay", "--run", processor, "--workdir", workdir.toString()),
                "processor differs: run used Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz (2 cores), this machine has " + manifest.getProcessor());
        assertRefused(main("replay", "--run", isa, "--workdir", workdir.toString()), "oneDNN ISA differs: run used avx2, this machine has " + manifest.getOnednnIsa());
        assertRefused(main("replay", "--run", older, "--workdir", workdir.toString()), "does not record its processor");
        assertEquals(before, runs(workdir), "no new run");
    }

    @Test
    void recordsDeletedFromTheTopicAreRefusedBeforeAnythingTrains(@TempDir Path tmp) throws Exception {
        RunConfig config = RunConfig.parse(yaml("replay.deleted"));
        Path dir = tmp.resolve("runs").resolve("r-deleted");
        Files.createDirectories(dir);
        String bootstrap = BROKER.bootstrap();
        var toy = Datasets.open("8gaussians", null, 3);
        ImageBatchProducer.produce(bootstrap, toy, "replay.deleted", 32, 10.0 * 32 / toy.epochSize(), null); // 10 records
        RunManifest m = LocalRun.manifest(config, "r-deleted", Map.of(0, 2L), Map.of(0, 10L), "00ff", 1L, 2L).setMaxGeneratorSteps(3L).build();
        Files.write(dir.resolve(RunDir.MANIFEST), Codec.RUN_MANIFEST.encode(m));
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            admin.deleteRecords(Map.of(new TopicPartition("replay.deleted", 0), RecordsToDelete.beforeOffset(5))).all().get();
        }
        assertRefused(main("replay", "--run", "r-deleted", "--bootstrap", bootstrap, "--workdir", tmp.toString()),
                "topic replay.deleted partition 0 no longer holds offsets 2 to 10 that the run read (it holds 5 to 10: records before 5 were deleted)");

        Files.write(dir.resolve(RunDir.MANIFEST), Codec.RUN_MANIFEST.encode(RunManifest.newBuilder(m).setTopic("replay.gone").build()));
        assertRefused(main("replay", "--run", "r-deleted", "--bootstrap", bootstrap, "--workdir", tmp.toString()),
                "topic replay.gone no longer exists on " + bootstrap);
        assertEquals(Set.of("r-deleted"), runs(tmp), "nothing trained");
    }

    @Test
    void anUnknownRunGetsOneLine() {
        MainTest.assertOneLineError(MainTest.run("replay", "--run", "r-nope", "--workdir", workdir.toString()), "no run 'r-nope' in");
        MainTest.assertOneLineError(MainTest.run("replay", "--workdir", workdir.toString()), "--run is required");
    }
}
