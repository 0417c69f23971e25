package io.wasserflow.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.wasserflow.pipeline.config.ConfigException;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.kafka.KafkaClients;
import io.wasserflow.pipeline.testing.TestBroker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input on the command line and in config files (SPEC §2 and §4): unknown commands and
 * flags, missing and unreadable files, malformed YAML, unknown keys, out-of-range values, wrong
 * types, an unreachable broker, and a seeded random mutation loop over a valid config. Every case
 * goes through the CLI entry point and must end with one line naming what is wrong, a non-zero
 * exit, no stack trace, quickly, and with nothing started: no working folder, no run folder, no
 * topic created or written on the (real, reachable) broker the bad commands are pointed at.
 */
class CliFuzzTest {
    @RegisterExtension
    static final TestBroker BROKER = new TestBroker();

    @TempDir
    static Path tmp;

    /** A valid config that sets nearly every key, the seed of the mutation loop. */
    static final String VALID = """
            data:
              dataset: 8gaussians
              topic: cli.fuzz.images
            experiments:
              - name: clip
                architecture: {mlp: {depth: 2, width: 16}}
                loss: wgan
                constraint: {clip: {c: 0.01}}
                init: he
                optimizer: {rmsprop: {lr: 5e-5}}
                n_critic: 5
                batch_size: 64
                z_dim: 2
                seed: 7
                publish: {norms_every: 1, histograms_every: 10, samples_every: 100, histogram_range: 0.05, histogram_buckets: 20}
                alerts: {vanishing_below: 1e-6, exploding_above: 100}
              - name: gp
                architecture:
                  mlp:
                    depth: 3
                    width: 32
                constraint:
                  gp:
                    lambda: 0.1
                optimizer:
                  adam:
                    lr: 0.0001
                    betas: [0.5, 0.9]
                warmup: false
                precision: float32
                critic_norm: layernorm
                generator_norm: batchnorm
            """;

    record Outcome(int code, String out, String err, long millis) {}

    /** Runs the CLI in this JVM, capturing what it prints. */
    static Outcome run(String... argv) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        long start = System.nanoTime();
        int code;
        try {
            code = Main.run(argv);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Outcome(code, out.toString(StandardCharsets.UTF_8).strip(), err.toString(StandardCharsets.UTF_8).strip(),
                (System.nanoTime() - start) / 1_000_000);
    }

    static final Pattern STACK_FRAME = Pattern.compile("(?m)^\\s*at [\\w.$]+\\(|Caused by:|Exception in thread|\\w+(Exception|Error):");

    /** One line on stderr, starting with the program's name and naming what is wrong; a non-zero exit; no stack trace; quick. */
    static void assertRefused(Outcome o, String... mentions) {
        String what = "exit " + o.code + ", stderr: " + o.err + (o.out.isEmpty() ? "" : "\nstdout: " + o.out);
        assertNotEquals(0, o.code, what);
        assertEquals(1, o.err.lines().count(), "one line: " + what);
        assertTrue(o.err.startsWith("wasserflow"), what);
        assertFalse(STACK_FRAME.matcher(o.err).find(), "no stack trace: " + what);
        assertFalse(STACK_FRAME.matcher(o.out).find(), "no stack trace: " + what);
        for (String m : mentions) assertTrue(o.err.contains(m), "should mention '" + m + "': " + what);
        assertTrue(o.millis < 15_000, "fails fast, not after " + o.millis + " ms: " + what);
    }

    static Set<String> topics() throws Exception {
        try (Admin admin = KafkaClients.admin(BROKER.bootstrap())) {
            return admin.listTopics().names().get();
        }
    }

    static Path file(String name, String text) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    /** A working folder that must still not exist after a refused command. */
    static String workdir(String name) {
        return tmp.resolve("work-" + name).toString();
    }

    /** The refused commands of one table, each checked for its message and for having started nothing. */
    static void assertAllRefused(List<Case> cases) throws Exception {
        Set<String> topicsBefore = topics();
        boolean defaultWorkdir = Files.exists(Path.of("wasserflow-data"));
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            Outcome o = run(c.argv);
            try {
                assertRefused(o, c.mentions);
                for (String dir : c.mustNotExist) assertFalse(Files.exists(Path.of(dir)), "nothing started, but " + dir + " exists");
            } catch (AssertionError e) {
                failures.add(String.join(" ", c.argv) + "\n    " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) fail(failures.size() + " of " + cases.size() + " refused commands misbehaved:\n  " + String.join("\n  ", failures));
        assertEquals(topicsBefore, topics(), "no topic created by a refused command");
        assertEquals(defaultWorkdir, Files.exists(Path.of("wasserflow-data")), "no default working folder created");
    }

    record Case(String[] argv, String[] mentions, List<String> mustNotExist) {}

    static final class Cases {
        final List<Case> list = new ArrayList<>();

        Cases add(List<String> argv, String... mentions) {
            List<String> dirs = new ArrayList<>();
            for (int i = 0; i + 1 < argv.size(); i++)
                if (argv.get(i).equals("--workdir") || argv.get(i).equals("--dir")) dirs.add(argv.get(i + 1));
            list.add(new Case(argv.toArray(String[]::new), mentions, dirs));
            return this;
        }
    }

    static List<String> argv(String... a) {
        return Arrays.asList(a);
    }

    @Test
    void unknownCommandsFlagsAndMalformedArgumentsAreRefused() throws Exception {
        String b = BROKER.bootstrap();
        String valid = file("valid.yaml", VALID).toString();
        String w = workdir("flags");
        assertAllRefused(new Cases()
                .add(argv("frobnicate"), "unknown command 'frobnicate'")
                .add(argv("--bogus"), "unknown command '--bogus'")
                .add(argv("TRAIN", "--bootstrap", b), "unknown command 'TRAIN'")
                .add(argv("train", "--bootstrap", b, "--config", valid, "--workdir", w, "--bogus", "1"), "unknown flag --bogus")
                .add(argv("train", "--bootstrap", b, "--config", valid, "--workdir", w, "-v"), "unexpected argument '-v'")
                .add(argv("train", "stray", "--bootstrap", b, "--config", valid, "--workdir", w), "unexpected argument 'stray'")
                .add(argv("train", "--bootstrap", b, "--workdir", w, "--config"), "--config needs a value")
                .add(argv("train", "--config", valid, "--workdir", w), "--bootstrap is required")
                .add(argv("train", "--bootstrap", b, "--workdir", w), "--config is required")
                .add(argv("train", "--bootstrap", b, "--config", valid, "--workdir", w, "--from", "yesterday"), "--from", "yesterday")
                .add(argv("train", "--bootstrap", b, "--config", valid, "--workdir", w, "--from", "timestamp:99999999999999999999999"), "--from")
                .add(argv("train", "--bootstrap", b, "--config", valid, "--workdir", w, "--from", "offsets:0=99999999999999999999999"), "--from")
                .add(argv("train", "--bootstrap", b, "--config", valid, "--workdir", w, "--from", "offsets:99999999999=1"), "--from")
                .add(argv("train", "--bootstrap", b, "--config", valid, "--workdir", w, "--until", "sometimes"), "--until", "sometimes")
                .add(argv("train", "--bootstrap", b, "--config", valid, "--workdir", w, "--run-id", "../../escaped"), "--run-id", "../../escaped")
                .add(argv("train", "--bootstrap", b, "--config", valid, "--workdir", w, "--run-id", ""), "--run-id")
                .add(argv("produce", "--dataset", "shapes"), "--bootstrap is required")
                .add(argv("produce", "--bootstrap", b), "--dataset is required")
                .add(argv("produce", "--bootstrap", b, "--dataset", "cifar"), "unknown dataset 'cifar'")
                .add(argv("produce", "--bootstrap", b, "--dataset", "shapes", "--batch-size", "many"), "--batch-size must be a whole number")
                .add(argv("produce", "--bootstrap", b, "--dataset", "shapes", "--batch-size", "0"), "--batch-size")
                .add(argv("produce", "--bootstrap", b, "--dataset", "shapes", "--batch-size", "-3"), "--batch-size")
                .add(argv("produce", "--bootstrap", b, "--dataset", "shapes", "--batch-size", "99999999999"), "--batch-size")
                .add(argv("produce", "--bootstrap", b, "--dataset", "shapes", "--batch-size", "100000", "--topic", "cli.fuzz.huge"), "--batch-size", "100000")
                .add(argv("produce", "--bootstrap", b, "--dataset", "shapes", "--batch-size", "2147483647", "--topic", "cli.fuzz.huge"), "--batch-size")
                .add(argv("produce", "--bootstrap", b, "--dataset", "shapes", "--epochs", "0"), "--epochs")
                .add(argv("produce", "--bootstrap", b, "--dataset", "shapes", "--epochs", "NaN"), "--epochs")
                .add(argv("produce", "--bootstrap", b, "--dataset", "shapes", "--epochs", "Infinity", "--topic", "cli.fuzz.endless"), "--epochs")
                .add(argv("produce", "--bootstrap", b, "--dataset", "shapes", "--epochs", "lots"), "--epochs must be a number")
                .add(argv("produce", "--bootstrap", b, "--dataset", "shapes", "--seed", "0.5"), "--seed")
                .add(argv("produce", "--bootstrap", b, "--dataset", "fashion-mnist", "--data", tmp.resolve("no-such-folder").toString()), "fashion-mnist", "no-such-folder")
                .add(argv("demo", "--steps", "-1", "--workdir", workdir("demo-steps")), "--steps")
                .add(argv("demo", "--steps", "ten", "--workdir", workdir("demo-steps")), "--steps must be a whole number")
                .add(argv("demo", "--dataset", "cifar", "--workdir", workdir("demo-dataset")), "cifar")
                .add(argv("demo", "--config", tmp.resolve("missing.yaml").toString(), "--workdir", workdir("demo-config")), "missing.yaml")
                .add(argv("demo", "--workdir", workdir("demo-flag"), "--broker", "x"), "unknown flag --broker")
                .add(argv("broker", "--port", "http", "--dir", workdir("broker-port")), "--port must be a whole number")
                .add(argv("broker", "--port", "70000", "--dir", workdir("broker-port")), "--port", "70000")
                .add(argv("broker", "--port", "-1", "--dir", workdir("broker-port")), "--port", "-1")
                .add(argv("bench", "--arch", "resnet"), "--arch must be one of toy, dcgan")
                .add(argv("bench", "--constraint", "spectral"), "--constraint")
                .add(argv("bench", "--seconds", "soon"), "--seconds")
                .add(argv("sample", "--run", "nope", "--experiment", "gp", "--out", tmp.resolve("s.png").toString(), "--workdir", workdir("sample")), "no run nope")
                .add(argv("sample", "--run", "nope", "--experiment", "gp", "--out", tmp.resolve("s.gif").toString(), "--workdir", workdir("sample")), "--out")
                .add(argv("sample", "--run", "nope", "--experiment", "gp", "--interpolate", "--out", tmp.resolve("s.csv").toString(), "--workdir", workdir("sample")),
                        "--interpolate draws a picture")
                .add(argv("sample", "--run", "nope", "--experiment", "gp", "--interpolate", "--n", "1000", "--out", tmp.resolve("s.png").toString(),
                        "--workdir", workdir("sample")), "--n must be between 1 and 64 lines")
                .add(argv("report", "--run", "nope", "--out", tmp.resolve("report").toString(), "--workdir", workdir("report")), "nope")
                .list);
    }

    /** Experiments with one key that is wrong (written after "name: a, "), then what the message must mention, " | " between mentions. */
    static final String BAD_EXPERIMENT_KEYS = """
            optimizer: {adam: {lr: 1e-4, momentum: 0.9}}  => experiments[0].optimizer.adam.momentum | unknown key
            optimizer: {adam: {lr: 1e-4}, sgd: {lr: 1}}   => experiments[0].optimizer | exactly one
            optimizer: nesterov                           => experiments[0].optimizer | nesterov
            optimizer: {rmsprop: {lr: -1}}                => experiments[0].optimizer.rmsprop.lr | out of range
            optimizer: {rmsprop: {lr: 1e6}}               => experiments[0].optimizer.rmsprop.lr | out of range
            optimizer: {rmsprop: {lr: .nan}}              => experiments[0].optimizer.rmsprop.lr | out of range
            optimizer: {rmsprop: {lr: fast}}              => experiments[0].optimizer.rmsprop.lr | expected a number
            optimizer: {adam: {betas: [0.5]}}             => experiments[0].optimizer.adam.betas | two betas
            optimizer: {adam: {betas: [1.5, 0.9]}}        => experiments[0].optimizer.adam.betas[0] | out of range
            optimizer: {adam: {betas: 0.5}}               => experiments[0].optimizer.adam.betas | expected a list
            batch_size: 0                                 => experiments[0].batch_size | out of range
            batch_size: -64                               => experiments[0].batch_size | out of range
            batch_size: 99999999999999999999999           => experiments[0].batch_size
            batch_size: many                              => experiments[0].batch_size | whole number
            batch_size: 6.4                               => experiments[0].batch_size | whole number
            batch_size: [64]                              => experiments[0].batch_size | whole number
            n_critic: 0                                   => experiments[0].n_critic | out of range
            z_dim: 0                                      => experiments[0].z_dim | out of range
            seed: lucky                                   => experiments[0].seed | whole number
            warmup: sometimes                             => experiments[0].warmup | true or false
            loss: hinge                                   => experiments[0].loss | hinge
            constraint: spectral                          => experiments[0].constraint | spectral
            constraint: {clip: {c: 0}}                    => experiments[0].constraint.clip.c | out of range
            constraint: {gp: {lambda: -10}}               => experiments[0].constraint.gp.lambda | out of range
            constraint: {gp: {c: 1}}                      => experiments[0].constraint.gp.c | unknown key
            architecture: {mlp: {depth: 100}}             => experiments[0].architecture.mlp.depth | out of range
            architecture: {mlp: {width: 0}}               => experiments[0].architecture.mlp.width | out of range
            architecture: {mlp: {depth: 2.5}}             => experiments[0].architecture.mlp.depth | whole number
            architecture: resnet                          => experiments[0].architecture | resnet
            architecture: {dcgan: {base_channels: 8}}     => experiments[0].architecture | 28x28
            init: orthogonal                              => experiments[0].init | orthogonal
            precision: float16                            => experiments[0].precision | float16
            critic_norm: batchnorm                        => experiments[0].critic_norm | batchnorm
            publish: {histogram_buckets: 1}               => experiments[0].publish.histogram_buckets | out of range
            publish: {every: 1}                           => experiments[0].publish.every | unknown key
            alerts: {exploding_above: -1}                 => experiments[0].alerts.exploding_above | out of range
            batch_size: !!binary aGVsbG8=                 => experiments[0].batch_size
            seed: !!java.io.File /tmp                     => malformed YAML
            """;

    @Test
    void badConfigFilesAreRefusedWithWhatIsWrongAndNothingStarts() throws Exception {
        String b = BROKER.bootstrap();
        String w = workdir("config");
        Path binary = tmp.resolve("binary.yaml");
        byte[] junk = new byte[512];
        new Random(5).nextBytes(junk);
        Files.write(binary, junk);
        Path folder = Files.createDirectories(tmp.resolve("a-folder.yaml"));
        String head = "data: {dataset: 8gaussians, topic: cli.fuzz.images}\nexperiments:\n";
        Map<String, String[]> configs = new TreeMap<>();
        configs.put("", new String[] {"empty"});
        configs.put("# only a comment\n", new String[] {"empty"});
        configs.put("data: {dataset: 8gaussians\nexperiments: [", new String[] {"malformed YAML", "line"});
        configs.put("data:\n\tdataset: 8gaussians\n", new String[] {"malformed YAML", "line 2"});
        configs.put(head + "  - {name: a}\n---\ndata: {}\n", new String[] {"malformed YAML"});
        configs.put(head + "  - {name: a, name: b}\n", new String[] {"malformed YAML", "duplicate"});
        configs.put("- just\n- a list\n", new String[] {"expected a mapping"});
        configs.put("just words", new String[] {"expected a mapping"});
        configs.put("experiments: [{name: a}]\n", new String[] {"data", "missing"});
        configs.put("data: {dataset: 8gaussians}\n", new String[] {"experiments", "missing"});
        configs.put("data: {dataset: cifar}\nexperiments: [{name: a}]\n", new String[] {"data.dataset", "unknown dataset 'cifar'"});
        configs.put("data: shapes\nexperiments: [{name: a}]\n", new String[] {"data", "expected a mapping"});
        configs.put("data: {dataset: 8gaussians, partitions: 3}\nexperiments: [{name: a}]\n", new String[] {"data.partitions", "unknown key"});
        configs.put(head + "  - {name: a}\nepochs: 3\n", new String[] {"epochs", "unknown key"});
        configs.put(head + "  {name: a}\n", new String[] {"experiments", "expected a list"});
        configs.put(head + "  []\n", new String[] {"experiments", "at least one"});
        configs.put(head + "  - {learning_rate: 1}\n", new String[] {"experiments[0].learning_rate", "unknown key"});
        configs.put(head + "  - {batch_size: 64}\n", new String[] {"experiments[0].name", "missing"});
        configs.put(head + "  - {name: 'a b'}\n", new String[] {"experiments[0].name"});
        configs.put(head + "  - {name: \"line one\\nline two\"}\n", new String[] {"experiments[0].name"});
        configs.put(head + "  - {name: a}\n  - {name: a}\n", new String[] {"duplicate experiment name 'a'"});
        for (String row : BAD_EXPERIMENT_KEYS.lines().toList()) {
            String[] keysAndMentions = row.split(" => ");
            configs.put(head + "  - {name: a, " + keysAndMentions[0].strip() + "}\n", keysAndMentions[1].strip().split(" \\| "));
        }
        configs.put("a: &a [*a, *a]\n", new String[] {"config"});
        configs.put(head + "  - {name: a}\nsweep: {learning_rate: [1e-4]}\n", new String[] {"sweep.learning_rate", "unknown key"});
        configs.put(head + "  - {name: a}\nsweep: {n_critic: [5, 0]}\n", new String[] {"sweep.n_critic[1]", "out of range"});
        configs.put(head + "  - {name: a}\nsweep: {draws: 3, lr: {random: {low: 0, high: 1e-3}}}\n", new String[] {"sweep.lr.random.low", "log-scale"});
        configs.put(head + "  - {name: a}\nsweep: {seed: [" + "1, ".repeat(0) + String.join(", ", java.util.stream.IntStream.range(0, 257).mapToObj(Integer::toString).toList())
                + "]}\n", new String[] {"sweep", "257 experiments", "256"});

        Cases cases = new Cases();
        int i = 0;
        for (Map.Entry<String, String[]> e : configs.entrySet()) {
            Path f = file("bad-" + i++ + ".yaml", e.getKey());
            cases.add(argv("train", "--bootstrap", b, "--config", f.toString(), "--workdir", w), concat("config", e.getValue()));
        }
        cases.add(argv("train", "--bootstrap", b, "--config", tmp.resolve("no-such.yaml").toString(), "--workdir", w), "no config file", "no-such.yaml");
        cases.add(argv("train", "--bootstrap", b, "--config", folder.toString(), "--workdir", w), "config", "a-folder.yaml");
        cases.add(argv("train", "--bootstrap", b, "--config", binary.toString(), "--workdir", w), "config", "binary.yaml");
        cases.add(argv("demo", "--config", tmp.resolve("bad-3.yaml").toString(), "--workdir", workdir("demo-bad-config")), "config");
        assertAllRefused(cases.list);
    }

    @Test
    void aDryRunListsTheExpandedExperimentsAndStartsNothing() throws Exception {
        Set<String> topicsBefore = topics();
        Path sweep = file("sweep.yaml", "data: {dataset: 8gaussians, topic: cli.fuzz.dry}\nexperiments: [{name: gan, loss: gan}, {name: wgan-gp}]\n"
                + "sweep: {draws: 3, lr: {random: {low: 1e-5, high: 1e-3}}, seed: [1, 2]}\n");
        String w = workdir("dry-run");
        for (List<String> argv : List.of(argv("train", "--dry-run", "--config", sweep.toString(), "--workdir", w),
                argv("train", "--dry-run", "--bootstrap", BROKER.bootstrap(), "--config", sweep.toString(), "--workdir", w),
                argv("demo", "--dry-run", "--config", sweep.toString(), "--workdir", w))) {
            Outcome o = run(argv.toArray(String[]::new));
            assertEquals(0, o.code, o.err);
            assertEquals("", o.err);
            List<String> lines = o.out.lines().toList();
            assertEquals(14, lines.size(), o.out); // a header, 12 experiments, a closing line
            assertTrue(lines.get(0).matches("experiment +method +setting"), lines.get(0));
            assertTrue(lines.get(1).matches("gan-seed1-r0 +gan +seed=1 lr=[0-9.e-]+"), lines.get(1));
            assertTrue(lines.get(12).matches("wgan-gp-seed2-r2 +wgan-gp +seed=2 lr=[0-9.e-]+"), lines.get(12));
            assertEquals("dry run: 12 experiments on 8gaussians (a sweep of 2 methods); nothing started", lines.get(13));
            assertFalse(Files.exists(Path.of(w)), "nothing started, but " + w + " exists");
        }
        assertEquals(topicsBefore, topics(), "no topic created by a dry run");
        Outcome demo = run("demo", "--dry-run", "--workdir", w); // the default demo's two experiments
        assertEquals(0, demo.code, demo.err);
        assertEquals(List.of("experiment  method     setting", "wgan-clip   wgan-clip", "wgan-gp     wgan-gp",
                "dry run: 2 experiments on 8gaussians; nothing started"), demo.out.lines().toList());
        assertFalse(Files.exists(Path.of(w)));
    }

    static String[] concat(String first, String[] rest) {
        String[] out = new String[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    @Test
    void anUnreachableBrokerFailsFastInOneLine() throws Exception {
        String valid = file("valid-unreachable.yaml", VALID).toString();
        String w = workdir("unreachable");
        for (String bootstrap : List.of("127.0.0.1:1", "no-such-host.invalid:9092", "not a host and port")) {
            assertRefused(run("train", "--bootstrap", bootstrap, "--config", valid, "--workdir", w), "cannot reach a Kafka broker at " + bootstrap);
            assertRefused(run("produce", "--bootstrap", bootstrap, "--dataset", "8gaussians", "--epochs", "0.01"), "cannot reach a Kafka broker at " + bootstrap);
        }
        assertFalse(Files.exists(Path.of(w)), "no working folder for a run that never started");
    }

    /** The mutations' junk: values that YAML reads as every type, and some that it cannot read at all. */
    static final String[] JUNK = {"", "-1", "0", "1e309", "-1e309", ".nan", ".inf", "[]", "{}", "[1, 2]", "{a: 1}", "null", "~", "yes", "off",
            "0x1F", "0o17", "99999999999999999999", "1_000", "2024-01-01", "12:30:00", "'a\\nb'", "\"a\\nb\"", "!!binary aGVsbG8=", "*nowhere",
            "&a x", "!!float nan", "!!int x", "!!java.io.File /tmp", "!custom 1", "|", ">", "'", "\"", "[", "{", "}", "]", "- x", ": x", "#",
            "%YAML 1.1", "---", "...", "?", "@", "`", "\t", "é", "\u0000", "x: y: z", "gp", "clip", "adam", "mlp", "8gaussians", "shapes"};

    static String mutate(String yaml, Random rnd) {
        List<String> lines = new ArrayList<>(yaml.lines().toList());
        int ops = 1 + rnd.nextInt(3);
        for (int op = 0; op < ops && !lines.isEmpty(); op++) {
            int l = rnd.nextInt(lines.size());
            String line = lines.get(l);
            switch (rnd.nextInt(8)) {
                case 0 -> { // delete a character
                    if (!line.isEmpty()) {
                        int c = rnd.nextInt(line.length());
                        lines.set(l, line.substring(0, c) + line.substring(c + 1));
                    }
                }
                case 1 -> { // insert a character YAML cares about
                    String chars = ":{}[],-#'\"\t !&*|>%@`?0a";
                    int c = rnd.nextInt(line.length() + 1);
                    lines.set(l, line.substring(0, c) + chars.charAt(rnd.nextInt(chars.length())) + line.substring(c));
                }
                case 2 -> Collections.swap(lines, l, rnd.nextInt(lines.size())); // swap two lines
                case 3 -> lines.remove(l); // delete a line
                case 4 -> lines.add(rnd.nextInt(lines.size() + 1), line); // duplicate a line elsewhere
                case 5 -> { // replace a value with junk
                    int colon = line.lastIndexOf(": ");
                    if (colon >= 0) {
                        int end = line.indexOf(',', colon);
                        int close = line.indexOf('}', colon);
                        if (end < 0 || (close >= 0 && close < end)) end = close;
                        if (end < 0) end = line.length();
                        lines.set(l, line.substring(0, colon + 2) + JUNK[rnd.nextInt(JUNK.length)] + line.substring(end));
                    } else lines.set(l, line + " " + JUNK[rnd.nextInt(JUNK.length)]);
                }
                case 6 -> { // rename a key
                    int colon = line.indexOf(':');
                    int start = line.length() - line.stripLeading().length() + (line.stripLeading().startsWith("- ") ? 2 : 0);
                    if (colon > start) lines.set(l, line.substring(0, start) + JUNK[rnd.nextInt(JUNK.length)] + "_key" + line.substring(colon));
                }
                default -> { // change the indentation
                    lines.set(l, rnd.nextBoolean() ? "  " + line : line.stripLeading());
                }
            }
        }
        String out = String.join("\n", lines) + "\n";
        return rnd.nextInt(10) == 0 ? out.substring(0, rnd.nextInt(out.length() + 1)) : out; // sometimes cut short
    }

    @Test
    void twoHundredRandomMutationsOfAValidConfigGiveAConfigOrAOneLineConfigError() throws Exception {
        RunConfig.parse(VALID); // the seed is valid
        Random rnd = new Random(20240611L);
        String w = workdir("mutations");
        int valid = 0, refused = 0;
        Map<String, Integer> firstWords = new TreeMap<>();
        for (int i = 0; i < 200; i++) {
            String yaml = mutate(VALID, rnd);
            String where = "mutation " + i + ":\n" + yaml;
            // straight to the parser: a config, or a one-line ConfigException; never another exception
            boolean parsed;
            try {
                RunConfig.parse(yaml);
                parsed = true;
            } catch (ConfigException e) {
                assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage() + "\n" + where);
                assertTrue(e.getMessage().startsWith("config: "), e.getMessage() + "\n" + where);
                parsed = false;
            } catch (Throwable t) {
                throw new AssertionError("not a ConfigException: " + t + "\n" + where, t);
            }
            // and through the CLI: a valid config gets as far as the malformed --from (checked after the config), a bad one is refused
            Path f = file("mutation.yaml", yaml);
            Outcome o = run("train", "--bootstrap", "127.0.0.1:1", "--config", f.toString(), "--from", "never", "--workdir", w);
            try {
                assertRefused(o, parsed ? "--from must be" : "wasserflow train: config: ");
                assertEquals(2, o.code, "a usage error");
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n" + where, e);
            }
            if (parsed) valid++;
            else {
                refused++;
                String msg = o.err.substring("wasserflow train: config: ".length());
                firstWords.merge(msg.replaceAll("^[^:]*: ", "").replaceAll("[ '(].*", ""), 1, Integer::sum);
            }
        }
        System.out.printf("200 mutations: %d still valid, %d refused %s%n", valid, refused, firstWords);
        assertTrue(refused > 50 && valid > 5, "the mutations exercise both outcomes: " + valid + " valid, " + refused + " refused");
        assertFalse(Files.exists(Path.of(w)), "nothing started");
    }
}
