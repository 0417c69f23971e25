package io.wasserflow.pipeline.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** `--workdir DIR`, shared by the commands that keep or read runs: the broker's log, checkpoints, run folders, reports (SPEC §2). */
final class WorkdirOption {
    @Option(names = "--workdir", paramLabel = "DIR", description = "the working folder")
    Path dir = Path.of("wasserflow-data");
}
