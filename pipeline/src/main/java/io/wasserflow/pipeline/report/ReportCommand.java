package io.wasserflow.pipeline.report;

import io.wasserflow.pipeline.cli.Args;
import java.nio.file.Path;
import java.util.Set;

/**
 * `wasserflow report --run RUN_ID --out DIR [--bootstrap HOST:PORT] [--workdir DIR]`: figures and a
 * Markdown summary of a run, from its folder alone, or with --bootstrap from the broker's runs and
 * metrics topics (a run on another machine, or one still training).
 */
public final class ReportCommand {
    public static final String USAGE = "report --run RUN_ID --out DIR [--bootstrap HOST:PORT] [--workdir DIR]";
    public static final Set<String> FLAGS = Set.of("run", "out", "bootstrap", "workdir");

    private ReportCommand() {}

    public static int run(Args args) throws Exception {
        String runId = args.require("run");
        Path report = Report.write(Path.of(args.get("workdir", "wasserflow-data")), runId, Path.of(args.require("out")), args.get("bootstrap", null));
        System.out.println("report of run " + runId + ": " + report);
        return 0;
    }
}
