package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.run.RunDir;
import static io.wasserflow.pipeline.testing.TinyConfigs.clip;
import static io.wasserflow.pipeline.testing.TinyConfigs.gp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.train.Trainer;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** `wasserflow train` end to end against a real broker: the run's manifests land in wasserflow.runs, and its folder keeps what report and replay need. */
class TrainRunTest {
    @RegisterExtension
    static final TestBroker BROKER = new TestBroker();
    static final String YAML = TinyConfigs.toy("train.images", clip().publish("{samples_every: 2}"), gp());

    @BeforeAll
    static void produce() throws Exception {
        var toy = Datasets.open("8gaussians", null, 3);
        ImageBatchProducer.produce(BROKER.bootstrap(), toy, "train.images", 32, 30.0 * 32 / toy.epochSize(), null); // 30 records
    }

    static String git(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", Path.of("..").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void theManifestLandsInTheRunsTopicAndTheRunFolderKeepsItsRecords(@TempDir Path tmp) throws Exception {
        Path config = tmp.resolve("run.yaml");
        Files.writeString(config, YAML);
        assertEquals(0, Main.run(new String[] {"train", "--bootstrap", BROKER.bootstrap(), "--config", config.toString(), "--from", "offsets:0=5",
                "--run-id", "r-manifest", "--workdir", tmp.resolve("work").toString()}));

        List<RunManifest> manifests = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicReader.records(BROKER.bootstrap(), "wasserflow.runs")) {
            assertEquals("r-manifest", new String(r.key()));
            manifests.add(Codec.RUN_MANIFEST.decode(r.value()));
        }
        assertEquals(2, manifests.size(), "one manifest as the run starts, one as it ends");
        RunManifest first = manifests.get(0), last = manifests.get(1);
        assertNull(first.getFinalParameterDigest());
        assertNull(first.getEndTimeMs());
        assertEquals(Map.of("0", 5L), first.getStartOffsets());
        assertEquals(Map.of("0", 30L), last.getEndOffsets(), "bounded at the topic's end when the run started");
        assertEquals(List.of("clip", "gp"), last.getExperiments());
        assertEquals(YAML, last.getConfigYaml());
        assertEquals("train.images", last.getTopic());
        assertEquals(git("rev-parse", "HEAD"), last.getCodeCommit(), "the build records the git commit");
        assertEquals(!git("status", "--porcelain").isEmpty(), last.getCodeModified(), "modified = the tree differs from the commit");
        assertFalse(last.getBackend().isBlank());
        assertTrue(last.getBlasThreads() > 0);

        // the final digest is that of the saved trainers: 25 records x 32 points / 64 = 12 critic steps each
        Path dir = tmp.resolve("work/runs/r-manifest");
        Map<String, Trainer> trainers = SavedTrainers.in(dir, RunConfig.parse(YAML));
        trainers.forEach((name, t) -> assertEquals(12, t.criticSteps(), name));
        assertNotNull(last.getFinalParameterDigest());
        assertEquals(SavedTrainers.runDigest(trainers), last.getFinalParameterDigest());
        assertArrayEquals(Codec.RUN_MANIFEST.encode(last), Files.readAllBytes(dir.resolve(RunDir.MANIFEST)));

        // the local copy of the metrics holds exactly this run's records of the metrics topic
        List<TrainingMetric> topic = TopicReader.decoded(BROKER.bootstrap(), "wasserflow.metrics", Codec.TRAINING_METRIC);
        List<TrainingMetric> copy = new ArrayList<>();
        io.wasserflow.pipeline.run.RunFolder.forEachMetric(dir.resolve(RunDir.METRICS), copy::add); // the file as report reads it
        assertEquals(topic.stream().filter(m -> m.getRun().equals("r-manifest")).toList(), copy);
        assertTrue(copy.stream().anyMatch(m -> m.getName().equals("wasserflow_critic_step") && m.getValue() == 12), "every step's records");

        // samples every 2 generator steps: a scatter over the true density and its quality (6 generator steps: 3 pictures)
        for (int g : new int[] {2, 4, 6}) {
            Path png = dir.resolve(String.format("samples/clip-g%06d.png", g));
            assertTrue(Files.size(png) > 1000, png.toString());
            assertTrue(javax.imageio.ImageIO.read(png.toFile()).getWidth() > 100);
        }
        assertEquals(3, copy.stream().filter(m -> m.getExperiment().equals("clip") && m.getName().equals("wasserflow_sample_quality")
                && m.getLabels().get("measure").equals("modes")).count());
        assertTrue(Files.notExists(dir.resolve("samples/gp.png")), "gp publishes samples every 100 generator steps");
    }
}
