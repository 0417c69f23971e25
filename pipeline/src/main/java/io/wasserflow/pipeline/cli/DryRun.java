package io.wasserflow.pipeline.cli;

import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.config.Sweep;
import java.io.PrintStream;
import java.util.Locale;

/** {@code --dry-run} of demo and train (SPEC §2): the config read, validated and expanded, its experiments listed one a line, nothing started. */
final class DryRun {
    private DryRun() {}

    static final String FLAG_HELP = "read, validate and expand the config, list its experiments (name, method, setting) one a line, and start nothing";

    static void print(RunConfig config, PrintStream out) {
        Sweep sweep = config.sweep();
        int nameWidth = "experiment".length(), methodWidth = "method".length();
        for (ExperimentConfig c : config.experiments()) {
            nameWidth = Math.max(nameWidth, c.name().length());
            methodWidth = Math.max(methodWidth, method(sweep, c).length());
        }
        String row = "%-" + nameWidth + "s  %-" + methodWidth + "s  %s";
        out.println(String.format(Locale.ROOT, row, "experiment", "method", "setting"));
        for (ExperimentConfig c : config.experiments()) {
            Sweep.Member m = sweep.member(c.name());
            out.println(String.format(Locale.ROOT, row, c.name(), method(sweep, c), m == null ? "" : m.label()).stripTrailing());
        }
        out.printf(Locale.ROOT, "dry run: %d experiment%s on %s%s; nothing started%n", config.experiments().size(), config.experiments().size() == 1 ? "" : "s",
                config.dataset(), sweep.isEmpty() ? "" : " (a sweep of " + sweep.methods().size() + " method" + (sweep.methods().size() == 1 ? "" : "s") + ")");
    }

    private static String method(Sweep sweep, ExperimentConfig c) {
        Sweep.Member m = sweep.member(c.name());
        return m == null ? c.name() : m.method();
    }
}
