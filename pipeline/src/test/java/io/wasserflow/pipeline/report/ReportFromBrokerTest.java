package io.wasserflow.pipeline.report;

import io.wasserflow.pipeline.run.RunFolder;
import static io.wasserflow.pipeline.report.ReportTest.assertRefused;
import static io.wasserflow.pipeline.report.ReportTest.assertUsage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.pipeline.cli.Cli;
import io.wasserflow.pipeline.job.Topics;
import io.wasserflow.pipeline.kafka.KafkaClients;
import io.wasserflow.pipeline.testing.TestBroker;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.RunManifest;
import io.wasserflow.schemas.TrainingMetric;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * `report --bootstrap`: a run's manifest and metric records read from a real broker's topics, among
 * another run's records, give the very report its local copy gives; on a machine without the run's
 * folder, the report still has everything but the pictures and states that never went to Kafka.
 */
class ReportFromBrokerTest {
    static final String YAML = """
            data: {dataset: 8gaussians}
            experiments:
              - {name: clip, constraint: {clip: {c: 0.01}}, architecture: {mlp: {depth: 3, width: 32}}, batch_size: 32, publish: {histograms_every: 5, samples_every: 5}}
              - {name: gp, constraint: gp, architecture: {mlp: {depth: 3, width: 32}}, batch_size: 32, publish: {histograms_every: 5, samples_every: 5}}
            """;

    @TempDir
    static Path tmp;
    static RunFixture run;
    @RegisterExtension
    static final TestBroker BROKER = new TestBroker();

    @BeforeAll
    static void trainAndPublish() throws Exception {
        run = RunFixture.train(tmp.resolve("work"), "r-remote", YAML, 10);
        Topics topics = Topics.defaults();
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(BROKER.bootstrap())) {
            // as a job leaves them: the run's first manifest (no end yet), its records among another run's, its final manifest
            RunManifest started = RunManifest.newBuilder(run.manifest()).setEndTimeMs(null).setFinalParameterDigest(null).build();
            producer.send(new ProducerRecord<>(topics.runs(), "r-remote", Codec.RUN_MANIFEST.encode(started))).get();
            producer.send(new ProducerRecord<>(topics.runs(), "r-other", Codec.RUN_MANIFEST.encode(RunManifest.newBuilder(run.manifest()).setRunId("r-other").build()))).get();
            for (TrainingMetric m : run.records()) {
                producer.send(new ProducerRecord<>(topics.metrics(), "r-remote/" + m.getExperiment(), Codec.TRAINING_METRIC.encode(m)));
                TrainingMetric other = TrainingMetric.newBuilder(m).setRun("r-other").setValue(m.getValue() + 1).build();
                producer.send(new ProducerRecord<>(topics.metrics(), "r-other/" + m.getExperiment(), Codec.TRAINING_METRIC.encode(other)));
            }
            producer.send(new ProducerRecord<>(topics.metrics(), "junk", new byte[] {1, 2, 3})); // not a record: skipped
            producer.send(new ProducerRecord<>(topics.runs(), "r-remote", Codec.RUN_MANIFEST.encode(run.manifest()))).get();
        }
    }

    @Test
    void theBrokersRecordsGiveTheReportTheLocalCopyGives() throws Exception {
        Path local = tmp.resolve("local"), remote = tmp.resolve("remote"), work = run.workdir();
        assertEquals(0, Cli.run("report", "--run", run.runId(), "--out", local.toString(), "--workdir", work.toString()));
        Path copy = run.dir().resolve(RunFolder.METRICS), moved = tmp.resolve("metrics.bin.away");
        Files.move(copy, moved); // so the report cannot have read it
        try {
            assertEquals(0, Cli.run("report", "--run", run.runId(), "--out", remote.toString(), "--workdir", work.toString(), "--bootstrap", BROKER.bootstrap()));
        } finally {
            Files.move(moved, copy);
        }
        String md = Files.readString(remote.resolve(Report.REPORT));
        assertEquals(Files.readString(local.resolve(Report.REPORT)), md);
        assertTrue(md.contains("| clip |") && md.contains("| gp |"), md);
        for (String figure : new String[] {"figure1-activation-gradients.png", "wasserstein.png", "critic-weights.png"})
            assertArrayEquals(Files.readAllBytes(local.resolve(figure)), Files.readAllBytes(remote.resolve(figure)), figure + " is the same picture");
    }

    @Test
    void withoutTheRunFolderTheReportHasAllButPicturesAndStates() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("another-machine")), out = tmp.resolve("from-broker");
        assertEquals(0, Cli.run("report", "--run", run.runId(), "--out", out.toString(), "--workdir", elsewhere.toString(), "--bootstrap", BROKER.bootstrap()));
        String md = Files.readString(out.resolve(Report.REPORT)), local = Files.readString(localReport());
        String summaryRow = local.lines().filter(l -> l.startsWith("| gp |")).findFirst().orElseThrow();
        String remoteRow = md.lines().filter(l -> l.startsWith("| gp |")).findFirst().orElseThrow();
        // the same row up to its state and digest columns, which come from the final state files that stayed behind
        assertEquals(summaryRow.substring(0, summaryRow.indexOf("| finished |")), remoteRow.substring(0, remoteRow.indexOf("| no final state |")));
        assertTrue(md.contains("No sample pictures"), md);
        assertTrue(md.contains("ended "), "the final manifest's end: " + md.lines().limit(4).toList());
        assertTrue(Files.isRegularFile(out.resolve("figure1-activation-gradients.png")));
        assertFalse(Files.exists(elsewhere.resolve("runs")), "nothing written into the working folder");
    }

    @Test
    void aRunTheBrokerDoesNotHaveOrNoBrokerIsNamedInOneLine() {
        Path out = tmp.resolve("unused");
        assertRefused(Cli.capture("report", "--run", "nope", "--out", out.toString(), "--workdir", tmp.toString(), "--bootstrap", BROKER.bootstrap()),
                "no run 'nope' in topic wasserflow.runs on " + BROKER.bootstrap(), "r-remote", "r-other");
        assertRefused(Cli.capture("report", "--run", run.runId(), "--out", out.toString(), "--bootstrap", "127.0.0.1:1"), "cannot reach a Kafka broker at 127.0.0.1:1");
        assertFalse(Files.exists(out.resolve(Report.REPORT)));
    }

    @Test
    void aBrokerWithoutTheTopicsHasNoRunsAndKeepsItSo() throws Exception {
        Topics absent = new Topics("absent.metrics", "absent.alerts", "absent.runs", "absent.deadletter");
        assertUsage(() -> RunFolder.fromBroker(BROKER.bootstrap(), absent, tmp, run.runId(), tmp.resolve("copy.metrics")),
                "no run 'r-remote' in topic absent.runs", "(no runs there)");
        try (Admin admin = KafkaClients.admin(BROKER.bootstrap())) {
            assertFalse(admin.listTopics().names().get().stream().anyMatch(t -> t.startsWith("absent.")), "reading creates no topic");
        }
    }

    private static Path localReport() throws Exception {
        Path out = tmp.resolve("local-for-rows");
        if (!Files.exists(out.resolve(Report.REPORT))) Report.write(run.workdir(), run.runId(), out);
        return out.resolve(Report.REPORT);
    }
}
