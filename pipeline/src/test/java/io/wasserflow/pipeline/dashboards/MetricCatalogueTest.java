package io.wasserflow.pipeline.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wasserflow.pipeline.metrics.Metric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The dashboards and alert rules read only series of the metric catalogue, and the catalogue's names are Prometheus's. */
class MetricCatalogueTest {
    private static final Pattern SERIES = Pattern.compile("\\bwasserflow_[a-z0-9_]+");
    private static final Set<String> CATALOGUED = Arrays.stream(Metric.values()).flatMap(m -> m.seriesNames().stream()).collect(Collectors.toSet());

    private static Set<String> series(String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = SERIES.matcher(text);
        while (m.find()) out.add(m.group());
        return out;
    }

    @Test
    void everyDashboardQueryNamesOnlyCataloguedSeries() {
        List<String> unknown = new ArrayList<>();
        for (DashboardQueries.Query q : DashboardQueries.raw())
            for (String s : series(q.expr())) if (!CATALOGUED.contains(s)) unknown.add(q.dashboard() + " panel " + q.panelId() + ": " + s);
        assertEquals(List.of(), unknown);
    }

    @Test
    void everyAlertRuleNamesOnlyCataloguedSeries() throws IOException {
        List<String> unknown = new ArrayList<>();
        Path rules = DashboardQueries.repoRoot().resolve("dashboards/prometheus/rules");
        try (Stream<Path> files = Files.list(rules)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".yml")).toList()) {
                Set<String> found = series(Files.readString(f));
                assertTrue(!found.isEmpty(), f + " reads no Wasserflow series");
                for (String s : found) if (!CATALOGUED.contains(s)) unknown.add(f.getFileName() + ": " + s);
            }
        }
        assertEquals(List.of(), unknown);
    }

    @Test
    void counterNamesEndInTotalAndOnlyHistogramsHaveBuckets() {
        for (Metric m : Metric.values()) {
            assertEquals(m.type == Metric.Type.COUNTER, m.id.endsWith("_total"), m.id);
            assertTrue(!m.id.endsWith("_bucket") && !m.id.endsWith("_sum") && !m.id.endsWith("_count"), m.id);
            assertTrue(m.id.matches("wasserflow_[a-z0-9_]+"), m.id);
        }
    }
}
