package io.wasserflow.pipeline.report;

import io.wasserflow.pipeline.cli.Args;
import java.nio.file.Path;
import java.util.Set;

/** `wasserflow report --run RUN_ID --out DIR [--workdir DIR]`: figures and a Markdown summary of a finished run, from its folder alone. */
public final class ReportCommand {
    public static final String USAGE = "report --run RUN_ID --out DIR [--workdir DIR]";
    public static final Set<String> FLAGS = Set.of("run", "out", "workdir");

    private ReportCommand() {}

    public static int run(Args args) throws Exception {
        String runId = args.require("run");
        Path report = Report.write(Path.of(args.get("workdir", "wasserflow-data")), runId, Path.of(args.require("out")));
        System.out.println("report of run " + runId + ": " + report);
        return 0;
    }
}
