package io.wasserflow.pipeline.cli;

import picocli.CommandLine.Option;

/** `--run RUN_ID`, shared by the commands that read a finished run: report, sample, replay. */
final class RunIdOption {
    @Option(names = "--run", required = true, paramLabel = "RUN_ID", description = "the run")
    String id;
}
