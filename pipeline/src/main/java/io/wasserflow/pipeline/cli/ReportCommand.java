package io.wasserflow.pipeline.cli;

import io.wasserflow.pipeline.report.Report;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `wasserflow report`: figures and a Markdown summary of a run, from its folder alone, or with
 * --bootstrap from the broker's runs and metrics topics (a run on another machine, or one still
 * training). The report itself is {@link Report}'s.
 */
@Command(name = "report", description = "PNG figures and a Markdown summary of a finished run, from its folder, or from a broker's topics with --bootstrap.")
final class ReportCommand implements Callable<Integer> {
    @Mixin
    RunIdOption runOption;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the folder the report is written into")
    Path out;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "read the run's manifest and records from this broker (default: the run folder's local copy)")
    String bootstrap;

    @Mixin
    WorkdirOption workdirOption;

    @Override
    public Integer call() throws Exception {
        String runId = runOption.id;
        Path report = Report.write(workdirOption.dir, runId, out, bootstrap);
        System.out.println("report of run " + runId + ": " + report);
        return 0;
    }
}
