package io.wasserflow.pipeline.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.wasserflow.models.data.Toy2D;
import io.wasserflow.models.diagnostics.StepReport;
import io.wasserflow.models.nets.Architecture;
import io.wasserflow.models.train.ExperimentConfig;
import io.wasserflow.models.train.Loss;
import io.wasserflow.models.train.Trainer;
import io.wasserflow.models.util.Rng;
import io.wasserflow.pipeline.metrics.MetricRecords;
import io.wasserflow.schemas.AlertKind;
import io.wasserflow.schemas.TrainingMetric;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A real trainer's step reports, published through the endpoint and scraped over HTTP: the
 * exposition passes {@code promtool check metrics} and holds SPEC §6's series with the published
 * values. promtool is required, never skipped ({@code apt-get install prometheus}; CI installs it).
 */
class PrometheusPublisherTest {
    static final String RUN = "run-1", EXPERIMENT = "gp";
    static final long[] TOY = {1, 1, 2};
    /** Every step's records, in publication order. */
    static List<List<TrainingMetric>> steps;
    static long criticSteps, generatorSteps;

    private MetricsEndpoint endpoint;

    @BeforeAll
    static void train() {
        // A narrow critic and generator, histograms on every step: 12 critic and 2 generator steps.
        ExperimentConfig config = ExperimentConfig.builder(EXPERIMENT, true, Loss.WGAN, "gp")
                .architecture(Architecture.mlp(2, 16)).batchSize(32)
                .histogramsEvery(1).samplesEvery(0)
                .build();
        Trainer trainer = new Trainer(config, TOY);
        Rng rng = new Rng(7);
        steps = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            var batch = Nd4j.create(Toy2D.EIGHT_GAUSSIANS.sample(rng, 32), new long[] {32, 1, 1, 2}, 'c').castTo(DataType.FLOAT);
            for (StepReport r : trainer.step(batch)) steps.add(MetricRecords.of(RUN, EXPERIMENT, r, 1_000 + i));
        }
        criticSteps = trainer.criticSteps();
        generatorSteps = trainer.generatorSteps();
    }

    @BeforeEach
    void start() {
        MetricsEndpoint.setBasePort(MetricsEndpointTest.freeBasePort());
        endpoint = MetricsEndpoint.acquire();
    }

    @AfterEach
    void stop() {
        endpoint.release();
        MetricsEndpoint.setBasePort(0);
    }

    @Test
    void theExpositionPassesPromtoolsLinter() throws Exception {
        publishAll(endpoint.publisher());
        endpoint.publisher().state(RUN, EXPERIMENT, "training");
        endpoint.publisher().alert(RUN, EXPERIMENT, AlertKind.NON_FINITE, "critic", "dense0", true);
        endpoint.publisher().deadLetter(RUN, "bad_magic");
        String text = scrape();
        assertTrue(text.contains("# TYPE wasserflow_weight histogram"), text);
        assertTrue(text.contains("# TYPE wasserflow_critic_loss gauge"), text);
        assertTrue(text.contains("# HELP wasserflow_gradient_norm L2 norm of the loss gradient with respect to one layer's weights"), text);
        assertTrue(text.lines().anyMatch(l -> l.matches("# TYPE wasserflow_dead_letters(_total)? counter")), text);

        assertPromtoolAccepts(text);
    }

    private static void assertPromtoolAccepts(String text) throws Exception {
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = promtool.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String complaints = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, promtool.waitFor(), complaints);
        assertEquals("", complaints.strip());
    }

    @Test
    void classMeasuresAndSharesOfFashionMnistPassPromtool() throws Exception {
        List<TrainingMetric> records = new ArrayList<>();
        records.add(MetricRecords.quality(RUN, EXPERIMENT, 4, 20, "classes_covered", 7, 1_000));
        records.add(MetricRecords.quality(RUN, EXPERIMENT, 4, 20, "class_kl", 0.4, 1_000));
        records.add(MetricRecords.quality(RUN, EXPERIMENT, 4, 20, "classifier_score", 3.5, 1_000));
        List<String> names = io.wasserflow.models.quality.FashionClassifier.CLASS_NAMES;
        for (int k = 0; k < names.size(); k++) records.add(MetricRecords.classShare(RUN, EXPERIMENT, 4, 20, names.get(k), k / 45.0, 1_000));
        endpoint.publisher().publish(records);
        String text = scrape();
        assertPromtoolAccepts(text);
        Map<String, Double> scraped = new HashMap<>();
        for (Sample s : parse(text)) scraped.put(key(s.name, s.labels), s.value);
        for (TrainingMetric m : records) assertEquals(m.getValue(), scraped.get(key(m.getName(), withRunAndExperiment(m))), m.toString());
    }

    @Test
    void everyGaugeShowsTheLastPublishedValueUnderSpecLabels() throws Exception {
        publishAll(endpoint.publisher());
        Map<String, Double> expected = new LinkedHashMap<>();
        for (List<TrainingMetric> step : steps)
            for (TrainingMetric m : step)
                if (!m.getName().equals("wasserflow_weight")) expected.put(key(m.getName(), withRunAndExperiment(m)), m.getValue());
        Map<String, Double> scraped = new HashMap<>();
        for (Sample s : parse(scrape())) if (!s.name.startsWith("wasserflow_weight_")) scraped.put(key(s.name, s.labels), s.value);
        assertEquals(expected.keySet(), scraped.keySet());
        for (var e : expected.entrySet()) assertEquals(e.getValue(), scraped.get(e.getKey()), e.getKey());

        assertEquals((double) criticSteps, scraped.get(key("wasserflow_critic_step", Map.of("run", RUN, "experiment", EXPERIMENT))));
        assertEquals((double) generatorSteps, scraped.get(key("wasserflow_generator_step", Map.of("run", RUN, "experiment", EXPERIMENT))));
        Set<String> names = scraped.keySet().stream().map(k -> k.substring(0, k.indexOf('{'))).collect(Collectors.toSet());
        assertTrue(names.containsAll(List.of("wasserflow_wasserstein_estimate", "wasserflow_critic_loss", "wasserflow_generator_loss",
                "wasserflow_gradient_penalty", "wasserflow_gradient_norm", "wasserflow_activation_gradient_norm", "wasserflow_input_gradient_norm",
                "wasserflow_step_seconds", "wasserflow_images_per_second", "wasserflow_layer_spectral_norm")), names.toString());
        for (Sample s : parse(scrape())) {
            assertEquals(RUN, s.labels.get("run"), s.toString());
            assertEquals(EXPERIMENT, s.labels.get("experiment"), s.toString());
            if (s.name.equals("wasserflow_gradient_norm") || s.name.equals("wasserflow_layer_spectral_norm") || s.name.startsWith("wasserflow_weight"))
                assertTrue(Set.of("critic", "generator").contains(s.labels.get("network")) && s.labels.get("layer") != null, s.toString());
            if (s.name.equals("wasserflow_input_gradient_norm")) assertTrue(List.of(StepReport.QUANTILE_NAMES).contains(s.labels.get("stat")), s.toString());
            if (s.name.equals("wasserflow_step_seconds")) assertTrue(Set.of("critic", "generator").contains(s.labels.get("kind")), s.toString());
        }
    }

    /** The normalised estimate is the step's own estimate over the largest slope at its interpolates, and is published on every gp step. */
    @Test
    void normalizedEstimateIsTheEstimateOverTheLargestSlope() {
        int published = 0;
        for (List<TrainingMetric> step : steps) {
            Map<String, Double> v = new HashMap<>();
            for (TrainingMetric m : step) v.put(m.getName() + m.getLabels().getOrDefault("stat", ""), m.getValue());
            if (!v.containsKey("wasserflow_wasserstein_estimate")) continue;
            double w = v.get("wasserflow_wasserstein_estimate"), max = v.get("wasserflow_input_gradient_normmax");
            assertTrue(max > 0);
            assertEquals(w / max, v.get("wasserflow_normalized_wasserstein_estimate"), 0.0);
            published++;
        }
        assertEquals(criticSteps, published, "one per critic step of a gp experiment");
    }

    @Test
    void weightBucketsAreCumulativeAndAccumulateOverPublications() throws Exception {
        publishAll(endpoint.publisher());
        // Expected: per layer, the counts of all its publications summed bucket by bucket, then made cumulative.
        Map<String, long[]> counts = new TreeMap<>();
        Map<String, double[]> edges = new HashMap<>();
        Map<String, Double> sums = new HashMap<>();
        Map<String, Integer> publications = new HashMap<>();
        for (List<TrainingMetric> step : steps)
            for (TrainingMetric m : step)
                if (m.getName().equals("wasserflow_weight")) {
                    String layer = m.getLabels().get("network") + "/" + m.getLabels().get("layer");
                    long[] c = counts.computeIfAbsent(layer, k -> new long[m.getBucketCounts().size()]);
                    for (int i = 0; i < c.length; i++) c[i] += m.getBucketCounts().get(i);
                    edges.put(layer, m.getBucketUpperBounds().stream().mapToDouble(Double::doubleValue).toArray());
                    sums.merge(layer, m.getValue(), Double::sum);
                    publications.merge(layer, 1, Integer::sum);
                }
        assertTrue(counts.keySet().stream().anyMatch(l -> l.startsWith("generator/")) && counts.keySet().stream().anyMatch(l -> l.startsWith("critic/")));
        for (int n : publications.values()) assertTrue(n >= 2, "a layer published once: " + publications);

        List<Sample> scraped = parse(scrape());
        for (String layer : counts.keySet()) {
            Map<String, String> labels = Map.of("run", RUN, "experiment", EXPERIMENT, "network", layer.split("/")[0], "layer", layer.split("/")[1]);
            List<Sample> buckets = scraped.stream().filter(s -> s.name.equals("wasserflow_weight_bucket") && s.labels.entrySet().containsAll(labels.entrySet()))
                    .sorted(Comparator.comparingDouble(s -> le(s))).toList();
            long[] c = counts.get(layer);
            double[] e = edges.get(layer);
            assertEquals(c.length, buckets.size(), layer);
            long cumulative = 0;
            for (int i = 0; i < c.length; i++) {
                cumulative += c[i];
                assertEquals(i < e.length ? e[i] : Double.POSITIVE_INFINITY, le(buckets.get(i)), layer);
                assertEquals((double) cumulative, buckets.get(i).value, layer + " le=" + buckets.get(i).labels.get("le"));
            }
            assertEquals((double) cumulative, one(scraped, "wasserflow_weight_count", labels).value, layer);
            assertEquals(sums.get(layer), one(scraped, "wasserflow_weight_sum", labels).value, layer);
        }
    }

    @Test
    void stateAlertsAndDeadLettersFollowTheirCalls() throws Exception {
        PrometheusPublisher p = endpoint.publisher();
        p.state(RUN, EXPERIMENT, "training");
        p.state(RUN, EXPERIMENT, "diverged");
        p.alert(RUN, EXPERIMENT, AlertKind.VANISHING, "critic", "dense0", true);
        p.alert(RUN, EXPERIMENT, AlertKind.EXPLODING, "generator", "dense1", true);
        p.alert(RUN, EXPERIMENT, AlertKind.EXPLODING, "generator", "dense1", false);
        p.deadLetter(RUN, "bad_magic");
        p.deadLetter(RUN, "bad_magic");
        p.deadLetter(RUN, "corrupt_body");
        List<Sample> s = parse(scrape());
        for (String state : PrometheusPublisher.STATES)
            assertEquals(state.equals("diverged") ? 1.0 : 0.0, one(s, "wasserflow_experiment_state", Map.of("run", RUN, "experiment", EXPERIMENT, "state", state)).value);
        assertEquals(1.0, one(s, "wasserflow_gradient_alert", Map.of("run", RUN, "experiment", EXPERIMENT, "kind", "vanishing", "network", "critic", "layer", "dense0")).value);
        assertEquals(0.0, one(s, "wasserflow_gradient_alert", Map.of("run", RUN, "experiment", EXPERIMENT, "kind", "exploding", "network", "generator", "layer", "dense1")).value);
        assertEquals(2.0, one(s, "wasserflow_dead_letters_total", Map.of("run", RUN, "reason", "bad_magic")).value);
        assertEquals(1.0, one(s, "wasserflow_dead_letters_total", Map.of("run", RUN, "reason", "corrupt_body")).value);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.state(RUN, EXPERIMENT, "paused"));
        assertEquals("experiment state must be one of [training, diverged, finished], got 'paused'", e.getMessage());
    }

    @Test
    void forgetRemovesOnlyThatExperimentsSeries() throws Exception {
        PrometheusPublisher p = endpoint.publisher();
        publishAll(p);
        for (List<TrainingMetric> step : steps)
            for (TrainingMetric m : step) p.publish(TrainingMetric.newBuilder(m).setExperiment("clip").build());
        p.state(RUN, EXPERIMENT, "training"); // still training: its detail is there to be forgotten
        p.alert(RUN, EXPERIMENT, AlertKind.VANISHING, "critic", "dense0", true);
        p.deadLetter(RUN, "bad_magic");
        int before = parse(scrape()).size();
        p.forget(RUN, EXPERIMENT);
        List<Sample> after = parse(scrape());
        assertTrue(after.stream().noneMatch(s -> EXPERIMENT.equals(s.labels.get("experiment"))), "series of a forgotten experiment remain");
        long clip = after.stream().filter(s -> "clip".equals(s.labels.get("experiment"))).count();
        assertEquals(before - 3 - 1 - 1, 2 * clip, "the other experiment lost series"); // gp's 3 states and alert, and the run's counter
        assertEquals(1.0, one(after, "wasserflow_dead_letters_total", Map.of("run", RUN, "reason", "bad_magic")).value);
    }

    @Test
    void layersEndsPublishesEachNetworksFirstAndLastLayerOnly() {
        ExperimentConfig config = ExperimentConfig.builder("deep", true, Loss.WGAN, "clip").architecture(Architecture.mlp(4, 8)).batchSize(16)
                .histogramsEvery(1).samplesEvery(0).build();
        Trainer trainer = new Trainer(config, TOY);
        var batch = Nd4j.create(Toy2D.EIGHT_GAUSSIANS.sample(new Rng(3), 16), new long[] {16, 1, 1, 2}, 'c').castTo(DataType.FLOAT);
        for (StepReport r : trainer.step(batch)) {
            Map<String, Set<String>> all = layersByMetric(MetricRecords.of(RUN, "deep", r, 0, ExperimentConfig.Layers.ALL));
            Map<String, Set<String>> ends = layersByMetric(MetricRecords.of(RUN, "deep", r, 0, ExperimentConfig.Layers.ENDS));
            assertEquals(all.keySet(), ends.keySet());
            all.forEach((metric, layers) -> {
                assertEquals(5, layers.size(), metric + ": " + layers); // depth 4: five linear layers
                List<String> ordered = layers.stream().toList();
                assertEquals(Set.of(ordered.get(0), ordered.get(ordered.size() - 1)), ends.get(metric), metric);
            });
            List<TrainingMetric> none = MetricRecords.of(RUN, "deep", r, 0, ExperimentConfig.Layers.NONE);
            assertTrue(none.stream().noneMatch(m -> m.getLabels().containsKey("layer")), "layers: none publishes " + none);
            assertTrue(none.stream().anyMatch(m -> m.getName().equals(Metric.CRITIC_STEP.id)), "scalars stay");
        }
    }

    /** network/metric -> its layers, in the order published. */
    private static Map<String, Set<String>> layersByMetric(List<TrainingMetric> records) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (TrainingMetric m : records)
            if (m.getLabels().containsKey("layer"))
                out.computeIfAbsent(m.getLabels().get("network") + "/" + m.getName(), k -> new LinkedHashSet<>()).add(m.getLabels().get("layer"));
        return out;
    }

    @Test
    void aFinishedExperimentKeepsItsSummaryOnly() throws Exception {
        PrometheusPublisher p = endpoint.publisher();
        publishAll(p);
        p.state(RUN, EXPERIMENT, "training");
        p.alert(RUN, EXPERIMENT, AlertKind.VANISHING, "critic", "dense0", true);
        Set<String> detailNames = new HashSet<>();
        for (Metric m : PrometheusPublisher.DETAIL) detailNames.addAll(m.seriesNames());
        List<Sample> training = parse(scrape());
        assertTrue(training.stream().anyMatch(s -> detailNames.contains(s.name)), "no detail series while training");

        p.state(RUN, EXPERIMENT, "finished");
        publishAll(p); // detail that reaches the sink after the state, from another side output, is dropped too
        p.alert(RUN, EXPERIMENT, AlertKind.EXPLODING, "critic", "dense1", true);
        String text = scrape();
        assertPromtoolAccepts(text);
        List<Sample> finished = parse(text);
        assertTrue(finished.stream().noneMatch(s -> detailNames.contains(s.name)), "detail of a finished experiment: " + text);
        assertTrue(finished.size() <= SeriesBudget.PER_FINISHED, finished.size() + " series kept: " + text);
        assertEquals((double) generatorSteps, one(finished, "wasserflow_generator_step", Map.of("run", RUN, "experiment", EXPERIMENT)).value);
        TrainingMetric lastLoss = steps.stream().flatMap(List::stream).filter(m -> m.getName().equals("wasserflow_critic_loss")).reduce((a, b) -> b).orElseThrow();
        assertEquals(lastLoss.getValue(), one(finished, "wasserflow_critic_loss", Map.of("run", RUN, "experiment", EXPERIMENT)).value);
        assertEquals(1.0, one(finished, "wasserflow_experiment_state", Map.of("run", RUN, "experiment", EXPERIMENT, "state", "finished")).value);

        p.state(RUN, EXPERIMENT, "training"); // restored from a checkpoint taken before it finished: detail again
        publishAll(p);
        assertTrue(parse(scrape()).stream().anyMatch(s -> s.name.equals("wasserflow_weight_bucket")), "no detail after training resumed");
    }

    @Test
    void experimentInfoLabelsMethodAndSettingAndOutlivesTheDetail() throws Exception {
        PrometheusPublisher p = endpoint.publisher();
        p.info(RUN, EXPERIMENT, "wgan-gp", "lr=1e-4 seed=1");
        p.info(RUN, EXPERIMENT, "wgan-gp", "lr=2e-4 seed=1"); // a restore with another setting replaces it
        p.state(RUN, EXPERIMENT, "finished");
        String text = scrape();
        assertPromtoolAccepts(text);
        List<Sample> info = parse(text).stream().filter(x -> x.name.equals(Metric.EXPERIMENT_INFO.id)).toList();
        assertEquals(List.of(new Sample(Metric.EXPERIMENT_INFO.id, Map.of("run", RUN, "experiment", EXPERIMENT, "method", "wgan-gp", "setting", "lr=2e-4 seed=1"), 1.0)), info);
        p.forget(RUN, EXPERIMENT);
        assertTrue(parse(scrape()).stream().noneMatch(x -> x.name.equals(Metric.EXPERIMENT_INFO.id)), "info of a forgotten experiment");
    }

    @Test
    void malformedRecordsAreRefusedNamingTheMetric() {
        PrometheusPublisher p = new PrometheusPublisher(new PrometheusRegistry());
        TrainingMetric norm = steps.get(0).stream().filter(m -> m.getName().equals("wasserflow_gradient_norm")).findFirst().orElseThrow();
        TrainingMetric weight = steps.get(0).stream().filter(m -> m.getName().equals("wasserflow_weight")).findFirst().orElseThrow();
        assertEquals("unknown metric wasserflow_critic_losses (not in SPEC §6)", assertThrows(IllegalArgumentException.class,
                () -> p.publish(TrainingMetric.newBuilder(norm).setName("wasserflow_critic_losses").build())).getMessage());
        assertEquals("wasserflow_gradient_norm takes labels [network, layer], got {stat=min}", assertThrows(IllegalArgumentException.class,
                () -> p.publish(TrainingMetric.newBuilder(norm).setLabels(Map.of("stat", "min")).build())).getMessage());
        p.publish(weight);
        List<Double> moved = new ArrayList<>(weight.getBucketUpperBounds());
        moved.set(0, moved.get(0) - 1);
        String message = assertThrows(IllegalArgumentException.class, () -> p.publish(TrainingMetric.newBuilder(weight).setBucketUpperBounds(moved).build())).getMessage();
        assertTrue(message.startsWith("wasserflow_weight{") && message.contains("bucket edges changed from [") && !message.contains("\n"), message);
        message = assertThrows(IllegalArgumentException.class,
                () -> p.publish(TrainingMetric.newBuilder(weight).setBucketCounts(weight.getBucketCounts().subList(1, weight.getBucketCounts().size())).build())).getMessage();
        assertTrue(message.endsWith(weight.getBucketUpperBounds().size() + " bucket counts for " + weight.getBucketUpperBounds().size()
                + " edges (one more expected, the +Inf bucket)"), message);
    }

    @Test
    void publishingAStepCostsMicroseconds() {
        PrometheusPublisher p = new PrometheusPublisher(new PrometheusRegistry());
        List<TrainingMetric> step = steps.stream().max(Comparator.comparingInt(List::size)).orElseThrow(); // a critic step with its histograms
        for (int i = 0; i < 5_000; i++) p.publish(step); // warm-up: compile the path
        int n = 20_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) p.publish(step);
        double micros = (System.nanoTime() - t0) / 1e3 / n;
        // Measured at a few microseconds per step of ~30 records; a millisecond would stall training.
        assertTrue(micros < 100, step.size() + " records took " + micros + " µs a step");
    }

    // ------------------------------------------------------------------ helpers

    private static void publishAll(PrometheusPublisher p) {
        for (List<TrainingMetric> step : steps) p.publish(step);
    }

    private String scrape() throws Exception {
        var r = MetricsEndpointTest.get(endpoint.port(), "/metrics");
        assertEquals(200, r.statusCode());
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private static Map<String, String> withRunAndExperiment(TrainingMetric m) {
        Map<String, String> labels = new HashMap<>(m.getLabels());
        labels.put("run", m.getRun());
        labels.put("experiment", m.getExperiment());
        return labels;
    }

    private static String key(String name, Map<String, String> labels) {
        return name + new TreeMap<>(labels);
    }

    private static double le(Sample s) {
        return parseValue(s.labels.get("le"));
    }

    private static Sample one(List<Sample> samples, String name, Map<String, String> labels) {
        List<Sample> found = samples.stream().filter(s -> s.name.equals(name) && s.labels.equals(labels)).toList();
        assertEquals(1, found.size(), name + labels + " in " + samples);
        return found.get(0);
    }

    /** One line of the text exposition. */
    record Sample(String name, Map<String, String> labels, double value) {}

    private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    static List<Sample> parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches(), "not a sample line: " + line);
            Map<String, String> labels = new HashMap<>();
            if (m.group(2) != null) for (Matcher l = LABEL.matcher(m.group(2)); l.find(); ) labels.put(l.group(1), l.group(2));
            out.add(new Sample(m.group(1), labels, parseValue(m.group(3))));
        }
        return out;
    }

    private static double parseValue(String v) {
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(v);
        };
    }
}
