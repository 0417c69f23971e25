package io.wasserflow.pipeline.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** The command line as the user runs it ({@code ./wasserflow ARGS}), for tests outside this package. */
public final class Cli {
    private Cli() {}

    /** The exit code. */
    public static int run(String... args) throws Exception {
        return Main.run(args);
    }

    public record Outcome(int code, String out, String err) {}

    /** The exit code and what the command printed, stdout and stderr, each stripped. */
    public static Outcome capture(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return new Outcome(Main.run(args), out.toString(StandardCharsets.UTF_8).strip(), err.toString(StandardCharsets.UTF_8).strip());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
