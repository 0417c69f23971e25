package io.wasserflow.pipeline.report;

import io.wasserflow.pipeline.BadInputException;
import io.wasserflow.models.diagnostics.GradientDetector;
import io.wasserflow.models.lipschitz.Constraint;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Interpolation;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.render.LatentLines;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.run.ExperimentResult;
import io.wasserflow.pipeline.run.RunFolder;
import io.wasserflow.pipeline.job.Topics;
import io.wasserflow.pipeline.source.BrokerCheck;
import io.wasserflow.schemas.RunManifest;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;

/**
 * The report of a finished run, from its folder alone: a {@code report.md} with the run's header,
 * a summary table, the {@link Figures}, the sample pictures, the gradient alerts and the config.
 */
public final class Report {
    /** Sample pictures shown over time per experiment, first to last. */
    static final int SAMPLES_OVER_TIME = 4;
    /** Lines of the latent interpolation grid per image experiment. */
    static final int INTERPOLATION_LINES = 8;
    static final String REPORT = "report.md";

    private final RunFolder run;
    private final Path out;
    private final Map<String, ExperimentMetrics> experiments = new LinkedHashMap<>();
    private final StringBuilder md = new StringBuilder();
    private RunFolder.Count records;

    private Report(RunFolder run, Path out) {
        this.run = run;
        this.out = out;
    }

    /** Writes the report of run {@code runId} of {@code workdir} into {@code out}; returns the path of report.md. */
    public static Path write(Path workdir, String runId, Path out) throws IOException {
        return write(workdir, runId, out, null);
    }

    /**
     * As above, with the manifest and the metric records read from the broker at {@code bootstrap}
     * (null: from the run folder's local copy); sample pictures and final states from the run folder
     * where this machine has one.
     */
    public static Path write(Path workdir, String runId, Path out, String bootstrap) throws IOException {
        if (Files.exists(out) && !Files.isDirectory(out)) throw new BadInputException("--out " + out + " is a file, not a folder");
        if (bootstrap == null) return write(RunFolder.open(workdir, runId), out);
        BrokerCheck.requireReachable(bootstrap);
        Path copy = Files.createTempFile("wasserflow-report-", ".metrics");
        try {
            return write(RunFolder.fromBroker(bootstrap, Topics.defaults(), workdir, runId, copy), out);
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    private static Path write(RunFolder run, Path out) throws IOException {
        Report r = new Report(run, out);
        r.read();
        Files.createDirectories(out);
        r.header();
        r.summary();
        SweepReport.write(r.run.config(), r.experiments, out, r.md);
        Figures figures = new Figures(r.experiments, out, r.md);
        figures.figure2(r.run.folder(), r.run.config());
        figures.figure1();
        figures.weights();
        figures.spectralNorms();
        figures.scalars();
        figures.quality();
        figures.bigan();
        EstimateAgainstQuality.write(r.experiments, r.run.folder(), out, r.md, r::copy);
        r.samples();
        r.landscapes();
        r.reconstructions();
        r.alerts();
        r.md.append("## Config\n\n```yaml\n").append(r.run.config().yaml().strip()).append("\n```\n");
        Path file = out.resolve(REPORT);
        Files.writeString(file, r.md);
        return file;
    }

    private void read() throws IOException {
        for (ExperimentConfig c : run.config().experiments()) experiments.put(c.name(), new ExperimentMetrics(c));
        records = run.forEachMetric(m -> {
            ExperimentMetrics e = experiments.get(m.getExperiment());
            if (e != null && m.getRun().equals(run.runId())) e.accept(m);
        });
        experiments.values().forEach(ExperimentMetrics::finish);
    }

    private void header() {
        RunManifest m = run.manifest();
        md.append("# Run ").append(run.runId()).append("\n\n");
        md.append(String.format(Locale.ROOT, "%s (topic `%s`), %d experiments: %s.%n", run.config().dataset(), run.config().topic(),
                experiments.size(), String.join(", ", experiments.keySet())));
        md.append("Started ").append(Instant.ofEpochMilli(m.getStartTimeMs()));
        if (m.getEndTimeMs() != null) md.append(", ended ").append(Instant.ofEpochMilli(m.getEndTimeMs())).append(" (")
                .append(Duration.ofMillis(m.getEndTimeMs() - m.getStartTimeMs()).withNanos(0).toString().substring(2).toLowerCase(Locale.ROOT)).append(")");
        md.append(String.format(Locale.ROOT, ". Code %s%s, backend %s, BLAS %s (core %s, %d threads).%n", m.getCodeCommit(),
                m.getCodeModified() ? " (modified)" : "", m.getBackend(), m.getBlasLibrary(), m.getBlasCoreType(), m.getBlasThreads()));
        if (!m.getProcessor().isEmpty())
            md.append(String.format(Locale.ROOT, "Processor %s (%s; oneDNN ISA %s), %s: the digests hold on this processor and build.%n",
                    m.getProcessor(), m.getInstructionSets(), m.getOnednnIsa(), m.getNativeLibrary()));
        md.append(String.format(Locale.ROOT, "Metric records: %d, one per (experiment, step, series)%s.%n", records.firstCopies(), records.repeats() == 0 ? ""
                : String.format(Locale.ROOT, "; %d repeats (steps written again after a failover or resume) dropped", records.repeats())));
        md.append("Final parameters (SHA-256, the manifest's): `").append(m.getFinalParameterDigest() == null ? "none" : m.getFinalParameterDigest()).append("`.\n\n");
    }

    private void summary() throws IOException {
        Map<String, ExperimentResult> results = run.folder().results(List.copyOf(experiments.keySet()));
        md.append("## Summary\n\n");
        md.append("| experiment | loss | constraint | generator steps | critic steps | W estimate | critic loss | sample quality | weights at ±c | state | alerts | parameters (SHA-256) |\n");
        md.append("| --- | --- | --- | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: | --- |\n");
        for (ExperimentMetrics e : experiments.values()) {
            ExperimentConfig c = e.config;
            List<String> quality = new ArrayList<>();
            e.latestQuality().forEach((measure, v) -> quality.add(measure + " " + num(v)));
            double clipShare = e.latestClipFractions.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            ExperimentResult result = results.get(c.name());
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %d | %s | %s | %s | %s | %s | %d | %s |%n", c.name(), c.loss().id, constraint(c.constraint()),
                    e.generatorSteps, e.criticSteps, cell(e.last(ExperimentMetrics.W)), cell(e.last(ExperimentMetrics.CRITIC_LOSS)),
                    quality.isEmpty() ? "–" : String.join(", ", quality), cell(clipShare),
                    e.diverged ? "diverged" : result != null ? "finished" : "no final state", e.alerts.size(),
                    result == null ? "–" : "`" + result.parameterDigest().substring(0, 16) + "`"));
        }
        md.append("\nW estimate and losses: the last recorded values; sample quality at the last sampled generator step; ")
                .append("weights at ±c: the mean over the critic's layers of the share at the clip bound; ")
                .append("alerts: vanishing, exploding or non-finite gradients the in-job detector raised, replayed from the recorded norms.\n\n");
    }

    private static String constraint(Constraint c) {
        if (c instanceof Constraint.Clip clip) return "clip c=" + num(clip.c());
        if (c instanceof Constraint.GradientPenalty gp) return "gp λ=" + num(gp.lambda());
        if (c instanceof Constraint.OneSidedPenalty lp) return "lp λ=" + num(lp.lambda());
        if (c instanceof Constraint.SpectralNorm sn) return "sn, " + sn.powerIterations() + " power step" + (sn.powerIterations() == 1 ? "" : "s") + " per update";
        return c.id();
    }

    private void samples() throws IOException {
        md.append("## Samples\n\n");
        for (ExperimentMetrics e : experiments.values()) {
            String name = e.config.name();
            Path latest = run.folder().latestSample(name);
            SortedMap<Long, Path> overTime = run.folder().samplesOverTime(name);
            md.append("### ").append(name).append("\n\n");
            if (latest == null && overTime.isEmpty()) {
                md.append("No sample pictures (publish.samples_every is 0, or the run ended before the first).\n\n");
                continue;
            }
            if (latest != null) md.append(copy(latest, "latest samples of " + name)).append("\n\n");
            interpolation(e.config);
            List<Long> shown = EstimateAgainstQuality.stages(overTime.keySet(), SAMPLES_OVER_TIME);
            if (shown.size() < 2) continue;
            StringBuilder head = new StringBuilder("|"), rule = new StringBuilder("|"), row = new StringBuilder("|");
            for (long s : shown) {
                head.append(" generator step ").append(s).append(" |");
                rule.append(" --- |");
                row.append(' ').append(copy(overTime.get(s), name + " at generator step " + s)).append(" |");
            }
            md.append(head).append('\n').append(rule).append('\n').append(row).append("\n\n");
        }
    }

    /** The 2-D critics' landscapes at up to six stages, one row per experiment. */
    private void landscapes() throws IOException {
        boolean headed = false;
        for (ExperimentMetrics e : experiments.values()) {
            String name = e.config.name();
            SortedMap<Long, Path> overTime = run.folder().picturesOverTime(io.wasserflow.pipeline.job.Diagnostics.LANDSCAPES, name);
            if (overTime.isEmpty()) continue;
            if (!headed) {
                md.append("## The critic's landscape\n\nThe critic's value over the plane (colour), its gradient (arrows, one scale per picture), "
                        + "real points (white) and generated ones (orange), at the samples steps: as the WGAN-GP toy code draws it. "
                        + "A penalised critic's slope is about 1 between the data and the samples; a clipped critic's is small and nearly constant.\n\n");
                headed = true;
            }
            List<Long> shown = EstimateAgainstQuality.stages(overTime.keySet(), EstimateAgainstQuality.STAGES);
            StringBuilder head = new StringBuilder("| |"), rule = new StringBuilder("| --- |"), row = new StringBuilder("| " + name + " |");
            for (long s : shown) {
                head.append(" step ").append(s).append(" |");
                rule.append(" --- |");
                row.append(' ').append(copy(overTime.get(s), io.wasserflow.pipeline.job.Diagnostics.LANDSCAPES, "landscape of " + name + " at generator step " + s))
                        .append(" |");
            }
            md.append(head).append('\n').append(rule).append('\n').append(row).append("\n\n");
        }
    }

    /** A BiGAN's reconstructions (x, then G(E(x))) at up to four stages, one row per experiment. */
    private void reconstructions() throws IOException {
        String kind = io.wasserflow.pipeline.job.Diagnostics.RECONSTRUCTIONS;
        boolean headed = false;
        for (ExperimentMetrics e : experiments.values()) {
            String name = e.config.name();
            SortedMap<Long, Path> overTime = run.folder().picturesOverTime(kind, name);
            if (overTime.isEmpty()) continue;
            if (!headed) {
                md.append("## BiGAN reconstructions\n\n").append(Datasets.isToy(run.config().dataset())
                        ? "G(E(x)) (blue) over the real batch x (grey) at the samples steps: on the data's modes when the encoder inverts the generator.\n\n"
                        : "Rows in pairs: real images x from the latest batch, and beneath each row its reconstructions G(E(x)), at the samples steps.\n\n");
                headed = true;
            }
            List<Long> shown = EstimateAgainstQuality.stages(overTime.keySet(), SAMPLES_OVER_TIME);
            StringBuilder head = new StringBuilder("| |"), rule = new StringBuilder("| --- |"), row = new StringBuilder("| " + name + " |");
            for (long s : shown) {
                head.append(" step ").append(s).append(" |");
                rule.append(" --- |");
                row.append(' ').append(copy(overTime.get(s), kind, "reconstructions of " + name + " at generator step " + s)).append(" |");
            }
            md.append(head).append('\n').append(rule).append('\n').append(row).append("\n\n");
        }
    }

    /**
     * For image data, the saved generator along {@link #INTERPOLATION_LINES} straight lines in its
     * latent space (seed 0, as `sample --interpolate` draws by default): smooth changes along a row
     * rather than jumps, or one image throughout.
     */
    private void interpolation(ExperimentConfig c) throws IOException {
        Path state = run.folder().state(c.name());
        if (Datasets.isToy(run.config().dataset()) || state == null) return;
        Trainer trainer = new Trainer(c, run.config().dataShape());
        trainer.restoreState(Files.readAllBytes(state));
        String file = "interpolation-" + c.name() + ".png";
        Files.write(out.resolve(file), LatentLines.png(trainer, Interpolation.draw(c, INTERPOLATION_LINES, 0), run.config().dataset()));
        md.append("![latent interpolation of ").append(c.name()).append("](").append(file).append(")\n\n")
                .append(String.format(Locale.ROOT, "The final generator of %s along %d straight lines between pairs of latent points (one a row, %d steps, "
                        + "`wasserflow sample --interpolate` draws the same): smooth changes along a row, not jumps or one image throughout.%n%n",
                        c.name(), INTERPOLATION_LINES, Interpolation.STEPS));
    }

    private void alerts() {
        if (experiments.values().stream().allMatch(e -> e.alerts.isEmpty())) return;
        md.append("## Gradient alerts\n\n| experiment | kind | network | layer | value | threshold | critic step |\n| --- | --- | --- | --- | ---: | ---: | ---: |\n");
        for (ExperimentMetrics e : experiments.values())
            for (int i = 0; i < e.alerts.size(); i++) {
                GradientDetector.Alert a = e.alerts.get(i);
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %d |%n", e.config.name(), a.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                        a.network(), a.layer(), num(a.value()), Double.isNaN(a.threshold()) ? "–" : num(a.threshold()), e.alertSteps.get(i)));
            }
        md.append('\n');
    }

    /** Copies a sample picture into out/samples/ and returns its Markdown image. */
    private String copy(Path picture, String alt) throws IOException {
        return copy(picture, RunFolder.SAMPLES, alt);
    }

    /** Copies a picture into the report's {@code folder} and returns its Markdown. */
    private String copy(Path picture, String folder, String alt) throws IOException {
        Path target = out.resolve(folder).resolve(picture.getFileName());
        Files.createDirectories(target.getParent());
        Files.copy(picture, target, StandardCopyOption.REPLACE_EXISTING);
        return "![" + alt + "](" + folder + "/" + picture.getFileName() + ")";
    }

    /** A table cell: a dash where there is no value. */
    private static String cell(double v) {
        return Double.isNaN(v) ? "–" : num(v);
    }

    /** A number as the report prints it: 6 significant digits, no trailing zeros, an exponent only for very small or large magnitudes. */
    static String num(double v) {
        if (!Double.isFinite(v)) return String.valueOf(v);
        BigDecimal d = new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros();
        return v == 0 || Math.abs(v) >= 1e-4 && Math.abs(v) < 1e9 ? d.toPlainString() : d.toString().toLowerCase(Locale.ROOT);
    }
}
