package io.wasserflow.pipeline.cli;

/** The command line as the user runs it ({@code ./wasserflow ARGS}), for tests outside this package; returns the exit code. */
public final class Cli {
    private Cli() {}

    public static int run(String... args) throws Exception {
        return Main.run(args);
    }
}
