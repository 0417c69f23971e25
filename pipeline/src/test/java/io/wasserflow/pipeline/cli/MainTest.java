package io.wasserflow.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** Bad input ends with one line naming what is wrong and exit code 2, never a stack trace. */
class MainTest {
    record Outcome(int code, String err) {}

    static Outcome run(String... argv) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        try {
            return new Outcome(Main.run(argv), buf.toString().strip());
        } finally {
            System.setErr(old);
        }
    }

    static void assertOneLineError(Outcome o, String mentions) {
        assertEquals(2, o.code, o.err);
        assertEquals(1, o.err.lines().count(), "one line: " + o.err);
        assertTrue(o.err.startsWith("wasserflow"), o.err);
        assertTrue(o.err.contains(mentions), o.err);
    }

    @Test
    void unknownCommand() {
        assertOneLineError(run("frobnicate"), "unknown command 'frobnicate'");
    }

    @Test
    void unknownFlag() {
        assertOneLineError(run("produce", "--bootstrap", "x:1", "--dataset", "shapes", "--bogus", "1"), "unknown flag --bogus");
    }

    @Test
    void missingRequiredFlag() {
        assertOneLineError(run("produce", "--dataset", "shapes"), "--bootstrap is required");
    }

    @Test
    void malformedNumbers() {
        assertOneLineError(run("produce", "--bootstrap", "x:1", "--dataset", "shapes", "--batch-size", "many"), "--batch-size must be a whole number");
        assertOneLineError(run("bench", "--arch", "resnet"), "--arch must be one of toy, dcgan");
    }

    @Test
    void unknownDataset() {
        assertOneLineError(run("produce", "--bootstrap", "127.0.0.1:1", "--dataset", "cifar"), "unknown dataset 'cifar'");
    }

    @Test
    void unreachableBroker() {
        assertOneLineError(run("produce", "--bootstrap", "127.0.0.1:1", "--dataset", "shapes"), "cannot reach a Kafka broker at 127.0.0.1:1");
    }

    @Test
    void malformedStartPositionIsRefusedBeforeAnythingStarts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path config = tmp.resolve("c.yaml");
        java.nio.file.Files.writeString(config, io.wasserflow.pipeline.config.RunConfig.defaultYaml("8gaussians"));
        assertOneLineError(run("train", "--bootstrap", "127.0.0.1:1", "--config", config.toString(), "--from", "yesterday"),
                "--from must be earliest, latest, timestamp:MS or offsets:P=O,..., got 'yesterday'");
    }
}
