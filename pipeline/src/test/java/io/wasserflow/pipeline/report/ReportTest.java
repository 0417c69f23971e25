package io.wasserflow.pipeline.report;

import io.wasserflow.pipeline.run.RunFolder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.pipeline.BadInputException;
import io.wasserflow.pipeline.cli.Cli;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** `report` on a run folder made by real trainers: every figure is a PNG the Markdown links, Figure 1 has its lines, the summary repeats the records. */
class ReportTest {
    /**
     * Three critics side by side on 8gaussians: clipping (its vanishing threshold raised so that the
     * detector fires on this short run), the gradient penalty and a standard GAN, 6 hidden layers deep.
     */
    static final String YAML = """
            data: {dataset: 8gaussians}
            experiments:
              - {name: clip, constraint: {clip: {c: 0.01}}, architecture: {mlp: {depth: 6, width: 64}}, batch_size: 64,
                 publish: {histograms_every: 10, samples_every: 10}, alerts: {vanishing_below: 1.0e-2}}
              - {name: gp, constraint: gp, architecture: {mlp: {depth: 6, width: 64}}, batch_size: 64, publish: {histograms_every: 10, samples_every: 10}}
              - {name: gan, loss: gan, architecture: {mlp: {depth: 6, width: 64}}, batch_size: 64, publish: {histograms_every: 10, samples_every: 10}}
            """;
    static final int GENERATOR_STEPS = 30;
    /** The renderer's colour cycle, Tableau 10 (matplotlib's default): series k is drawn in colour k. */
    static final Color[] SERIES = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728)};
    static final Path KEEP = Path.of("target", "report-test");

    @TempDir
    static Path tmp;
    static RunFixture run;
    static Path out;
    static String markdown;

    @BeforeAll
    static void trainAndReport() throws Exception {
        run = RunFixture.train(tmp.resolve("work"), "r-report", YAML, GENERATOR_STEPS);
        out = tmp.resolve("report");
        assertEquals(0, Cli.run("report", "--run", run.runId(), "--out", out.toString(), "--workdir", run.workdir().toString()));
        markdown = Files.readString(out.resolve(Report.REPORT));
        try (Stream<Path> files = Files.walk(out)) { // a copy for a human to look at
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path target = KEEP.resolve(out.relativize(f));
                Files.createDirectories(target.getParent());
                Files.copy(f, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    static BufferedImage image(String file) throws Exception {
        BufferedImage image = ImageIO.read(out.resolve(file).toFile());
        assertNotNull(image, file + " decodes as an image");
        return image;
    }

    @Test
    void everyFigureIsAPngThatTheReportLinks() throws Exception {
        Set<String> linked = new TreeSet<>();
        Matcher m = Pattern.compile("!\\[[^]]*]\\(([^)]+)\\)").matcher(markdown);
        while (m.find()) linked.add(m.group(1));
        Set<String> written;
        try (Stream<Path> files = Files.walk(out)) {
            written = files.filter(f -> f.toString().endsWith(".png")).map(f -> out.relativize(f).toString().replace('\\', '/')).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(written, linked, "report.md links exactly the figures written");
        for (String f : linked) assertTrue(image(f).getWidth() > 300, f);
        for (String f : List.of("figure1-activation-gradients.png", "figure1-spread.png", "critic-weights.png", "wasserstein.png", "normalized-wasserstein.png", "critic-loss.png",
                "generator-loss.png", "gradient-penalty.png", "quality-modes.png", "quality-high_quality_share.png", "quality-w1.png",
                "spectral-norm-clip.png", "spectral-norm-gp.png", "spectral-norm-gan.png"))
            assertTrue(linked.contains(f), f + " in the report");
        for (String name : List.of("clip", "gp")) { // the GAN has no estimate
            assertTrue(linked.contains("estimate-quality-" + name + ".png"), "the estimate against quality for " + name);
            assertTrue(markdown.matches("(?s).*### " + name + "\\n\\n!\\[estimate and quality.*?Spearman's ρ between the estimate and w1 over 3 samples steps: \\*\\*-?[01]\\.\\d\\d\\*\\*.*"),
                    "Spearman's rho for " + name);
        }
        assertTrue(!linked.contains("estimate-quality-gan.png"), "a GAN publishes no Wasserstein estimate");
        for (String name : run.trainers().keySet())
            assertEquals(3, linked.stream().filter(f -> f.startsWith("landscapes/" + name + "-g")).count(), "the landscape of " + name + " at its 3 samples steps");
        for (String name : run.trainers().keySet()) {
            assertTrue(linked.contains("samples/" + name + ".png"), "latest samples of " + name);
            assertTrue(linked.stream().filter(f -> f.startsWith("samples/" + name + "-g")).count() >= 2, "samples of " + name + " over time");
        }
    }

    @Test
    void figure1HasALinePerExperimentAcrossTheCriticLayers() throws Exception {
        BufferedImage plot = image("figure1-activation-gradients.png");
        int experiments = run.trainers().size();
        for (int k = 0; k <= experiments; k++) {
            int[] span = columns(plot, SERIES[k]);
            if (k < experiments) assertTrue(span[1] - span[0] > plot.getWidth() / 2, "the line of " + run.config().experiments().get(k).name() + " spans the layers");
            else assertTrue(span[0] > span[1], "no line beyond the experiments");
        }
        // and the values behind the lines: one finite norm per critic linear layer (6 hidden + output), for every experiment
        ExperimentMetrics metrics = new ExperimentMetrics(run.config().experiments().get(0));
        RunFolder.open(run.workdir(), run.runId()).forEachMetric(r -> {
            if (r.getExperiment().equals(metrics.config.name())) metrics.accept(r);
        });
        metrics.finish();
        assertEquals(List.of("dense0", "dense1", "dense2", "dense3", "dense4", "dense5", "dense6"), List.copyOf(metrics.criticLayers));
        for (double v : metrics.figure1(List.copyOf(metrics.criticLayers))) assertTrue(Double.isFinite(v) && v >= 0, "norm " + v);
        assertEquals(ExperimentMetrics.FIGURE1_STEPS, metrics.recentActivationNorms.size());
        assertEquals(run.trainers().get("clip").criticSteps(), metrics.recentActivationNorms.lastKey());
    }

    @Test
    void theSpectralNormFigureHasALinePerCriticLayerOverTraining() throws Exception {
        BufferedImage plot = image("spectral-norm-clip.png");
        // the input layer's line (colour 0) across the critic steps; the hidden layers' lines lie on top of each other
        int[] span = columns(plot, SERIES[0]);
        assertTrue(span[1] - span[0] > plot.getWidth() / 2, "dense0's line spans the critic steps: " + java.util.Arrays.toString(span));
        // the values behind the lines: every critic step (norms_every 1) of every critic layer, for every constraint
        for (ExperimentConfig c : run.config().experiments()) {
            ExperimentMetrics metrics = new ExperimentMetrics(c);
            RunFolder.open(run.workdir(), run.runId()).forEachMetric(r -> {
                if (r.getExperiment().equals(c.name())) metrics.accept(r);
            });
            metrics.finish();
            Trainer t = run.trainers().get(c.name());
            assertEquals(List.of("dense0", "dense1", "dense2", "dense3", "dense4", "dense5", "dense6"), List.copyOf(metrics.spectralNorms.keySet()), c.name());
            for (var layer : t.critic().linearLayers()) {
                ExperimentMetrics.Series s = metrics.spectralNorms.get(layer.name());
                assertEquals(t.criticSteps(), s.n, c.name() + " " + layer.name());
                long[] shape = layer.params().get(0).value.shape();
                double bound = c.constraint() instanceof io.wasserflow.models.lipschitz.Constraint.Clip clip ? clip.c() * Math.sqrt(shape[0] * shape[1]) : Double.MAX_VALUE;
                for (int i = 0; i < s.n; i++) assertTrue(s.y[i] > 0 && s.y[i] <= bound, c.name() + " " + layer.name() + " sigma " + s.y[i] + " bound " + bound);
            }
        }
        assertTrue(markdown.contains("## Critic spectral norms per layer"), "the figure's section");
    }

    /** {first, last} column holding a pixel of colour c (first > last when there is none). */
    static int[] columns(BufferedImage image, Color c) {
        int first = Integer.MAX_VALUE, last = -1;
        for (int x = 0; x < image.getWidth(); x++)
            for (int y = 0; y < image.getHeight(); y++) {
                int rgb = image.getRGB(x, y);
                if (Math.abs((rgb >> 16 & 0xff) - c.getRed()) <= 6 && Math.abs((rgb >> 8 & 0xff) - c.getGreen()) <= 6 && Math.abs((rgb & 0xff) - c.getBlue()) <= 6) {
                    first = Math.min(first, x);
                    last = Math.max(last, x);
                }
            }
        return new int[] {first, last};
    }

    @Test
    void theSummaryRepeatsTheRecordsNumbers() {
        Map<String, Map<String, String>> rows = summary();
        assertEquals(run.trainers().keySet(), rows.keySet());
        assertTrue(run.alerts().get("clip") > 0, "the clipped critic's detector fired");
        for (Map.Entry<String, Trainer> e : run.trainers().entrySet()) {
            String name = e.getKey();
            Map<String, String> row = rows.get(name);
            ExperimentConfig c = e.getValue().config();
            assertEquals(c.loss().id, row.get("loss"));
            assertTrue(row.get("constraint").startsWith(c.constraint().id()), row.get("constraint"));
            assertEquals(e.getValue().generatorSteps(), Long.parseLong(row.get("generator steps")));
            assertEquals(e.getValue().criticSteps(), Long.parseLong(row.get("critic steps")));
            assertSame(run.last(name, ExperimentMetrics.W, null), row.get("W estimate"));
            assertSame(run.last(name, ExperimentMetrics.CRITIC_LOSS, null), row.get("critic loss"));
            Map<String, String> quality = new HashMap<>();
            for (String q : row.get("sample quality").split(", ")) quality.put(q.substring(0, q.indexOf(' ')), q.substring(q.indexOf(' ') + 1));
            assertEquals(Set.of("modes", "high_quality_share", "w1"), quality.keySet());
            quality.forEach((measure, v) -> assertSame(run.last(name, "wasserflow_sample_quality", measure), v));
            assertEquals("finished", row.get("state"));
            assertEquals(run.alerts().get(name), Integer.parseInt(row.get("alerts")), "alerts of " + name + " as the live detector raised them");
            assertEquals("`" + e.getValue().parameterDigest().substring(0, 16) + "`", row.get("parameters (SHA-256)"));
        }
        assertEquals("–", rows.get("gan").get("W estimate"), "a GAN publishes no Wasserstein estimate");
        assertTrue(markdown.contains(run.manifest().getFinalParameterDigest()), "the manifest's digest");
    }

    /** A printed number equals the record's value to the 6 significant digits printed. */
    static void assertSame(double expected, String printed) {
        if (Double.isNaN(expected)) {
            assertEquals("–", printed);
            return;
        }
        double v = Double.parseDouble(printed);
        assertTrue(Math.abs(v - expected) <= 5e-6 * Math.abs(expected), printed + " prints " + expected);
    }

    /** The summary table: experiment -> column -> cell. */
    static Map<String, Map<String, String>> summary() {
        List<String> lines = markdown.lines().toList();
        int h = lines.indexOf(lines.stream().filter(l -> l.startsWith("| experiment | loss |")).findFirst().orElseThrow());
        List<String> header = cells(lines.get(h));
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        for (int i = h + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            List<String> cells = cells(lines.get(i));
            Map<String, String> row = new HashMap<>();
            for (int j = 0; j < header.size(); j++) row.put(header.get(j), cells.get(j));
            rows.put(row.get("experiment"), row);
        }
        return rows;
    }

    static List<String> cells(String line) {
        List<String> out = new ArrayList<>();
        for (String s : line.substring(1, line.length() - 1).split("\\|")) out.add(s.strip());
        return out;
    }

    @Test
    void aMissingRunOrFileIsNamedInOneLine() throws Exception {
        Path work = run.workdir(), report = tmp.resolve("unused");
        assertRefused(Cli.capture("report", "--run", "nope", "--out", report.toString(), "--workdir", work.toString()), "no run 'nope'", run.runId());
        assertRefused(Cli.capture("report", "--out", report.toString()), "--run is required");

        Path partial = Files.createDirectories(work.resolve("runs/r-partial"));
        Files.copy(run.dir().resolve("config.yaml"), partial.resolve("config.yaml"));
        Files.copy(run.dir().resolve("manifest.avro"), partial.resolve("manifest.avro"));
        assertRefused(Cli.capture("report", "--run", "r-partial", "--out", report.toString(), "--workdir", work.toString()), "has no metrics.bin");

        byte[] metrics = Files.readAllBytes(run.dir().resolve("metrics.bin"));
        Files.write(partial.resolve("metrics.bin"), java.util.Arrays.copyOf(metrics, metrics.length - 3));
        assertRefused(Cli.capture("report", "--run", "r-partial", "--out", report.toString(), "--workdir", work.toString()), "metrics.bin is truncated");
        assertFalse(Files.exists(report.resolve(Report.REPORT)), "no report from a broken run");
    }

    /** Refused by the command line: exit code 2 and one line on stderr naming what is wrong. */
    static void assertRefused(Cli.Outcome o, String... mentions) {
        assertEquals(2, o.code(), o.err());
        assertEquals(1, o.err().lines().count(), o.err());
        for (String s : mentions) assertTrue(o.err().contains(s), "'" + o.err() + "' mentions '" + s + "'");
    }

    static void assertUsage(Executable call, String... mentions) {
        BadInputException e = assertThrows(BadInputException.class, call);
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        for (String s : mentions) assertTrue(e.getMessage().contains(s), "'" + e.getMessage() + "' mentions '" + s + "'");
    }
}
