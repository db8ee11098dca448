package org.b3lb.node.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.b3lb.node.testing.RunningNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * monitoring/: the alert rules pass promtool, the dashboard is JSON Grafana can import, and every
 * metric either of them queries is one a running service really exports (a renamed meter would
 * otherwise leave an alert that can never fire and a blank panel).
 */
class MonitoringPackTest {

    static final Path RULES = Path.of("monitoring", "prometheus", "b3lb-node.rules.yml");
    static final Path DASHBOARD = Path.of("monitoring", "grafana", "b3lb-node.dashboard.json");
    /** Series Prometheus makes itself, not the service. */
    static final Set<String> SYNTHETIC = Set.of("up");
    static final Set<String> PROMQL_WORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
            "group_left", "group_right", "bool", "offset", "inf", "nan");

    @TempDir
    static Path dir;

    static RunningNode node;
    static Set<String> exported;

    @BeforeAll
    static void start() throws Exception {
        node = RunningNode.builder(dir.resolve("archived")).start();
        exported = node.management("/observe/metrics").body().lines()
                .filter(l -> !l.startsWith("#") && !l.isBlank())
                .map(l -> l.split("[{ ]", 2)[0])
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        Path promtool = Tools.require("promtool");
        Tools.Result r = Tools.run(promtool.toString(), "check", "rules", RULES.toString());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("SUCCESS: 8 rules found");
    }

    @Test
    void theDashboardIsGrafanaJsonWithAQueryPerPanel() throws Exception {
        JsonObject d = (JsonObject) Jsoner.deserialize(Files.readString(DASHBOARD));
        assertThat(d.getString("title")).isEqualTo("b3lb-node");
        JsonArray panels = (JsonArray) d.get("panels");
        assertThat(panels).hasSize(7);
        for (Object p : panels) {
            JsonArray targets = (JsonArray) ((JsonObject) p).get("targets");
            assertThat(targets).as(((JsonObject) p).getString("title")).isNotEmpty();
        }
        assertThat(dashboardExpressions()).anyMatch(e -> e.contains("b3lb_load_percent"))
                .anyMatch(e -> e.contains("b3lb_pending_recordings")).anyMatch(e -> e.contains("b3lb_pending_oldest_age_seconds"))
                .anyMatch(e -> e.contains("b3lb_uploads_total")).anyMatch(e -> e.contains("b3lb_upload_bytes_total"))
                .anyMatch(e -> e.contains("b3lb_cleanup_freed_bytes_total")).anyMatch(e -> e.contains("jvm_memory_used_bytes"));
    }

    @Test
    void everyMetricTheRulesAndTheDashboardUseIsExported() throws Exception {
        List<String> expressions = new ArrayList<>(ruleExpressions());
        expressions.addAll(dashboardExpressions());
        assertThat(ruleExpressions()).hasSize(8);
        Set<String> used = new TreeSet<>();
        expressions.forEach(e -> used.addAll(metricNames(e)));
        assertThat(used).contains("b3lb_uploads_total", "b3lb_pending_oldest_age_seconds", "b3lb_disk_free_bytes",
                "b3lb_cleanup_last_pass_timestamp_seconds", "b3lb_unmarked_recordings", "jvm_memory_used_bytes", "up");
        used.removeAll(SYNTHETIC);
        assertThat(exported).as("exported by /observe/metrics").containsAll(used);
    }

    @Test
    void theNameExtractionFindsMetricsOnly() {
        assertThat(metricNames("sum by (outcome) (rate(b3lb_uploads_total{instance=~\"$instance\", a=\"b\"}[5m])) > 6 * 3600"
                + " and on (instance, job) process_uptime_seconds > 0 or up{job=\"x\"} == 0"))
                .containsExactlyInAnyOrder("b3lb_uploads_total", "process_uptime_seconds", "up");
    }

    static List<String> ruleExpressions() throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(RULES)) {
            String t = line.trim();
            if (t.startsWith("expr:")) {
                out.add(t.substring("expr:".length()).trim());
            }
        }
        return out;
    }

    static List<String> dashboardExpressions() throws Exception {
        JsonObject d = (JsonObject) Jsoner.deserialize(Files.readString(DASHBOARD));
        List<String> out = new ArrayList<>();
        for (Object p : (JsonArray) d.get("panels")) {
            for (Object t : (JsonArray) ((JsonObject) p).get("targets")) {
                out.add(((JsonObject) t).getString("expr"));
            }
        }
        return out;
    }

    /** Identifiers of a PromQL expression that name series: not functions, keywords, labels, durations or strings. */
    static Set<String> metricNames(String expr) {
        String e = expr.replaceAll("\"[^\"]*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\b([a-zA-Z_:][a-zA-Z0-9_:]*)\\b(\\s*\\()?").matcher(e);
        while (m.find()) {
            if (m.group(2) == null && !PROMQL_WORDS.contains(m.group(1).toLowerCase())) {
                names.add(m.group(1));
            }
        }
        return names;
    }
}
