package io.wasserflow.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Bad input ends with one line naming what is wrong and exit code 2, never a stack trace; every command shows its usage on request. */
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

    /** The flags of SPEC §2's synopsis of each command, which its usage must show. */
    static final Map<String, List<String>> SPEC_FLAGS = Map.of(
            "demo", List.of("--dataset", "--steps", "--config", "--workdir", "--data"),
            "broker", List.of("--dir", "--port"),
            "produce", List.of("--bootstrap", "--dataset", "--topic", "--batch-size", "--epochs"),
            "train", List.of("--bootstrap", "--config", "--from", "--until", "--workdir"),
            "replay", List.of("--run", "--bootstrap", "--workdir"),
            "sample", List.of("--run", "--experiment", "--n", "--out"),
            "report", List.of("--run", "--out", "--bootstrap"),
            "bench", List.of("--arch", "--constraint"));

    @Test
    void everyCommandShowsItsUsageWithHelpAndAfterTheHelpCommand() {
        for (Map.Entry<String, List<String>> c : SPEC_FLAGS.entrySet()) {
            Cli.Outcome flag = Cli.capture(c.getKey(), "--help"), command = Cli.capture("help", c.getKey());
            assertEquals(0, flag.code(), flag.err());
            assertEquals(0, command.code(), command.err());
            assertEquals(flag.out(), command.out(), "help " + c.getKey() + " is " + c.getKey() + " --help");
            assertTrue(flag.out().startsWith("Usage: wasserflow " + c.getKey() + " "), flag.out());
            for (String f : c.getValue()) assertTrue(flag.out().contains(f + "="), c.getKey() + "'s usage shows " + f + ":\n" + flag.out());
            assertEquals("", flag.err());
        }
    }

    @Test
    void helpListsTheCommandsAndNamesAnUnknownOneInOneLine() {
        Cli.Outcome list = Cli.capture("help");
        assertEquals(0, list.code(), list.err());
        for (String c : SPEC_FLAGS.keySet()) assertTrue(list.out().contains("\n  " + c + " "), c + " listed:\n" + list.out());
        assertEquals(list.out(), Cli.capture("--help").out());
        assertEquals(2, Cli.capture().code(), "no command is bad input");
        assertOneLineError(run("help", "frobnicate"), "unknown command 'frobnicate'");
    }

    @Test
    void aMissingValueIsNotAMissingFlag() {
        assertOneLineError(run("produce", "--dataset", "shapes", "--bootstrap"), "--bootstrap needs a value");
        assertOneLineError(run("produce", "--bootstrap", "--dataset", "shapes"), "--bootstrap needs a value");
        assertOneLineError(run("sample", "--out", "x.png"), "--run and --experiment are required");
    }

    @Test
    void demoAndTrainTakeADryRunThatRefusesABadSweepInOneLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        for (String command : List.of("demo", "train"))
            assertTrue(Cli.capture(command, "--help").out().contains("--dry-run"), command + "'s usage shows --dry-run");
        java.nio.file.Path config = tmp.resolve("big.yaml");
        java.nio.file.Files.writeString(config, "data: {dataset: 8gaussians}\nexperiments: [{name: a}, {name: b}]\nsweep: {draws: 200, seed: {random: {low: 1, high: 9}}}\n");
        assertOneLineError(run("train", "--dry-run", "--config", config.toString()), "config: sweep: expands to 400 experiments (a 200, b 200), more than the 256");
        assertOneLineError(run("demo", "--dry-run", "--config", config.toString()), "400 experiments");
        assertOneLineError(run("train", "--config", config.toString()), "400 experiments"); // the config is named before the missing --bootstrap
    }
}
