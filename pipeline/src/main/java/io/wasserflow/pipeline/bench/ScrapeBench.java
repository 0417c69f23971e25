package io.wasserflow.pipeline.bench;

import io.wasserflow.pipeline.broker.LocalKafkaBroker;
import io.wasserflow.pipeline.config.RunConfig;
import io.wasserflow.pipeline.job.JobSpec;
import io.wasserflow.pipeline.job.Topics;
import io.wasserflow.pipeline.job.TrainingJob;
import io.wasserflow.pipeline.metrics.MetricsEndpoint;
import io.wasserflow.pipeline.metrics.SeriesBudget;
import io.wasserflow.pipeline.run.Machine;
import io.wasserflow.pipeline.source.Dataset;
import io.wasserflow.pipeline.source.Datasets;
import io.wasserflow.pipeline.source.ImageBatchProducer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * `bench --scrape N`: how long a scrape of the metrics endpoint takes for a sweep of N small
 * experiments (GAN, WGAN with clipping, WGAN-GP in turn; MLPs of five linear layers a network;
 * every diagnostic at every step), trained by the real job from an embedded broker on a local
 * MiniCluster in this JVM. The sweep is held at its first steps with every detail series
 * published (the data stops there), and the endpoint is scraped as Prometheus scrapes it, once
 * with {@code publish: {layers: ends}} (a sweep's thinning) and once with {@code layers: all};
 * then the thinned sweep gets the rest of its data, finishes, and is scraped again. Per case: the
 * series, the bytes, and the median, 90th percentile and worst of the scrape times.
 */
final class ScrapeBench {
    private ScrapeBench() {}

    static final int BATCH = 32, RECORD = 64, FIRST_STEPS = 4, STEPS = 8, DEPTH = 4, SCRAPES = 40;
    static final long WAIT_MS = 600_000;
    /** What Prometheus 2.x/3.x asks for: OpenMetrics first, the text format as the fallback. */
    static final String ACCEPT = "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.2,*/*;q=0.1";
    private static final Pattern STEP = Pattern.compile("^wasserflow_generator_step\\{[^}]*experiment=\"([^\"]+)\"[^}]*\\} (\\S+)$", Pattern.MULTILINE);
    private static final Pattern FINISHED = Pattern.compile("^wasserflow_experiment_state\\{[^}]*state=\"finished\"[^}]*\\} 1(\\.0)?$", Pattern.MULTILINE);

    static String yaml(String topic, int experiments, String layers) {
        String[] methods = {"gan", "clip", "gp"};
        StringBuilder y = new StringBuilder("data: {dataset: 8gaussians, topic: " + topic + "}\nexperiments:\n");
        for (int i = 0; i < experiments; i++) {
            String m = methods[i % methods.length];
            y.append(String.format(Locale.ROOT, "  - {name: %s-seed%d, %s, architecture: {mlp: {depth: %d, width: 8}}, batch_size: %d, n_critic: 1, seed: %d, "
                    + "publish: {layers: %s, histograms_every: 1, samples_every: %d}}%n", m, i,
                    m.equals("gan") ? "loss: gan, constraint: none" : "constraint: " + m, DEPTH, BATCH, i, layers, STEPS));
        }
        return y.toString();
    }

    static int run(int experiments) throws Exception {
        System.out.printf(Locale.ROOT, "bench --scrape: %d experiments (GAN, WGAN-clip, WGAN-GP in turn; MLP %d x 8; every diagnostic at every step), "
                + "held at generator step %d with every detail series published, %d scrapes a case%n", experiments, DEPTH + 1, FIRST_STEPS, SCRAPES);
        System.out.println("machine: " + Machine.here().describe());
        Dataset toy = Datasets.open("8gaussians", null, 7);
        HttpClient http = HttpClient.newHttpClient();
        try (LocalKafkaBroker broker = LocalKafkaBroker.start(); MetricsEndpoint endpoint = MetricsEndpoint.acquire()) {
            String bootstrap = broker.bootstrap();
            for (String layers : new String[] {"all", "ends"}) {
                String topic = "bench.scrape." + layers, run = "scrape-" + layers;
                RunConfig config = RunConfig.parse(yaml(topic, experiments, layers));
                ImageBatchProducer.produce(bootstrap, toy, topic, RECORD, (double) FIRST_STEPS * BATCH / toy.epochSize(), null);
                StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
                env.setParallelism(1);
                new TrainingJob(TrainingJob.kafkaSource(bootstrap, topic, OffsetsInitializer.earliest(), null), TrainingJob.kafkaSink(bootstrap),
                        JobSpec.of(config, run, Topics.defaults(), null).withGeneratorSteps(STEPS)).build(env);
                JobClient job = env.executeAsync("wasserflow " + run);
                try {
                    await(http, endpoint, text -> atStep(text, run, FIRST_STEPS) == experiments, "all " + experiments + " at step " + FIRST_STEPS);
                    measure(http, endpoint, "training, layers: " + layers, experiments);
                    if (layers.equals("ends")) {
                        ImageBatchProducer.produce(bootstrap, toy, topic, RECORD, (double) (STEPS - FIRST_STEPS) * BATCH / toy.epochSize(), null);
                        await(http, endpoint, text -> finished(text, run) == experiments, "all " + experiments + " finished");
                        measure(http, endpoint, "finished, layers: " + layers, experiments);
                    }
                } finally {
                    job.cancel().get();
                }
                for (var c : config.experiments()) endpoint.publisher().forget(run, c.name()); // the next case is scraped alone
            }
        }
        return 0;
    }

    private static void measure(HttpClient http, MetricsEndpoint endpoint, String label, int experiments) throws Exception {
        double[] ms = new double[SCRAPES];
        String text = "";
        scrape(http, endpoint); // the first one warms the exposition's code paths
        for (int i = 0; i < SCRAPES; i++) {
            long t = System.nanoTime();
            text = scrape(http, endpoint);
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        int series = SeriesBudget.total(text);
        System.out.printf(Locale.ROOT, "  %-24s %6d series (%4d an experiment), %8.2f MB; scrape median %7.1f ms, p90 %7.1f ms, worst %7.1f ms%n", label, series,
                series / experiments, text.length() / 1e6, ms[SCRAPES / 2], ms[(int) (SCRAPES * 0.9)], ms[SCRAPES - 1]);
    }

    private static String scrape(HttpClient http, MetricsEndpoint endpoint) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")).header("Accept", ACCEPT).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException("the endpoint answered " + r.statusCode());
        return r.body();
    }

    private static void await(HttpClient http, MetricsEndpoint endpoint, Predicate<String> ready, String what) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (ready.test(scrape(http, endpoint))) return;
            Thread.sleep(300);
        }
        throw new IllegalStateException("bench --scrape: the sweep did not get to " + what + " in " + WAIT_MS / 1000 + " s");
    }

    /** How many of the run's experiments publish this generator step. */
    private static long atStep(String text, String run, int step) {
        Matcher m = STEP.matcher(text);
        long n = 0;
        while (m.find()) if (m.group(0).contains("run=\"" + run + "\"") && Double.parseDouble(m.group(2)) == step) n++;
        return n;
    }

    private static long finished(String text, String run) {
        Matcher m = FINISHED.matcher(text);
        long n = 0;
        while (m.find()) if (m.group(0).contains("run=\"" + run + "\"")) n++;
        return n;
    }
}
