package io.wasserflow.pipeline.dashboards;

import static io.wasserflow.pipeline.dashboards.PrometheusEndToEndTest.freeRange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.dashboards.PrometheusEndToEndTest.LocalPrometheus;
import io.wasserflow.pipeline.job.JobSpec;
import io.wasserflow.pipeline.job.Topics;
import io.wasserflow.pipeline.job.TrainingJob;
import io.wasserflow.pipeline.metrics.Metric;
import io.wasserflow.pipeline.metrics.MetricsEndpoint;
import io.wasserflow.pipeline.metrics.PrometheusPublisher;
import io.wasserflow.pipeline.metrics.SeriesBudget;
import io.wasserflow.pipeline.source.Dataset;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import io.wasserflow.pipeline.testing.MiniClusters;
import io.wasserflow.pipeline.testing.TestBroker;
import io.wasserflow.pipeline.testing.TinyConfigs;
import io.wasserflow.pipeline.testing.TinyConfigs.Experiment;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19's series budget: a sweep of 64 small experiments (GAN, WGAN with clipping, WGAN-GP on
 * MLPs of five linear layers a network, every diagnostic at every step, {@code publish: {layers: ends}})
 * trained by the real job from a real broker, its endpoint scraped while all 64 train and once all
 * have finished. Each experiment stays within {@link SeriesBudget#PER_EXPERIMENT} series while it
 * trains (per-layer series of its first and last layer only) and drops to at most
 * {@link SeriesBudget#PER_FINISHED} when it finishes; the exposition passes {@code promtool check
 * metrics}; a real Prometheus scrapes it whole (its {@code scrape_samples_scraped} is the count
 * here) and evaluates the shipped alert rules on it without error.
 *
 * <p>The data is produced in two parts, so the first scrape sees every experiment at the same step:
 * one trainer subtask feeds each record to the 64 experiments in turn, and they wait for the second
 * part with their detail series published. {@code promtool} and {@code prometheus} are required.
 */
class SweepSeriesBudgetTest {
    @RegisterExtension
    static final TestBroker BROKER = new TestBroker();
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(1);

    static final String RUN = "budget", TOPIC = "budget.images";
    static final int EXPERIMENTS = 64, BATCH = 32, RECORD = 64, FIRST_STEPS = 4, STEPS = 8;
    static final long TIMEOUT_MS = 240_000; // a safety limit for a loaded machine, not a timed assertion
    /** Depth 4: five linear layers a network, of which the first and last publish per-layer series. */
    static final int DEPTH = 4, LINEAR_LAYERS = DEPTH + 1;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{(.*)\\} (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** One series of an exposition. */
    record Series(String name, Map<String, String> labels, double value) {}

    static List<Series> parse(String text) {
        List<Series> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) continue;
            Map<String, String> labels = new TreeMap<>();
            Matcher l = LABEL.matcher(m.group(2));
            while (l.find()) labels.put(l.group(1), l.group(2));
            out.add(new Series(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
        return out;
    }
    private final HttpClient http = HttpClient.newHttpClient();

    static String config() {
        String[][] methods = {{"gan", "{loss: gan, constraint: none"}, {"clip", "{constraint: clip"}, {"gp", "{constraint: gp"}};
        List<Experiment> experiments = new ArrayList<>();
        for (int i = 0; i < EXPERIMENTS; i++) {
            String method = methods[i % methods.length][0];
            Experiment e = TinyConfigs.small(method + "-seed" + i, method.equals("gan") ? "none" : method).mlp(DEPTH, 8).batchSize(BATCH).nCritic(1)
                    .set("seed", String.valueOf(i)).publish("{layers: ends, histograms_every: 1, samples_every: " + STEPS + "}");
            if (method.equals("gan")) e = e.set("loss", "gan");
            experiments.add(e);
        }
        return TinyConfigs.config(TinyConfigs.TOY, TOPIC, experiments.toArray(Experiment[]::new));
    }

    @Test
    void sixtyFourExperimentsStayWithinTheBudget(@TempDir Path tmp) throws Exception {
        long t0 = System.nanoTime();
        RunConfig config = RunConfig.parse(config());
        assertEquals(EXPERIMENTS, config.experiments().size());
        Set<String> names = new TreeSet<>();
        config.experiments().forEach(c -> names.add(c.name()));
        MetricsEndpoint.setBasePort(freeRange(MetricsEndpoint.PORTS));
        String bootstrap = BROKER.bootstrap();
        Dataset toy = Datasets.open(TinyConfigs.TOY, null, 7);
        try (MetricsEndpoint endpoint = MetricsEndpoint.acquire()) {
            Path promConfig = DashboardQueries.writeLocalPrometheusConfig(tmp, List.of("127.0.0.1:" + endpoint.port()), List.of(), "1s");
            try (LocalPrometheus prom = LocalPrometheus.start(promConfig, tmp.resolve("tsdb"), freeRange(1))) {
                ImageBatchProducer.produce(bootstrap, toy, TOPIC, RECORD, (double) FIRST_STEPS * BATCH / toy.epochSize(), null);
                StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
                env.setParallelism(1);
                new TrainingJob(TrainingJob.kafkaSource(bootstrap, TOPIC, OffsetsInitializer.earliest(), null), TrainingJob.kafkaSink(bootstrap),
                        JobSpec.of(config, RUN, Topics.defaults(), null).withGeneratorSteps(STEPS)).build(env);
                JobClient job = env.executeAsync("wasserflow " + RUN);
                try {
                    // all 64 training, every one at its step FIRST_STEPS, waiting for data
                    String training = await(endpoint, text -> steps(text, FIRST_STEPS, names));
                    Map<String, Integer> peak = checkTraining(training, names);
                    int peakTotal = SeriesBudget.total(training);
                    checkScrapedByPrometheus(prom, peakTotal);

                    ImageBatchProducer.produce(bootstrap, toy, TOPIC, RECORD, (double) (STEPS - FIRST_STEPS) * BATCH / toy.epochSize(), null);
                    // sampled at their last step (samples_every: STEPS, the sampler's cost once): the quality is in the summary
                    String done = await(endpoint, text -> finished(text, names) && qualityOfAll(text, names));
                    Map<String, Integer> summary = checkFinished(done, names);
                    int doneTotal = SeriesBudget.total(done);
                    checkScrapedByPrometheus(prom, doneTotal);
                    checkRules(prom);
                    System.out.printf("SweepSeriesBudgetTest: %d experiments; while training %d series (budget %d; per experiment %d-%d, budget %d), "
                                    + "%d bytes; finished %d series (per experiment %d-%d, budget %d); %.1f s in all%n",
                            EXPERIMENTS, peakTotal, SeriesBudget.of(EXPERIMENTS), min(peak), max(peak), SeriesBudget.PER_EXPERIMENT,
                            training.length(), doneTotal, min(summary), max(summary), SeriesBudget.PER_FINISHED, (System.nanoTime() - t0) / 1e9);
                } finally {
                    job.cancel().get();
                }
            }
        } finally {
            MetricsEndpoint.setBasePort(0);
        }
    }

    /** Within the budget, every experiment with its ends' per-layer series and none of its middle layers'. */
    private static Map<String, Integer> checkTraining(String text, Set<String> names) throws Exception {
        assertPromtoolAccepts(text);
        Map<String, Integer> count = perExperiment(text, names);
        count.forEach((e, n) -> assertTrue(n <= SeriesBudget.PER_EXPERIMENT, e + " exposes " + n + " series while training, over " + SeriesBudget.PER_EXPERIMENT));
        assertTrue(SeriesBudget.total(text) <= SeriesBudget.of(EXPERIMENTS), SeriesBudget.total(text) + " series, over " + SeriesBudget.of(EXPERIMENTS));
        // metric -> experiment/network -> layers
        Map<String, Map<String, Set<String>>> layers = new TreeMap<>();
        for (Series x : parse(text))
            if (x.labels().containsKey("layer"))
                layers.computeIfAbsent(x.name(), k -> new TreeMap<>()).computeIfAbsent(x.labels().get("experiment") + "/" + x.labels().get("network"), k -> new TreeSet<>())
                        .add(x.labels().get("layer"));
        for (String metric : List.of(Metric.GRADIENT_NORM.id, Metric.ACTIVATION_GRADIENT_NORM.id, Metric.WEIGHT.id + "_count")) {
            Map<String, Set<String>> of = layers.getOrDefault(metric, Map.of());
            assertEquals(2 * EXPERIMENTS, of.size(), metric + ": critic and generator of every experiment, got " + of.keySet());
            of.forEach((net, ls) -> assertEquals(2, ls.size(), metric + " of " + net + ": the first and last of " + LINEAR_LAYERS + " layers, got " + ls));
        }
        return count;
    }

    /** Every experiment down to its summary: no detail series left. */
    private static Map<String, Integer> checkFinished(String text, Set<String> names) throws Exception {
        assertPromtoolAccepts(text);
        Map<String, Integer> count = perExperiment(text, names);
        count.forEach((e, n) -> assertTrue(n <= SeriesBudget.PER_FINISHED, e + " keeps " + n + " series once finished, over " + SeriesBudget.PER_FINISHED));
        for (Metric m : PrometheusPublisher.DETAIL)
            for (String series : m.seriesNames())
                assertTrue(!text.contains("\n" + series + "{"), "a finished sweep still exposes " + series);
        List<Series> parsed = parse(text);
        for (String e : names) assertEquals(STEPS, value(parsed, Metric.GENERATOR_STEP.id, e, null, null), e + " lost its final step");
        return count;
    }

    private static Map<String, Integer> perExperiment(String text, Set<String> names) {
        Map<String, Integer> count = new TreeMap<>(SeriesBudget.count(text));
        count.remove("");
        assertEquals(names, count.keySet(), "the experiments of the exposition");
        return count;
    }

    /** Prometheus scraped the endpoint whole: its sample count is ours, and it is up. */
    private void checkScrapedByPrometheus(LocalPrometheus prom, int series) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        String q = "scrape_samples_scraped{job=\"wasserflow\"}";
        double seen = -1;
        while (System.currentTimeMillis() < deadline) {
            JsonNode r = query(prom, q);
            if (!r.isEmpty() && (seen = r.get(0).path("value").get(1).asDouble()) == series) break;
            Thread.sleep(500);
        }
        assertEquals(series, seen, q);
        assertEquals(1.0, query(prom, "up{job=\"wasserflow\"}").get(0).path("value").get(1).asDouble());
        assertEquals(series - 0.0, query(prom, "count({job=\"wasserflow\", __name__!~\"up|scrape_.+\"})").get(0).path("value").get(1).asDouble(), "series stored by Prometheus");
    }

    /** The shipped alert rules evaluate cleanly on a thinned sweep, and none fires for a healthy one that finished. */
    private void checkRules(LocalPrometheus prom) throws Exception {
        JsonNode groups = api(prom, "rules").path("groups");
        int rules = 0;
        for (JsonNode g : groups)
            for (JsonNode r : g.path("rules")) {
                rules++;
                assertEquals("ok", r.path("health").asText(), r.path("name") + ": " + r.path("lastError"));
            }
        assertTrue(rules > 0, "no rules loaded");
        // finished: the gradient rules leave it alone (pending ones of the training phase end at the next evaluation)
        String alerts = "ALERTS{run=\"" + RUN + "\", alertname=~\"TrainingStalled|VanishingGradient|ExplodingGradient\"}";
        JsonNode left = query(prom, alerts);
        for (long deadline = System.currentTimeMillis() + 10_000; !left.isEmpty() && System.currentTimeMillis() < deadline; left = query(prom, alerts))
            Thread.sleep(500);
        assertEquals(0, left.size(), "alerts of a finished sweep: " + left);
    }

    private JsonNode query(LocalPrometheus prom, String expr) throws Exception {
        return api(prom, "query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)).path("result");
    }

    private JsonNode api(LocalPrometheus prom, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(prom.url() + "/api/v1/" + path)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("success", body.path("status").asText(), path + " -> " + r.body());
        return body.path("data");
    }

    /** Scrapes the endpoint until the exposition satisfies {@code ready}. */
    private static String await(MetricsEndpoint endpoint, Predicate<List<Series>> ready) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        String text = "";
        while (System.currentTimeMillis() < deadline) {
            text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            if (ready.test(parse(text))) return text;
            Thread.sleep(300);
        }
        throw new AssertionError("the sweep did not get there in " + TIMEOUT_MS + " ms: " + progress(parse(text)));
    }

    private static boolean steps(List<Series> text, int step, Set<String> names) {
        return names.stream().allMatch(e -> value(text, Metric.GENERATOR_STEP.id, e, null, null) == step);
    }

    private static boolean qualityOfAll(List<Series> text, Set<String> names) {
        return names.stream().noneMatch(e -> Double.isNaN(value(text, Metric.SAMPLE_QUALITY.id, e, "measure", "w1")));
    }

    private static boolean finished(List<Series> text, Set<String> names) {
        return names.stream().allMatch(e -> value(text, Metric.EXPERIMENT_STATE.id, e, "state", "finished") == 1);
    }

    /** The value of the series of this metric and experiment (with this label's value, unless null), NaN when absent. */
    private static double value(List<Series> series, String metric, String experiment, String label, String labelValue) {
        for (Series x : series)
            if (x.name().equals(metric) && experiment.equals(x.labels().get("experiment")) && (label == null || labelValue.equals(x.labels().get(label))))
                return x.value();
        return Double.NaN;
    }

    /** Where each experiment is: its generator step and state, for a failure message. */
    private static String progress(List<Series> series) {
        Map<String, String> out = new TreeMap<>();
        for (Series x : series) {
            if (x.name().equals(Metric.GENERATOR_STEP.id)) out.merge(x.labels().get("experiment"), "step " + (long) x.value(), (a, b) -> a + " " + b);
            if (x.name().equals(Metric.SAMPLE_QUALITY.id) && "w1".equals(x.labels().get("measure"))) out.merge(x.labels().get("experiment"), "w1", (a, b) -> a + " " + b);
            if (x.name().equals(Metric.EXPERIMENT_STATE.id) && x.value() == 1) out.merge(x.labels().get("experiment"), x.labels().get("state"), (a, b) -> a + " " + b);
        }
        return out.toString();
    }

    private static void assertPromtoolAccepts(String text) throws Exception {
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = promtool.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String complaints = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, promtool.waitFor(), complaints);
    }

    private static int min(Map<String, Integer> m) {
        return m.values().stream().mapToInt(Integer::intValue).min().orElse(0);
    }

    private static int max(Map<String, Integer> m) {
        return m.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }
}
