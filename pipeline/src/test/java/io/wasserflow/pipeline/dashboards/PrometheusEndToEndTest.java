package io.wasserflow.pipeline.dashboards;

import io.wasserflow.pipeline.run.RunDir;
import static io.wasserflow.pipeline.testing.TinyConfigs.gp;
import static io.wasserflow.pipeline.testing.TinyConfigs.small;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.dashboards.DashboardQueries.Query;
import io.wasserflow.pipeline.job.Topics;
import io.wasserflow.pipeline.job.JobSpec;
import io.wasserflow.pipeline.job.TrainingJob;
import io.wasserflow.pipeline.kafka.KafkaClients;
import io.wasserflow.pipeline.metrics.Metric;
import io.wasserflow.pipeline.metrics.MetricsEndpoint;
import io.wasserflow.pipeline.source.Dataset;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import io.wasserflow.pipeline.testing.MiniClusters;
import io.wasserflow.pipeline.testing.TestBroker;
import io.wasserflow.pipeline.testing.TinyConfigs;
import io.wasserflow.pipeline.testing.TopicReader;
import io.wasserflow.schemas.AlertKind;
import io.wasserflow.schemas.Codec;
import io.wasserflow.schemas.GradientAlert;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The dashboards against a real Prometheus: a real Prometheus (the Debian binary, with the shipped rule files) scrapes a short
 * real run — a broker, a producer streaming toy points, the training job on a MiniCluster with
 * Flink's own Prometheus reporter — and every panel query of both dashboards returns data, every
 * alert rule evaluates cleanly, and the diverging experiment (only it) raises alerts, in
 * Prometheus and on the wasserflow.alerts topic.
 *
 * <p>{@code prometheus} is required, never skipped: {@code apt-get install prometheus} (CI installs it).
 */
class PrometheusEndToEndTest {
    @RegisterExtension
    static final TestBroker BROKER = new TestBroker();
    static final String RUN = "e2e", TOPIC = "wasserflow.images.8gaussians", HEALTHY = "gp", DIVERGING = "diverging", BIGAN = "bigan";
    static final String INTERVAL = "1s"; // scrape and rule evaluation, so the test waits seconds, not minutes
    /** What Grafana puts for $__rate_interval on the shipped dashboards (1 h range, datasource timeInterval 5 s): max($__interval + 5s, 4 x 5s). */
    static final String RATE_INTERVAL = "20s";
    /** Streamed, as a producer would, so the healthy experiment is still training when the panels are read. */
    static final int PRODUCER_BATCH = 64, RECORDS_PER_TICK = 2, TICK_MS = 200;
    static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    /**
     * The healthy one is WGAN-GP (the toy defaults' lambda and Adam) on a small MLP. The diverging
     * one is a deep critic whose clip bound (1000) never binds, trained by SGD at lr 10: measured,
     * its critic gradients explode (norm 2e5) at critic step 2 and its loss is NaN at critic step 3.
     * The third is a BiGAN with the penalty at the joint interpolates, for the dashboard's BiGAN row
     * (its errors, its encoder's layers). Histograms every critic step and samples every few
     * generator steps (every one for the diverging experiment, which makes only one), so every
     * series exists within seconds.
     */
    static final String YAML = TinyConfigs.toy(null,
            gp().constraint("{gp: {lambda: 0.1}}").mlp(2, 32).publish("{histograms_every: 1, samples_every: 5}"),
            small(DIVERGING, "{clip: {c: 1000}}").mlp(4, 64).optimizer("{sgd: {lr: 10}}").publish("{histograms_every: 1, samples_every: 1}"),
            small(BIGAN, "{gp: {lambda: 0.1}}").set("model", "bigan").set("z_dim", "2").publish("{histograms_every: 1, samples_every: 5}"));

    /** Flink's reporter on a free range, as in the stack (SPEC §7: 9249-9258); Prometheus scrapes the whole range. */
    static final int FLINK_REPORTER_BASE = freeRange(10);

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = MiniClusters.withSlots(2, Configuration.fromMap(Map.of(
            "metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
            "metrics.reporter.prom.port", FLINK_REPORTER_BASE + "-" + (FLINK_REPORTER_BASE + 9))));

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private String prometheus; // http://127.0.0.1:PORT

    @Test
    void everyPanelQueryReturnsDataAndOnlyTheDivergingExperimentAlerts(@TempDir Path tmp) throws Exception {
        long t0 = System.nanoTime();
        MetricsEndpoint.setBasePort(freeRange(MetricsEndpoint.PORTS));
        // Held by the test too, so the endpoint stays on one port from before the job until the last query.
        String bootstrap = BROKER.bootstrap();
        try (MetricsEndpoint endpoint = MetricsEndpoint.acquire()) {
            sendCorruptRecord(bootstrap); // one dead letter, for the dead-letter panels and the DeadLetters rule
            List<String> flinkTargets = IntStream.range(FLINK_REPORTER_BASE, FLINK_REPORTER_BASE + 10).mapToObj(p -> "127.0.0.1:" + p).toList();
            Path config = DashboardQueries.writeLocalPrometheusConfig(tmp, List.of("127.0.0.1:" + endpoint.port()), flinkTargets, INTERVAL);
            try (LocalPrometheus prom = LocalPrometheus.start(config, tmp.resolve("tsdb"), freeRange(1))) {
                prometheus = prom.url;
                long started = System.nanoTime();
                StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
                env.setParallelism(2);
                env.enableCheckpointing(1000); // the health dashboard's checkpoint panels
                new TrainingJob(TrainingJob.kafkaSource(bootstrap, TOPIC, OffsetsInitializer.earliest(), null),
                        TrainingJob.kafkaSink(bootstrap),
                    JobSpec.of(RunConfig.parse(YAML), RUN, Topics.defaults(), new RunDir(tmp.resolve("run").toString()))).build(env);
                JobClient job = env.executeAsync("wasserflow " + RUN);
                ScheduledExecutorService producer = Executors.newSingleThreadScheduledExecutor();
                Dataset toy = Datasets.open("8gaussians", null, 7);
                producer.scheduleWithFixedDelay(() -> produce(bootstrap, toy), 0, TICK_MS, TimeUnit.MILLISECONDS);
                try {
                    checkDashboardsAndRules(started);
                } finally {
                    producer.shutdownNow();
                    producer.awaitTermination(30, TimeUnit.SECONDS);
                    job.cancel().get(30, TimeUnit.SECONDS);
                }
            }
            checkAlertsTopic(bootstrap);
        } finally {
            MetricsEndpoint.setBasePort(0);
        }
        System.out.printf("PrometheusEndToEndTest: %.1f s in all%n", (System.nanoTime() - t0) / 1e9);
    }

    private void checkDashboardsAndRules(long started) throws Exception {
        List<Query> queries = DashboardQueries.all(RUN, List.of(HEALTHY, DIVERGING, BIGAN), RATE_INTERVAL);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Map<Query, JsonNode> results = evaluate(queries);
        while (!ready(results) && System.nanoTime() < deadline) { // poll until the picture is complete, then assert on it
            Thread.sleep(1000);
            results = evaluate(queries);
        }
        double seconds = (System.nanoTime() - started) / 1e9;

        List<String> empty = new ArrayList<>();
        int imagesOnly = 0;
        for (Query q : queries) {
            if (imagesOnly(q)) { // the run trains on 2-D points, for which the job publishes modes, high_quality_share and w1 only
                assertTrue(results.get(q).isEmpty(), "an image-only measure has data on toy points: " + q + " -> " + results.get(q));
                imagesOnly++;
            } else if (results.get(q).isEmpty()) {
                empty.add(q.toString());
            }
        }
        assertTrue(empty.isEmpty(), "panel queries that returned nothing after " + seconds + " s:\n  " + String.join("\n  ", empty));

        List<JsonNode> rules = rules();
        Set<String> names = new TreeSet<>();
        for (JsonNode r : rules) {
            names.add(r.path("name").asText());
            assertEquals("ok", r.path("health").asText(), r.path("name") + ": " + r.path("lastError"));
            assertTrue(r.path("lastError").asText("").isEmpty(), r.path("name") + ": " + r.path("lastError"));
        }
        assertEquals(shippedAlertNames(), names, "Prometheus loaded other rules than the shipped files hold");

        // The shipped rules as they are, no copy with shorter `for:`: ExperimentDiverged and NonFiniteGradient have
        // none and fire at their first evaluation (ExplodingGradient's 2m only leaves it pending, not asserted).
        Map<String, String> diverging = alertStates(DIVERGING);
        assertEquals("firing", diverging.get("ExperimentDiverged"), "ALERTS of " + DIVERGING + ": " + diverging);
        assertTrue(Set.of("firing", "pending").contains(diverging.get("NonFiniteGradient")), "ALERTS of " + DIVERGING + ": " + diverging);
        assertEquals(Map.of(), alertStates(HEALTHY), "the healthy GP experiment must raise no alert");
        assertEquals(Map.of(), alertStates(BIGAN), "the healthy BiGAN must raise no alert");
        JsonNode state = query("wasserflow_experiment_state{run=\"" + RUN + "\"} == 1");
        Map<String, String> states = new TreeMap<>();
        for (JsonNode s : state) states.put(s.path("metric").path("experiment").asText(), s.path("metric").path("state").asText());
        assertEquals(Map.of(HEALTHY, "training", DIVERGING, "diverged", BIGAN, "training"), states);

        System.out.printf("PrometheusEndToEndTest: after %.1f s of training, %d panel queries of %d dashboards returned data (%d image-only "
                        + "queries empty on toy data, as expected); %d rules evaluated ok; ALERTS of %s: %s, of %s and %s: none; states %s%n",
                seconds, queries.size() - imagesOnly, DashboardQueries.DASHBOARDS.size(), imagesOnly, rules.size(), DIVERGING, diverging, HEALTHY, BIGAN,
                states);
    }

    /** The in-job detector's alerts reached wasserflow.alerts: the diverging experiment's non-finite loss, nothing from the healthy one. */
    private static void checkAlertsTopic(String bootstrap) throws Exception {
        Map<String, Set<AlertKind>> kinds = new TreeMap<>();
        GradientAlert lossAlert = null;
        for (byte[] v : TopicReader.values(bootstrap, Topics.defaults().alerts())) {
            GradientAlert a = Codec.GRADIENT_ALERT.decode(v);
            assertEquals(RUN, a.getRun().toString());
            kinds.computeIfAbsent(a.getExperiment().toString(), e -> new TreeSet<>()).add(a.getKind());
            if (a.getKind() == AlertKind.NON_FINITE && a.getLayer().toString().equals("loss")) lossAlert = a;
        }
        assertEquals(Set.of(DIVERGING), kinds.keySet(), "experiments with gradient alerts on the topic: " + kinds);
        assertTrue(lossAlert != null && lossAlert.getExperiment().toString().equals(DIVERGING), "no non-finite loss alert on the topic: " + kinds);
        System.out.printf("PrometheusEndToEndTest: wasserflow.alerts holds %s; the loss went non-finite at critic step %d%n", kinds, lossAlert.getStep());
    }

    // ------------------------------------------------------------------ Prometheus's HTTP API

    /** Every panel has data, every rule has been evaluated, and the divergence alert fires. */
    private boolean ready(Map<Query, JsonNode> results) throws Exception {
        return results.entrySet().stream().allMatch(e -> e.getValue().isEmpty() == imagesOnly(e.getKey()))
                && rules().stream().allMatch(r -> r.path("health").asText().equals("ok"))
                && !query("ALERTS{alertname=\"ExperimentDiverged\", alertstate=\"firing\", run=\"" + RUN + "\"}").isEmpty();
    }

    private Map<Query, JsonNode> evaluate(List<Query> queries) throws Exception {
        Map<Query, JsonNode> out = new LinkedHashMap<>();
        for (Query q : queries) out.put(q, query(q.expr()));
        return out;
    }

    /** The result vector of an instant query at now. */
    private JsonNode query(String expr) throws Exception {
        return api("query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)).path("result");
    }

    private List<JsonNode> rules() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode g : api("rules").path("groups")) for (JsonNode r : g.path("rules")) out.add(r);
        return out;
    }

    /** alertname -> alertstate of the experiment's series in ALERTS. */
    private Map<String, String> alertStates(String experiment) throws Exception {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode a : query("ALERTS{run=\"" + RUN + "\", experiment=\"" + experiment + "\"}"))
            out.merge(a.path("metric").path("alertname").asText(), a.path("metric").path("alertstate").asText(), (x, y) -> x.equals("firing") ? x : y);
        return out;
    }

    private JsonNode api(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(prometheus + "/api/v1/" + path)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("success", body.path("status").asText(), path + " -> " + r.statusCode() + " " + r.body());
        return body.path("data");
    }

    /** The alert names of the rule files Prometheus was given (the shipped ones). */
    @SuppressWarnings("unchecked")
    private static Set<String> shippedAlertNames() throws IOException {
        Set<String> names = new TreeSet<>();
        try (var files = Files.list(DashboardQueries.dashboardsDir().resolve("prometheus/rules"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yml")).toList())
                try (InputStream in = Files.newInputStream(f)) {
                    for (Object g : (List<Object>) ((Map<String, Object>) new Yaml().load(in)).get("groups"))
                        for (Object r : (List<Object>) ((Map<String, Object>) g).get("rules")) names.add((String) ((Map<String, Object>) r).get("alert"));
                }
        }
        return names;
    }

    /** Queries of measures published for Fashion-MNIST only (SPEC §6; BiGAN's linear probe too), which a toy-data run cannot fill. */
    private static boolean imagesOnly(Query q) {
        return java.util.stream.Stream.of("frechet_distance", "birthday_duplicates", "classes_covered", "class_kl", "classifier_score", "probe_accuracy",
                "probe_accuracy_random")
                .anyMatch(measure -> q.expr().contains("measure=\"" + measure + "\"")) || q.expr().contains(Metric.SAMPLE_CLASS_SHARE.id + "{");
    }

    /** Prometheus as the stack runs it, on a local config, its data in a temporary folder. */
    record LocalPrometheus(Process process, String url) implements AutoCloseable {
        static LocalPrometheus start(Path config, Path tsdb, int port) throws Exception {
            Process p = new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + tsdb,
                    "--web.listen-address=127.0.0.1:" + port).redirectErrorStream(true)
                    .redirectOutput(config.resolveSibling("prometheus.log").toFile()).start();
            LocalPrometheus prom = new LocalPrometheus(p, "http://127.0.0.1:" + port);
            HttpClient http = HttpClient.newHttpClient();
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); System.nanoTime() < deadline && p.isAlive(); Thread.sleep(200)) {
                try {
                    if (http.send(HttpRequest.newBuilder(URI.create(prom.url + "/-/ready")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200)
                        return prom;
                } catch (IOException notYet) {
                    // not listening yet
                }
            }
            prom.close();
            throw new AssertionError("prometheus did not become ready:\n" + Files.readString(config.resolveSibling("prometheus.log")));
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        }
    }

    // ------------------------------------------------------------------ Kafka

    private static void produce(String bootstrap, Dataset toy) {
        try {
            ImageBatchProducer.produce(bootstrap, toy, TOPIC, PRODUCER_BATCH, (double) RECORDS_PER_TICK * PRODUCER_BATCH / toy.epochSize(), null);
        } catch (Exception e) {
            if (!Thread.currentThread().isInterrupted()) throw new IllegalStateException(e);
        }
    }

    private static void sendCorruptRecord(String bootstrap) throws Exception {
        KafkaClients.ensureTopic(bootstrap, TOPIC);
        try (KafkaProducer<String, byte[]> producer = KafkaClients.producer(bootstrap)) {
            producer.send(new ProducerRecord<>(TOPIC, "8gaussians", "not avro at all".getBytes(StandardCharsets.UTF_8))).get();
        }
    }

    /** A first port whose next n ports are all free now. */
    static int freeRange(int n) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base;
            try (ServerSocket s = new ServerSocket(0)) {
                base = s.getLocalPort();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            if (base + n > 65535) continue;
            List<ServerSocket> bound = new ArrayList<>();
            try {
                for (int p = base; p < base + n; p++) bound.add(new ServerSocket(p));
                return base;
            } catch (IOException busy) {
                // a port of this range is taken: try another
            } finally {
                for (ServerSocket s : bound) try { s.close(); } catch (IOException ignored) { }
            }
        }
        throw new IllegalStateException("no free range of " + n + " ports");
    }
}
