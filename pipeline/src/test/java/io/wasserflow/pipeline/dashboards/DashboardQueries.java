package io.wasserflow.pipeline.dashboards;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The panel queries of the Grafana dashboards in {@code dashboards/grafana/dashboards}, with the
 * template variables substituted the way Grafana's Prometheus datasource does it, so a test can
 * evaluate every one of them against a real Prometheus. Also writes a local Prometheus config that
 * reuses the stack's rule files with local targets.
 *
 * <p>Dashboards may use only {@code $run}, {@code $experiment} and {@code $__rate_interval}
 * (checked by {@link DashboardConfigTest}); {@code $experiment} is multi-valued with "All" = {@code .*}
 * and always appears as {@code experiment=~"$experiment"}.
 */
public final class DashboardQueries {
    private DashboardQueries() {}

    /** The dashboards, in {@code dashboards/grafana/dashboards}. */
    public static final List<String> DASHBOARDS = List.of("wasserflow-experiments.json", "wasserflow-health.json", "wasserflow-sweep.json");

    /** The template variables a panel query may use. */
    public static final Set<String> VARIABLES = Set.of("run", "experiment", "__rate_interval");

    /** Any template-variable reference Grafana would interpolate: $name, ${name} or ${name:format}, [[name]]. */
    static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::[^}]*)?}|\\$(\\w+)|\\[\\[(\\w+)(?::[^]]*)?]]");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DURATION = Pattern.compile("(\\d+(ms|s|m|h|d|w|y))+");

    /**
     * One panel query. {@code instant} queries are evaluated at one time (/api/v1/query), the others
     * over a range (/api/v1/query_range). {@code repeated}: the panel is repeated per experiment, so
     * it was substituted with one experiment (see {@link #all}).
     */
    public record Query(String dashboard, int panelId, String panelTitle, String panelType, String refId,
                        String expr, boolean instant, boolean repeated) {
        /** Reads Flink's own metrics (its Prometheus reporter), not Wasserflow's endpoint. */
        public boolean usesFlinkMetrics() {
            return expr.contains("flink_");
        }

        @Override
        public String toString() {
            return dashboard + " panel " + panelId + " \"" + panelTitle + "\" " + refId + ": " + expr;
        }
    }

    /** The repository's top folder: the first parent of the working directory holding dashboards/. */
    public static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent())
            if (Files.isRegularFile(p.resolve("dashboards/prometheus/prometheus.yml"))) return p;
        throw new IllegalStateException("no dashboards/prometheus/prometheus.yml in " + dir + " or a parent");
    }

    public static Path dashboardsDir() {
        return repoRoot().resolve("dashboards");
    }

    public static Path grafanaDashboard(String name) {
        return dashboardsDir().resolve("grafana/dashboards").resolve(name);
    }

    public static JsonNode load(Path json) {
        try {
            return JSON.readTree(json.toFile());
        } catch (IOException e) {
            throw new IllegalStateException("cannot parse " + json + ": " + e.getMessage(), e);
        }
    }

    /** Every panel of a dashboard, the panels of collapsed rows included, in order. */
    public static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        collect(dashboard.path("panels"), out);
        return out;
    }

    private static void collect(JsonNode panels, List<JsonNode> out) {
        for (JsonNode p : panels) {
            out.add(p);
            collect(p.path("panels"), out);
        }
    }

    /** Every panel query of both dashboards, variables left as they are. */
    public static List<Query> raw() {
        List<Query> out = new ArrayList<>();
        for (String name : DASHBOARDS) {
            JsonNode d = load(grafanaDashboard(name));
            String uid = d.path("uid").asText(name);
            for (JsonNode p : panels(d)) {
                boolean repeated = "experiment".equals(p.path("repeat").asText(""));
                for (JsonNode t : p.path("targets"))
                    out.add(new Query(uid, p.path("id").asInt(), p.path("title").asText(), p.path("type").asText(),
                            t.path("refId").asText(), t.path("expr").asText(""), t.path("instant").asBoolean(false), repeated));
            }
        }
        return out;
    }

    /**
     * Every panel query with {@code $run}, {@code $experiment} and {@code $__rate_interval}
     * substituted. {@code experiments} empty means "All" ({@code .*}); a panel repeated per
     * experiment gives one query per experiment (one per panel Grafana would draw), or one with
     * {@code .*} for "All".
     */
    public static List<Query> all(String run, List<String> experiments, String rateInterval) {
        List<Query> out = new ArrayList<>();
        for (Query q : raw()) {
            if (q.repeated() && !experiments.isEmpty()) {
                for (String e : experiments) out.add(substituted(q, run, List.of(e), rateInterval));
            } else {
                out.add(substituted(q, run, experiments, rateInterval));
            }
        }
        return out;
    }

    private static Query substituted(Query q, String run, List<String> experiments, String rateInterval) {
        String title = q.repeated() && experiments.size() == 1 ? q.panelTitle().replace("$experiment", experiments.get(0)) : q.panelTitle();
        return new Query(q.dashboard(), q.panelId(), title, q.panelType(), q.refId(),
                substitute(q.expr(), run, experimentRegex(experiments), rateInterval), q.instant(), q.repeated());
    }

    /**
     * {@code expr} with the variables replaced: {@code $run} by the run id (escaped for a PromQL
     * string), {@code $experiment} by {@code experimentRegex} (see {@link #experimentRegex}),
     * {@code $__rate_interval} by a duration such as {@code 20s}. Any other variable is an error.
     */
    public static String substitute(String expr, String run, String experimentRegex, String rateInterval) {
        if (!DURATION.matcher(rateInterval).matches()) throw new IllegalArgumentException("not a Prometheus duration: " + rateInterval);
        Matcher m = VARIABLE.matcher(expr);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            if (m.group(2) == null) throw new IllegalArgumentException("use $name, not " + m.group() + ", in: " + expr);
            String value = switch (m.group(2)) {
                case "run" -> stringEscape(run);
                case "experiment" -> experimentRegex;
                case "__rate_interval" -> rateInterval;
                default -> throw new IllegalArgumentException("unknown variable " + m.group() + " in: " + expr);
            };
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /**
     * What Grafana puts in place of a multi-value variable inside a PromQL string: {@code .*} for
     * All (the variable's allValue), the one value regex-escaped, or {@code (a|b|c)}.
     */
    public static String experimentRegex(List<String> experiments) {
        if (experiments.isEmpty()) return ".*";
        List<String> escaped = experiments.stream().map(DashboardQueries::regexEscape).toList();
        return escaped.size() == 1 ? escaped.get(0) : "(" + String.join("|", escaped) + ")";
    }

    /** Grafana's prometheusSpecialRegexEscape: a regex escape written inside a double-quoted PromQL string. */
    static String regexEscape(String value) {
        StringBuilder sb = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (c == '\\') sb.append("\\\\\\\\");
            else if ("$^*{}[]'+?.()|".indexOf(c) >= 0) sb.append("\\\\").append(c);
            else if (c == '"') sb.append("\\\"");
            else sb.append(c);
        }
        return sb.toString();
    }

    private static String stringEscape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /**
     * The stack's {@code dashboards/prometheus/prometheus.yml} made local: the same intervals and
     * rule files (as absolute paths), the {@code wasserflow} and {@code flink} jobs scraping the
     * given {@code host:port} targets (a job with no targets is left out) and no Alertmanager.
     */
    public static String localPrometheusYaml(List<String> wasserflowTargets, List<String> flinkTargets) {
        return localPrometheusYaml(wasserflowTargets, flinkTargets, null);
    }

    /** As {@link #localPrometheusYaml(List, List)}, scraping and evaluating rules every {@code interval} (null: the stack's). */
    @SuppressWarnings("unchecked")
    public static String localPrometheusYaml(List<String> wasserflowTargets, List<String> flinkTargets, String interval) {
        Path promDir = dashboardsDir().resolve("prometheus");
        Map<String, Object> config;
        try (InputStream in = Files.newInputStream(promDir.resolve("prometheus.yml"))) {
            config = new Yaml().load(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        config.remove("alerting");
        if (interval != null) {
            if (!DURATION.matcher(interval).matches()) throw new IllegalArgumentException("not a Prometheus duration: " + interval);
            Map<String, Object> global = new LinkedHashMap<>((Map<String, Object>) config.get("global"));
            global.put("scrape_interval", interval);
            global.put("evaluation_interval", interval);
            config.put("global", global);
        }
        List<String> rules = new ArrayList<>();
        for (Object f : (List<Object>) config.get("rule_files")) rules.add(promDir.resolve(f.toString()).toString());
        config.put("rule_files", rules);
        Map<String, List<String>> targets = Map.of("wasserflow", wasserflowTargets, "flink", flinkTargets);
        List<Object> jobs = new ArrayList<>();
        for (Iterator<Object> it = ((List<Object>) config.get("scrape_configs")).iterator(); it.hasNext(); ) {
            Map<String, Object> job = new LinkedHashMap<>((Map<String, Object>) it.next());
            List<String> t = targets.get(String.valueOf(job.get("job_name")));
            if (t == null) throw new IllegalStateException("unexpected scrape job " + job.get("job_name") + " in prometheus.yml");
            if (t.isEmpty()) continue;
            job.put("static_configs", List.of(Map.of("targets", List.copyOf(t))));
            jobs.add(job);
        }
        config.put("scrape_configs", jobs);
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return "# Generated from " + promDir.resolve("prometheus.yml") + " by DashboardQueries.localPrometheusYaml\n"
                + new Yaml(options).dump(config);
    }

    /** Writes {@link #localPrometheusYaml} to {@code dir/prometheus.yml} and returns its path. */
    public static Path writeLocalPrometheusConfig(Path dir, List<String> wasserflowTargets, List<String> flinkTargets) throws IOException {
        return writeLocalPrometheusConfig(dir, wasserflowTargets, flinkTargets, null);
    }

    /** Writes {@link #localPrometheusYaml(List, List, String)} to {@code dir/prometheus.yml} and returns its path. */
    public static Path writeLocalPrometheusConfig(Path dir, List<String> wasserflowTargets, List<String> flinkTargets, String interval) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, localPrometheusYaml(wasserflowTargets, flinkTargets, interval));
        return file;
    }
}
