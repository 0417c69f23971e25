package io.wasserflow.pipeline.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.wasserflow.pipeline.dashboards.DashboardQueries.Query;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The monitoring configuration is checked by the tools that will read it: promtool (scrape config,
 * rule files, rule unit tests), amtool (Alertmanager config and routes), and, for what no tool here
 * reads (Grafana JSON, docker-compose.yml), by parsing it and checking it against the other files:
 * the same ports, hosts, mounted paths and variables everywhere.
 *
 * <p>promtool and amtool are required, never skipped: {@code apt-get install prometheus
 * prometheus-alertmanager} (CI installs them).
 */
class DashboardConfigTest {
    private static final Path ROOT = DashboardQueries.repoRoot();
    private static final Path PROM = ROOT.resolve("dashboards/prometheus");
    private static final Path ALERTMANAGER = ROOT.resolve("dashboards/alertmanager/alertmanager.yml");
    private static final Path GRAFANA = ROOT.resolve("dashboards/grafana");
    private static final Path COMPOSE = ROOT.resolve("docker-compose.yml");

    private static final List<String> ALERTS = List.of(
            "VanishingGradient", "ExplodingGradient", "NonFiniteGradient", "TrainingStalled", "ExperimentDiverged", "DeadLetters");
    private static final List<String> SERVICES = List.of("kafka", "jobmanager", "taskmanager", "producer", "prometheus", "alertmanager", "grafana");

    // ------------------------------------------------------------------ Prometheus

    @Test
    void promtoolChecksTheScrapeConfigAndTheRuleFilesItLoads() {
        // Run from the config's folder, as Prometheus resolves rule_files relative to the config file.
        String out = run(PROM, "promtool", "check", "config", "prometheus.yml");
        assertTrue(out.contains("rules/wasserflow.rules.yml"), "check config loaded no rule file:\n" + out);
        assertTrue(out.contains("SUCCESS: 6 rules found"), out);
    }

    @Test
    void scrapeConfigListsTheSpecPortRangesOnTheComposeHosts() {
        Map<String, Object> config = yaml(PROM.resolve("prometheus.yml"));
        Map<String, Object> global = map(config.get("global"));
        assertEquals("5s", global.get("scrape_interval"));
        assertEquals(List.of("rules/*.yml"), config.get("rule_files"));
        try (Stream<Path> rules = Files.list(PROM.resolve("rules"))) {
            assertTrue(rules.anyMatch(p -> p.getFileName().toString().equals("wasserflow.rules.yml")));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Map<String, List<String>> jobs = scrapeTargets(config);
        assertEquals(Set.of("wasserflow", "flink"), jobs.keySet());
        assertEquals(range("taskmanager", 9464, 9473), jobs.get("wasserflow"));
        List<String> flink = new ArrayList<>(range("jobmanager", 9249, 9258));
        flink.addAll(range("taskmanager", 9249, 9258));
        assertEquals(flink, jobs.get("flink"));
        List<Object> alertmanagers = list(map(config.get("alerting")).get("alertmanagers"));
        assertEquals(List.of("alertmanager:9093"), list(map(list(map(alertmanagers.get(0)).get("static_configs")).get(0)).get("targets")));
    }

    @Test
    void promtoolChecksEveryRuleFile() {
        List<String> cmd = new ArrayList<>(List.of("promtool", "check", "rules"));
        for (Path p : files(PROM.resolve("rules"), ".yml")) cmd.add(PROM.relativize(p).toString());
        String out = run(PROM, cmd.toArray(String[]::new));
        assertTrue(out.contains("SUCCESS"), out);
    }

    @TestFactory
    Stream<DynamicTest> promtoolRuleUnitTests() {
        List<Path> tests = files(PROM.resolve("tests"), ".yml");
        assertFalse(tests.isEmpty(), "no rule tests in " + PROM.resolve("tests"));
        return tests.stream().map(t -> DynamicTest.dynamicTest("promtool test rules " + t.getFileName(), () -> {
            String out = run(PROM, "promtool", "test", "rules", PROM.relativize(t).toString());
            assertTrue(out.contains("SUCCESS"), out);
        }));
    }

    @Test
    void everyAlertHasSeverityAndAnnotationsAndIsTestedFiringAndQuiet() {
        Map<String, Map<String, Object>> rules = new LinkedHashMap<>();
        for (Path f : files(PROM.resolve("rules"), ".yml"))
            for (Object g : list(yaml(f).get("groups")))
                for (Object r : list(map(g).get("rules"))) {
                    Map<String, Object> rule = map(r);
                    if (rule.containsKey("alert")) rules.put((String) rule.get("alert"), rule);
                }
        assertEquals(new TreeSet<>(ALERTS), new TreeSet<>(rules.keySet()));

        Set<String> firing = new HashSet<>(), quiet = new HashSet<>();
        for (Path f : files(PROM.resolve("tests"), ".yml"))
            for (Object t : list(yaml(f).get("tests")))
                for (Object a : list(map(t).getOrDefault("alert_rule_test", List.of()))) {
                    Map<String, Object> art = map(a);
                    List<Object> expected = list(art.getOrDefault("exp_alerts", List.of()));
                    (expected.isEmpty() ? quiet : firing).add((String) art.get("alertname"));
                }
        for (var e : rules.entrySet()) {
            String name = e.getKey();
            Map<String, Object> labels = map(e.getValue().get("labels"));
            assertTrue(Set.of("warning", "critical").contains(labels.get("severity")), name + ": severity " + labels.get("severity"));
            Map<String, Object> ann = map(e.getValue().get("annotations"));
            String summary = (String) ann.get("summary"), description = (String) ann.get("description");
            assertNotNull(summary, name + " has no summary");
            assertNotNull(description, name + " has no description");
            assertTrue(summary.contains("$labels.run"), name + ": the summary names no run");
            String second = name.equals("DeadLetters") ? "$labels.reason" : "$labels.experiment";
            assertTrue(summary.contains(second) && description.contains(second), name + ": annotations lack " + second);
            if (name.endsWith("Gradient"))
                assertTrue(summary.contains("$labels.layer") && description.contains("$labels.layer"), name + ": annotations lack the layer");
            assertTrue(firing.contains(name), name + " has no promtool case where it fires");
            assertTrue(quiet.contains(name), name + " has no promtool case where it stays quiet");
        }
    }

    @Test
    void localConfigReusesTheSameRulesAndPassesPromtool(@TempDir Path tmp) throws IOException {
        Path file = DashboardQueries.writeLocalPrometheusConfig(tmp, List.of("127.0.0.1:9464"), List.of("127.0.0.1:9249", "127.0.0.1:9250"));
        Map<String, Object> config = yaml(file);
        assertEquals(List.of(PROM.resolve("rules/*.yml").toString()), config.get("rule_files"));
        assertFalse(config.containsKey("alerting"));
        assertEquals(Map.of("wasserflow", List.of("127.0.0.1:9464"), "flink", List.of("127.0.0.1:9249", "127.0.0.1:9250")), scrapeTargets(config));
        assertEquals("5s", map(config.get("global")).get("scrape_interval"));
        String out = run(tmp, "promtool", "check", "config", file.toString());
        assertTrue(out.contains("SUCCESS: 6 rules found"), out);

        Path noFlink = DashboardQueries.writeLocalPrometheusConfig(tmp.resolve("b"), List.of("127.0.0.1:9464"), List.of());
        assertEquals(Set.of("wasserflow"), scrapeTargets(yaml(noFlink)).keySet());
    }

    // ------------------------------------------------------------------ Alertmanager

    @Test
    void amtoolChecksTheAlertmanagerConfig() {
        String out = run(ALERTMANAGER.getParent(), "amtool", "check-config", ALERTMANAGER.toString());
        assertTrue(out.contains("SUCCESS"), out);
    }

    @Test
    void alertmanagerRoutesBySeverity() {
        assertEquals("wasserflow-critical", route("severity=critical", "alertname=ExperimentDiverged", "run=r", "experiment=e"));
        assertEquals("wasserflow-default", route("severity=warning", "alertname=VanishingGradient", "run=r", "experiment=e"));
        assertEquals("wasserflow-default", route("alertname=Unknown"));
    }

    private static String route(String... labels) {
        List<String> cmd = new ArrayList<>(List.of("amtool", "config", "routes", "test", "--config.file=" + ALERTMANAGER));
        cmd.addAll(Arrays.asList(labels));
        String out = run(ROOT, cmd.toArray(String[]::new));
        return out.lines().filter(l -> !l.startsWith("Warning:")).map(String::strip).filter(l -> !l.isEmpty()).reduce((a, b) -> b).orElse("");
    }

    // ------------------------------------------------------------------ Grafana

    @Test
    void grafanaProvisioningPointsAtPrometheusAndTheDashboardFolder() {
        Map<String, Object> ds = map(list(yaml(GRAFANA.resolve("provisioning/datasources/prometheus.yml")).get("datasources")).get(0));
        assertEquals("prometheus", ds.get("uid"));
        assertEquals("prometheus", ds.get("type"));
        assertEquals("http://prometheus:9090", ds.get("url"));
        assertEquals("5s", map(ds.get("jsonData")).get("timeInterval"), "timeInterval must be the scrape interval, for $__rate_interval");
        Map<String, Object> provider = map(list(yaml(GRAFANA.resolve("provisioning/dashboards/wasserflow.yml")).get("providers")).get(0));
        assertEquals("file", provider.get("type"));
        assertEquals("/var/lib/grafana/dashboards", map(provider.get("options")).get("path"));
    }

    @Test
    void dashboardsParseWithUniquePanelIdsAndOnlyThePrometheusDatasource() {
        for (String name : DashboardQueries.DASHBOARDS) {
            JsonNode d = DashboardQueries.load(GRAFANA.resolve("dashboards").resolve(name));
            assertFalse(d.path("uid").asText("").isEmpty(), name + ": no uid");
            Set<Integer> ids = new HashSet<>();
            for (JsonNode p : DashboardQueries.panels(d)) {
                String where = name + " panel " + p.path("id") + " \"" + p.path("title").asText() + "\"";
                assertTrue(p.path("id").isInt(), where + ": no id");
                assertTrue(ids.add(p.path("id").asInt()), where + ": duplicate id");
                JsonNode g = p.path("gridPos");
                assertTrue(g.path("w").asInt() > 0 && g.path("h").asInt() > 0 && g.path("x").asInt() + g.path("w").asInt() <= 24, where + ": gridPos " + g);
                String type = p.path("type").asText();
                if (type.equals("row") || type.equals("text")) continue;
                assertTrue(p.path("targets").size() > 0, where + ": no query");
                for (JsonNode t : p.path("targets")) {
                    assertFalse(t.path("expr").asText("").isBlank(), where + " " + t.path("refId") + ": no expr");
                    assertFalse(t.path("refId").asText("").isBlank(), where + ": a target without refId");
                }
            }
            List<String> bad = new ArrayList<>();
            datasources(d, "$", bad);
            assertTrue(bad.isEmpty(), name + ": datasources other than uid prometheus: " + bad);
        }
    }

    /** Every "datasource" anywhere in the JSON must be {type: prometheus, uid: prometheus}. */
    private static void datasources(JsonNode node, String path, List<String> bad) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (e.getKey().equals("datasource")) {
                    JsonNode ds = e.getValue();
                    if (!ds.path("uid").asText("").equals("prometheus") || !ds.path("type").asText("").equals("prometheus"))
                        bad.add(path + ".datasource = " + ds);
                } else {
                    datasources(e.getValue(), path + "." + e.getKey(), bad);
                }
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) datasources(node.get(i), path + "[" + i + "]", bad);
        }
    }

    @Test
    void templateVariablesAreRunAndExperiment() {
        JsonNode exp = dashboard("wasserflow-experiments.json");
        assertEquals("Wasserflow — experiments side by side", exp.path("title").asText());
        JsonNode run = variable(exp, "run"), experiment = variable(exp, "experiment");
        assertEquals("label_values(wasserflow_generator_step, run)", run.path("definition").asText());
        assertEquals("label_values(wasserflow_generator_step, run)", run.path("query").path("query").asText());
        assertFalse(run.path("multi").asBoolean());
        assertEquals("label_values(wasserflow_generator_step{run=\"$run\"}, experiment)", experiment.path("definition").asText());
        assertEquals(experiment.path("definition").asText(), experiment.path("query").path("query").asText());
        assertTrue(experiment.path("multi").asBoolean() && experiment.path("includeAll").asBoolean());
        assertEquals(".*", experiment.path("allValue").asText());
        JsonNode health = dashboard("wasserflow-health.json");
        assertEquals("Wasserflow — run health", health.path("title").asText());
        assertEquals(run, variable(health, "run"));
        for (JsonNode d : List.of(exp, health, dashboard("wasserflow-sweep.json")))
            for (JsonNode v : d.path("templating").path("list"))
                assertTrue(Set.of("run", "experiment").contains(v.path("name").asText()), "unexpected variable " + v.path("name"));
    }

    @Test
    void queriesUseOnlyTheTestableVariablesAndFilterByRun() {
        Pattern runUse = Pattern.compile("run=\"\\$run\"");
        Pattern experimentUse = Pattern.compile("experiment=~\"\\$experiment\"");
        List<String> problems = new ArrayList<>();
        for (Query q : DashboardQueries.raw()) {
            Matcher m = DashboardQueries.VARIABLE.matcher(q.expr());
            while (m.find())
                if (m.group(2) == null || !DashboardQueries.VARIABLES.contains(m.group(2))) problems.add(q + ": variable " + m.group());
            String e = q.expr();
            if (count(e, "$run") != count(runUse, e)) problems.add(q + ": $run outside run=\"$run\"");
            if (count(e, "$experiment") != count(experimentUse, e)) problems.add(q + ": $experiment outside experiment=~\"$experiment\" (it is multi-valued)");
            if (e.contains("wasserflow_") && !e.contains("run=\"$run\"")) problems.add(q + ": a training metric not filtered by run");
            if (q.dashboard().equals("wasserflow-experiments") && e.contains("wasserflow_") && !e.contains("$experiment"))
                problems.add(q + ": not filtered by $experiment");
            if (e.contains("rate(") || e.contains("increase(") || e.contains("deriv("))
                if (!e.contains("[$__rate_interval]")) problems.add(q + ": a range function without [$__rate_interval]");
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everySubstitutedQueryIsValidPromQL(@TempDir Path tmp) throws IOException {
        // Each query as a recording rule: promtool parses every expression (and type-checks it).
        List<Query> queries = new ArrayList<>(DashboardQueries.all("20250101-120000-abc123", List.of(), "20s"));
        queries.addAll(DashboardQueries.all("r1", List.of("clip", "gp-0.1"), "1m"));
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard-queries\n    rules:\n");
        for (int i = 0; i < queries.size(); i++) {
            Query q = queries.get(i);
            assertFalse(q.expr().contains("$"), q + ": a variable left");
            rules.append("      - record: dashboard_query_").append(i).append("\n        expr: '")
                    .append(q.expr().replace("'", "''")).append("'\n");
        }
        Path file = tmp.resolve("queries.yml");
        Files.writeString(file, rules);
        String out = run(tmp, "promtool", "check", "rules", file.toString());
        assertTrue(out.contains("SUCCESS: " + queries.size() + " rules found"), out + "\n" + rules);
        // A repeated panel gives one query per chosen experiment, with that experiment escaped for a regex.
        assertTrue(queries.stream().anyMatch(q -> q.repeated() && q.expr().contains("experiment=~\"gp-0\\\\.1\"")), "no repeated query for gp-0.1");
        assertTrue(queries.stream().anyMatch(q -> !q.repeated() && q.expr().contains("experiment=~\"(clip|gp-0\\\\.1)\"")));
    }

    @Test
    void substitutionFollowsGrafana() {
        assertEquals("x{run=\"r\", experiment=~\".*\"}[20s]",
                DashboardQueries.substitute("x{run=\"$run\", experiment=~\"$experiment\"}[$__rate_interval]", "r", ".*", "20s"));
        assertEquals("(a|b\\\\.c)", DashboardQueries.experimentRegex(List.of("a", "b.c")));
        assertEquals("a", DashboardQueries.experimentRegex(List.of("a")));
        assertEquals(".*", DashboardQueries.experimentRegex(List.of()));
        assertThrows("unknown variable", () -> DashboardQueries.substitute("x{job=\"$job\"}", "r", ".*", "20s"));
        assertThrows("use $name", () -> DashboardQueries.substitute("x{run=\"${run}\"}", "r", ".*", "20s"));
    }

    @Test
    void experimentsDashboardShowsTheClaims() {
        JsonNode d = dashboard("wasserflow-experiments.json");
        List<JsonNode> panels = DashboardQueries.panels(d);
        String all = DashboardQueries.raw().stream().filter(q -> q.dashboard().equals("wasserflow-experiments")).map(Query::expr).reduce("", String::concat);
        for (String metric : List.of("wasserflow_wasserstein_estimate", "wasserflow_critic_loss", "wasserflow_generator_loss",
                "wasserflow_gradient_penalty", "wasserflow_gradient_norm", "wasserflow_activation_gradient_norm",
                "wasserflow_input_gradient_norm", "wasserflow_weight_bucket", "wasserflow_weight_clip_fraction",
                "wasserflow_sample_quality", "wasserflow_step_seconds", "wasserflow_images_per_second",
                "wasserflow_gradient_alert", "wasserflow_experiment_state", "wasserflow_layer_spectral_norm"))
            assertTrue(all.contains(metric + "{"), "no panel reads " + metric);
        assertTrue(all.contains("network=\"critic\"") && all.contains("network=\"generator\""));
        for (String measure : List.of("modes", "high_quality_share", "w1", "frechet_distance", "birthday_duplicates", "classes_covered", "class_kl", "classifier_score"))
            assertTrue(all.contains("measure=\"" + measure + "\""), "no panel reads the sample-quality measure " + measure);
        assertTrue(all.contains("wasserflow_sample_class_share{"), "no panel reads the class shares");

        // Log axes: every series floored, so float32 gradients of exactly 0 still show.
        int logPanels = 0;
        for (JsonNode p : panels) {
            if (!p.path("fieldConfig").path("defaults").path("custom").path("scaleDistribution").path("type").asText().equals("log")) continue;
            logPanels++;
            for (JsonNode t : p.path("targets"))
                assertTrue(t.path("expr").asText().contains("clamp_min(") && t.path("expr").asText().contains("1e-12"),
                        p.path("title") + ": a log-scale query without a clamp_min floor");
        }
        assertTrue(logPanels >= 4, "per-layer gradient panels must be on log scale");

        JsonNode heatmap = onlyPanel(panels, "heatmap");
        assertEquals("experiment", heatmap.path("repeat").asText());
        assertFalse(heatmap.path("options").path("calculate").asBoolean(true), "the buckets come from Prometheus, not Grafana");
        JsonNode ht = heatmap.path("targets").get(0);
        assertEquals("heatmap", ht.path("format").asText());
        assertEquals("{{le}}", ht.path("legendFormat").asText());
        assertTrue(ht.path("expr").asText().contains("increase(wasserflow_weight_bucket{") && ht.path("expr").asText().contains("[$__rate_interval]"));

        java.util.List<JsonNode> pictures = new java.util.ArrayList<>();
        for (JsonNode p : panels) if (p.path("type").asText().equals("text")) pictures.add(p);
        List<String> kinds = List.of("samples", "landscapes", "reconstructions");
        assertEquals(kinds.size(), pictures.size(), "three picture panels: samples, critic landscapes and BiGAN reconstructions");
        for (int i = 0; i < kinds.size(); i++) {
            JsonNode image = pictures.get(i);
            String kind = kinds.get(i);
            assertEquals("experiment", image.path("repeat").asText());
            assertEquals("html", image.path("options").path("mode").asText());
            assertTrue(image.path("options").path("content").asText().contains("<img src=\"http://localhost:9464/" + kind + "/$run/$experiment.png"),
                    "the " + kind + " picture must come from the endpoint of SPEC §6");
        }

        for (JsonNode p : panels)
            if (p.has("repeat")) assertEquals("experiment", p.path("repeat").asText(), p.path("title") + " repeats by another variable");

        // BiGAN's row (SPEC §6, part two): its errors, the probe against the untrained encoder, the encoder's layers. Not
        // repeated per experiment, so a run of GANs beside one BiGAN draws no empty panels for the GANs.
        String bigan = "";
        for (JsonNode p : panels) {
            if (p.path("title").asText().contains("BiGAN") && p.path("type").asText().equals("row")) bigan += "row;";
            for (JsonNode t : p.path("targets")) {
                String expr = t.path("expr").asText();
                if (expr.contains("network=\"encoder\"") || expr.matches(".*measure=\"(reconstruction_error|latent_error|probe_accuracy|probe_accuracy_random)\".*")) {
                    assertFalse(p.has("repeat"), p.path("title") + ": BiGAN panels overlay the experiments");
                    bigan += expr + ";";
                }
            }
        }
        for (String part : List.of("row;", "measure=\"reconstruction_error\"", "measure=\"latent_error\"", "measure=\"probe_accuracy\"",
                "measure=\"probe_accuracy_random\"", "wasserflow_gradient_norm{run=\"$run\", experiment=~\"$experiment\", network=\"encoder\"}"))
            assertTrue(bigan.contains(part), "the BiGAN row lacks " + part + ": " + bigan);
    }

    @Test
    void sweepDashboardShowsTheTableAndTheBestAndWorst() {
        JsonNode d = dashboard("wasserflow-sweep.json");
        JsonNode exp = dashboard("wasserflow-experiments.json");
        assertEquals("Wasserflow — sweep", d.path("title").asText());
        assertEquals(exp.path("templating"), d.path("templating"), "the same $run and $experiment as the experiments dashboard");
        List<JsonNode> panels = DashboardQueries.panels(d);
        JsonNode table = onlyPanel(panels, "table");
        String columns = "";
        for (JsonNode t : table.path("targets")) {
            assertTrue(t.path("instant").asBoolean() && t.path("format").asText().equals("table"), "the table's queries are instant tables: " + t);
            columns += t.path("expr").asText();
        }
        for (String column : List.of("wasserflow_experiment_info{", "wasserflow_experiment_state{", "wasserflow_generator_step{",
                "wasserflow_sample_quality{", "wasserflow_wasserstein_estimate{"))
            assertTrue(columns.contains(column), "the experiments table has no column from " + column);
        assertTrue(columns.contains("method, setting"), "the table shows the method and setting labels");
        List<String> transformations = new ArrayList<>();
        table.path("transformations").forEach(t -> transformations.add(t.path("id").asText()));
        assertEquals(List.of("merge", "organize"), transformations, "one row an experiment, columns named");
        assertTrue(table.path("options").path("sortBy").size() > 0, "sorted (and sortable by any header)");
        String all = DashboardQueries.raw().stream().filter(q -> q.dashboard().equals("wasserflow-sweep")).map(Query::expr).reduce("", String::concat);
        assertTrue(all.contains("topk(5, max by (run, experiment) (wasserflow_sample_quality{"), "no worst-5 panel");
        assertTrue(all.contains("bottomk(5, max by (run, experiment) (wasserflow_sample_quality{"), "no best-5 panel");
        for (Query q : DashboardQueries.raw())
            if (q.dashboard().equals("wasserflow-sweep")) assertTrue(q.expr().contains("experiment=~\"$experiment\""), q + ": not filtered by $experiment");
    }

    @Test
    void healthDashboardReadsFlinkAndRunMetrics() {
        String all = DashboardQueries.raw().stream().filter(q -> q.dashboard().equals("wasserflow-health")).map(Query::expr).reduce("", String::concat);
        for (String metric : List.of("wasserflow_generator_step", "wasserflow_critic_step", "wasserflow_dead_letters_total",
                "wasserflow_experiment_state", "flink_taskmanager_job_task_operator_pendingRecords",
                "flink_jobmanager_job_lastCheckpointCompletedTimestamp", "flink_jobmanager_job_lastCheckpointDuration",
                "flink_jobmanager_job_numRestarts", "flink_jobmanager_job_numberOfCompletedCheckpoints"))
            assertTrue(all.contains(metric), "no panel reads " + metric);
    }

    // ------------------------------------------------------------------ docker-compose.yml

    @Test
    void composeRunsTheSpecServicesOnTheSpecPorts() {
        Map<String, Object> services = map(yaml(COMPOSE).get("services"));
        for (String s : SERVICES) assertTrue(services.containsKey(s), "docker-compose.yml has no service " + s);
        assertEquals("apache/kafka:4.2.0", service(services, "kafka").get("image"));
        for (String s : List.of("jobmanager", "taskmanager", "producer")) assertEquals("flink:2.2.0-java17", service(services, s).get("image"), s);
        assertTrue(String.valueOf(service(services, "prometheus").get("image")).startsWith("prom/prometheus"));
        assertTrue(String.valueOf(service(services, "alertmanager").get("image")).startsWith("prom/alertmanager"));
        assertTrue(String.valueOf(service(services, "grafana").get("image")).startsWith("grafana/grafana"));

        assertEquals(List.of(9092), publishedPorts(service(services, "kafka")));
        assertEquals(List.of(8081), publishedPorts(service(services, "jobmanager")));
        assertEquals(IntStream.rangeClosed(9464, 9473).boxed().toList(), publishedPorts(service(services, "taskmanager")));
        assertEquals(List.of(9090), publishedPorts(service(services, "prometheus")));
        assertEquals(List.of(9093), publishedPorts(service(services, "alertmanager")));
        assertEquals(List.of(3000), publishedPorts(service(services, "grafana")));

        Map<String, Object> kafkaEnv = map(service(services, "kafka").get("environment"));
        assertTrue(String.valueOf(kafkaEnv.get("KAFKA_ADVERTISED_LISTENERS")).contains("//kafka:9092"));
        assertTrue(String.valueOf(kafkaEnv.get("KAFKA_PROCESS_ROLES")).contains("controller"), "KRaft: the broker is its own controller");

        List<Object> producer = list(service(services, "producer").get("command"));
        assertEquals(List.of("produce", "--bootstrap", "kafka:9092", "--dataset", "fashion-mnist"), producer);
    }

    @Test
    void composeFlinkHasTheJobJarNd4jOnTheClusterClasspathAndTheReporter() throws IOException {
        Map<String, Object> services = map(yaml(COMPOSE).get("services"));
        assertTrue(Files.readString(ROOT.resolve("pipeline/pom.xml")).contains("<finalName>${wasserflow.jar.name}</finalName>")
                        && Files.readString(ROOT.resolve("pom.xml")).contains("<wasserflow.jar.name>wasserflow</wasserflow.jar.name>"),
                "the shaded jar is no longer pipeline/target/wasserflow.jar");
        for (String s : List.of("jobmanager", "taskmanager")) {
            Map<String, String> mounts = mounts(service(services, s));
            assertEquals("./pipeline/target/wasserflow.jar", mounts.get("/opt/flink/usrlib/wasserflow.jar"), s + " mounts no job jar");
            assertTrue(mounts.entrySet().stream().anyMatch(m -> m.getKey().startsWith("/opt/flink/lib/") && m.getValue().startsWith("./pipeline/target/lib")),
                    s + ": ND4J must be mounted under /opt/flink/lib");
            Map<String, String> props = flinkProperties(service(services, s));
            assertEquals("org.apache.flink.metrics.prometheus.PrometheusReporterFactory", props.get("metrics.reporter.prom.factory.class"), s);
            assertEquals("9249-9258", props.get("metrics.reporter.prom.port"), s);
            assertEquals("jobmanager", props.get("jobmanager.rpc.address"), s);
            List<String> parentFirst = Arrays.asList(props.getOrDefault("classloader.parent-first-patterns.additional", "").split(";"));
            assertTrue(parentFirst.contains("org.nd4j.") && parentFirst.contains("org.bytedeco."), s + ": ND4J must load parent-first");
            assertTrue(list(service(services, s).get("expose")).contains("9249-9258"), s + " does not expose the reporter's ports");
        }
        assertEquals("./pipeline/target/wasserflow.jar", mounts(service(services, "producer")).get("/opt/flink/usrlib/wasserflow.jar"));

        // The GPU TaskManager: Flink's GPU external resource and an NVIDIA device, under profile gpu.
        Map<String, Object> gpu = services.values().stream().map(DashboardConfigTest::map)
                .filter(s -> list(s.getOrDefault("profiles", List.of())).contains("gpu")).findFirst()
                .orElseThrow(() -> new AssertionError("no service under the compose profile gpu"));
        Map<String, String> props = flinkProperties(gpu);
        assertEquals("gpu", props.get("external-resources"));
        assertEquals("org.apache.flink.externalresource.gpu.GPUDriverFactory", props.get("external-resource.gpu.driver-factory.class"));
        assertEquals("1", props.get("external-resource.gpu.amount"));
        assertEquals("9249-9258", props.get("metrics.reporter.prom.port"));
        Map<String, Object> device = map(list(map(map(map(gpu.get("deploy")).get("resources")).get("reservations")).get("devices")).get(0));
        assertEquals("nvidia", device.get("driver"));
        assertTrue(list(device.get("capabilities")).contains("gpu"));
        Map<String, Object> aliases = map(map(gpu.get("networks")).get("default"));
        assertTrue(list(aliases.get("aliases")).contains("taskmanager"), "the GPU TaskManager must answer to Prometheus's target host");
    }

    @Test
    void composeMountsTheMonitoringFilesWhereTheirReadersLook() {
        Map<String, Object> services = map(yaml(COMPOSE).get("services"));
        Map<String, String> prometheus = mounts(service(services, "prometheus"));
        assertEquals("./dashboards/prometheus", prometheus.get("/etc/prometheus"));
        assertTrue(list(service(services, "prometheus").get("command")).contains("--config.file=/etc/prometheus/prometheus.yml"));

        Map<String, String> alertmanager = mounts(service(services, "alertmanager"));
        assertEquals("./dashboards/alertmanager", alertmanager.get("/etc/alertmanager"));
        assertTrue(list(service(services, "alertmanager").get("command")).contains("--config.file=/etc/alertmanager/alertmanager.yml"));
        assertTrue(Files.isRegularFile(ROOT.resolve("dashboards/alertmanager/alertmanager.yml")));

        Map<String, String> grafana = mounts(service(services, "grafana"));
        assertEquals("./dashboards/grafana/provisioning/datasources", grafana.get("/etc/grafana/provisioning/datasources"));
        assertEquals("./dashboards/grafana/provisioning/dashboards", grafana.get("/etc/grafana/provisioning/dashboards"));
        Object providerPath = map(map(list(yaml(GRAFANA.resolve("provisioning/dashboards/wasserflow.yml")).get("providers")).get(0)).get("options")).get("path");
        assertEquals("./dashboards/grafana/dashboards", grafana.get(providerPath), "the dashboards must be mounted where the provider reads");

        // Every repository path a service mounts exists (build outputs under pipeline/target excepted).
        for (var s : services.entrySet())
            for (String source : mounts(map(s.getValue())).values())
                if (source.startsWith("./") && !source.startsWith("./pipeline/target"))
                    assertTrue(Files.exists(ROOT.resolve(source)), s.getKey() + " mounts missing " + source);
    }

    @Test
    void everyScrapeTargetAndUrlIsAComposeServicePort() {
        Map<String, Object> services = map(yaml(COMPOSE).get("services"));
        Map<String, List<String>> jobs = scrapeTargets(yaml(PROM.resolve("prometheus.yml")));
        for (String target : jobs.get("wasserflow")) {
            String[] hp = target.split(":");
            Map<String, Object> s = service(services, hp[0]);
            assertTrue(publishedPorts(s).contains(Integer.parseInt(hp[1])), target + " is not a port of service " + hp[0]);
        }
        for (String target : jobs.get("flink")) {
            String[] hp = target.split(":");
            Map<String, Object> s = service(services, hp[0]);
            assertTrue(rangeContains(flinkProperties(s).get("metrics.reporter.prom.port"), Integer.parseInt(hp[1])),
                    target + " is outside the reporter's port range of " + hp[0]);
        }
        assertTrue(publishedPorts(service(services, "alertmanager")).contains(9093));
        assertTrue(publishedPorts(service(services, "prometheus")).contains(9090));
    }

    // ------------------------------------------------------------------ helpers

    private static JsonNode dashboard(String name) {
        return DashboardQueries.load(GRAFANA.resolve("dashboards").resolve(name));
    }

    private static JsonNode variable(JsonNode dashboard, String name) {
        for (JsonNode v : dashboard.path("templating").path("list"))
            if (v.path("name").asText().equals(name)) return v;
        throw new AssertionError(dashboard.path("uid") + " has no variable $" + name);
    }

    private static JsonNode onlyPanel(List<JsonNode> panels, String type) {
        List<JsonNode> found = panels.stream().filter(p -> p.path("type").asText().equals(type)).toList();
        assertEquals(1, found.size(), "expected one " + type + " panel");
        return found.get(0);
    }

    private static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) n++;
        return n;
    }

    private static int count(Pattern p, String s) {
        return (int) p.matcher(s).results().count();
    }

    private static void assertThrows(String message, Runnable r) {
        try {
            r.run();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().contains(message), e.getMessage());
            return;
        }
        fail("expected an IllegalArgumentException: " + message);
    }

    private static List<String> range(String host, int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(p -> host + ":" + p).toList();
    }

    private static boolean rangeContains(String range, int port) {
        if (range == null) return false;
        String[] r = range.split("-");
        return port >= Integer.parseInt(r[0]) && port <= Integer.parseInt(r[r.length - 1]);
    }

    private static Map<String, List<String>> scrapeTargets(Map<String, Object> config) {
        Map<String, List<String>> jobs = new LinkedHashMap<>();
        for (Object j : list(config.get("scrape_configs"))) {
            Map<String, Object> job = map(j);
            List<String> targets = new ArrayList<>();
            for (Object sc : list(job.get("static_configs"))) for (Object t : list(map(sc).get("targets"))) targets.add(t.toString());
            jobs.put((String) job.get("job_name"), targets);
        }
        return jobs;
    }

    /** A compose service by name, or by a hostname or network alias it answers to. */
    private static Map<String, Object> service(Map<String, Object> services, String name) {
        if (services.containsKey(name)) return map(services.get(name));
        throw new AssertionError("docker-compose.yml has no service " + name);
    }

    /** Host ports a service publishes ("H:C", "H1-H2:C1-C2", or long syntax). */
    private static List<Integer> publishedPorts(Map<String, Object> service) {
        List<Integer> out = new ArrayList<>();
        for (Object p : list(service.getOrDefault("ports", List.of()))) {
            String host;
            if (p instanceof Map<?, ?> m) host = String.valueOf(m.get("published"));
            else {
                String[] parts = p.toString().split(":");
                host = parts.length >= 2 ? parts[parts.length - 2] : parts[0];
            }
            String[] r = host.split("-");
            for (int i = Integer.parseInt(r[0]); i <= Integer.parseInt(r[r.length - 1]); i++) out.add(i);
        }
        return out;
    }

    /** A service's mounts as container path -> source, ${VAR:-default} read as its default. */
    private static Map<String, String> mounts(Map<String, Object> service) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Object v : list(service.getOrDefault("volumes", List.of()))) {
            String source, target;
            if (v instanceof Map<?, ?> m) {
                source = String.valueOf(m.get("source"));
                target = String.valueOf(m.get("target"));
            } else {
                String spec = defaults(v.toString());
                String[] parts = spec.split(":");
                source = parts[0];
                target = parts.length > 1 ? parts[1] : parts[0];
            }
            out.put(target, defaults(source));
        }
        return out;
    }

    private static String defaults(String s) {
        return s.replaceAll("\\$\\{\\w+:-([^}]*)}", "$1");
    }

    /** FLINK_PROPERTIES as the image's entrypoint reads it: one key: value a line. */
    private static Map<String, String> flinkProperties(Map<String, Object> service) {
        Object env = map(service.get("environment")).get("FLINK_PROPERTIES");
        assertNotNull(env, "no FLINK_PROPERTIES");
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : env.toString().split("\n")) {
            if (line.isBlank() || line.strip().startsWith("#")) continue;
            int colon = line.indexOf(':');
            assertTrue(colon > 0, "not key: value: " + line);
            out.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
        }
        return out;
    }

    private static List<Path> files(Path dir, String suffix) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError("cannot list " + dir, e);
        }
    }

    private static Map<String, Object> yaml(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return new Yaml().load(in);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertTrue(o instanceof Map, "expected a mapping, got " + o);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        assertTrue(o instanceof List, "expected a list, got " + o);
        return (List<Object>) o;
    }

    /** Runs a tool in dir and returns its output; a missing tool or a non-zero exit fails the test. */
    private static String run(Path dir, String... cmd) {
        requireTool(cmd[0]);
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", cmd) + " did not finish in 120 s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), String.join(" ", cmd) + " (in " + dir + ") failed:\n" + text);
            return text;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void requireTool(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) return;
        fail(name + " is not installed (not on PATH); the monitoring config is checked with Prometheus's own tools: "
                + "apt-get install prometheus prometheus-alertmanager (CI installs them)");
    }
}
