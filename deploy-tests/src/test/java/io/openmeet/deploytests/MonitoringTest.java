package io.openmeet.deploytests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Monitors, alert rules and dashboards rendered by the production-like scenario. */
class MonitoringTest {
  private static final Path PRODUCTION = Repo.chart().resolve("ci/production-values.yaml");

  @Test
  void roomApiAndBridgesAreScrapedByTheOperatorsSelector() {
    RenderedChart chart = RenderedChart.render(PRODUCTION);

    GenericKubernetesResource serviceMonitor =
        chart.generic("ServiceMonitor").stream()
            .filter(m -> m.getMetadata().getName().equals(RenderedChart.name("room-api")))
            .findFirst()
            .orElseThrow();
    GenericKubernetesResource podMonitor = single(chart, "PodMonitor");

    assertThat(serviceMonitor.getMetadata().getLabels())
        .containsEntry("release", "kube-prometheus-stack");
    assertThat(serviceMonitor.<String>get("spec", "endpoints", 0, "path")).isEqualTo("/q/metrics");
    assertThat(serviceMonitor.<String>get("spec", "endpoints", 0, "port")).isEqualTo("http");
    assertThat(podMonitor.<String>get("spec", "podMetricsEndpoints", 0, "port"))
        .isEqualTo("metrics");
    assertThat(JvbPoolTest.container(chart, "metrics-exporter").getPorts())
        .anyMatch(p -> p.getName().equals("metrics"));
  }

  @Test
  void theAlertsTheSeedAsksForExistWithTheirThresholds() {
    RenderedChart chart = RenderedChart.render(PRODUCTION);
    GenericKubernetesResource rule = single(chart, "PrometheusRule");
    List<Map<String, Object>> groups = rule.get("spec", "groups");
    Map<String, String> exprByAlert = new java.util.HashMap<>();
    Map<String, String> forByAlert = new java.util.HashMap<>();
    for (Map<String, Object> group : groups) {
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> rules = (List<Map<String, Object>>) group.get("rules");
      for (Map<String, Object> r : rules) {
        exprByAlert.put((String) r.get("alert"), (String) r.get("expr"));
        forByAlert.put((String) r.get("alert"), (String) r.get("for"));
      }
    }

    assertThat(exprByAlert.get("OpenmeetBridgeStressHigh"))
        .contains("jitsi_stress_level")
        .contains("> 0.8");
    assertThat(forByAlert.get("OpenmeetBridgeStressHigh")).isEqualTo("5m");
    assertThat(exprByAlert.get("OpenmeetBridgeCpuHigh"))
        .contains("container_cpu_usage_seconds_total")
        .contains("> 0.85");
    assertThat(forByAlert.get("OpenmeetBridgeCpuHigh")).isEqualTo("5m");
    assertThat(exprByAlert.get("OpenmeetSignallingPodRestarts"))
        .contains("kube_pod_container_status_restarts_total");
    assertThat(exprByAlert.get("OpenmeetRedisMemoryHigh"))
        .contains("redis_memory_used_bytes")
        .contains("> 0.9");
    assertThat(exprByAlert.get("OpenmeetDatabasePoolExhausted")).contains("agroal_awaiting_count");
    assertThat(exprByAlert.get("OpenmeetNoHealthyBridge")).contains("bridge_healthy");
    assertThat(exprByAlert.get("OpenmeetJoinFailuresHigh"))
        .contains("room_join_failures_total")
        .contains("signaling_latency_ms_count")
        .contains("> 0.1");
    assertThat(exprByAlert.get("OpenmeetBridgePodsPending")).contains("phase=\"Pending\"");
    assertThat(forByAlert.get("OpenmeetBridgePodsPending")).isEqualTo("10m");
    assertThat(exprByAlert.get("OpenmeetProsodyDown"))
        .contains("kube_statefulset_status_replicas_ready")
        .contains("statefulset=\"openmeet-prosody\"");
    // no CPU limit on bridges by default: their CPU is measured against the node
    assertThat(exprByAlert.get("OpenmeetBridgeCpuHigh"))
        .contains("kube_node_status_allocatable")
        .doesNotContain("kube_pod_container_resource_limits");
    assertThat(exprByAlert.get("OpenmeetWebrtcFailuresHigh"))
        .contains("webrtc_connection_attempts_total")
        .contains("outcome=\"failed\"")
        .contains("> 0.05");
  }

  @Test
  void dashboardsAreValidJsonAndChartTheSeedsMetrics() {
    RenderedChart chart = RenderedChart.render(PRODUCTION);
    List<ConfigMap> dashboards =
        chart.all(ConfigMap.class).stream()
            .filter(cm -> "1".equals(cm.getMetadata().getLabels().get("grafana_dashboard")))
            .toList();
    assertThat(dashboards).hasSize(2);

    StringBuilder allExpressions = new StringBuilder();
    ObjectMapper json = new ObjectMapper();
    for (ConfigMap cm : dashboards) {
      for (String text : cm.getData().values()) {
        JsonNode dashboard = json.readTree(text);
        assertThat(dashboard.path("uid").asString()).startsWith("openmeet-");
        assertThat(dashboard.path("panels").size()).isPositive();
        for (JsonNode panel : dashboard.path("panels")) {
          assertThat(panel.path("targets").size()).as(panel.path("title").asString()).isPositive();
          panel
              .path("targets")
              .forEach(t -> allExpressions.append(t.path("expr").asString()).append('\n'));
        }
      }
    }
    assertThat(allExpressions.toString())
        .contains("room_participant_count")
        .contains("webrtc_active_connections")
        .contains("signaling_latency_ms_bucket")
        .contains("bridge_stress_level")
        .contains("bridge_participants")
        .contains("redis_command_duration_ms_bucket")
        .contains("db_query_duration_ms_bucket")
        .contains("webrtc_connection_attempts_total");
  }

  @Test
  void everyOpenmeetMetricTheDashboardsAndAlertsQueryIsInTheDeploymentGuidesTable()
      throws Exception {
    RenderedChart chart = RenderedChart.render(PRODUCTION);
    Set<String> queried = new TreeSet<>();
    ObjectMapper json = new ObjectMapper();
    for (ConfigMap cm : chart.all(ConfigMap.class)) {
      if ("1".equals(cm.getMetadata().getLabels().get("grafana_dashboard"))) {
        for (String text : cm.getData().values()) {
          for (JsonNode panel : json.readTree(text).path("panels")) {
            panel
                .path("targets")
                .forEach(t -> queried.addAll(metricNames(t.path("expr").asString())));
          }
        }
      }
    }
    List<Map<String, Object>> groups = single(chart, "PrometheusRule").get("spec", "groups");
    for (Map<String, Object> group : groups) {
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> rules = (List<Map<String, Object>>) group.get("rules");
      rules.forEach(r -> queried.addAll(metricNames((String) r.get("expr"))));
    }
    Set<String> ours = new TreeSet<>();
    for (String name : queried) {
      if (EXTERNAL_PREFIXES.stream().noneMatch(name::startsWith)) {
        ours.add(name);
      }
    }
    // a guard against a parser that finds nothing
    assertThat(ours).contains("bridge_stress_level", "redis_command_duration_ms_bucket");
    assertThat(queried).contains("jitsi_stress_level", "kube_pod_container_status_restarts_total");

    Map<String, String> documented = documentedMetrics();
    List<String> undocumented =
        ours.stream()
            .filter(
                name -> {
                  if (documented.containsKey(name)) {
                    return false;
                  }
                  // a histogram's series: <name>_bucket, _count, _sum
                  String base = name.replaceAll("_(bucket|count|sum)$", "");
                  return !"histogram".equals(documented.get(base));
                })
            .toList();
    assertThat(undocumented)
        .as("queried by the chart but missing from docs/DEPLOYMENT.md's metrics table")
        .isEmpty();
  }

  @Test
  void metricNamesAreReadFromPromQl() {
    assertThat(
            metricNames(
                "histogram_quantile(0.95, sum by (le) (rate(db_query_duration_ms_bucket[5m])))"))
        .containsExactly("db_query_duration_ms_bucket");
    assertThat(
            metricNames(
                "sum(rate(webrtc_connection_attempts_total{namespace=\"meet\", outcome=\"failed\"}[10m]))"
                    + " / sum(rate(webrtc_connection_attempts_total[10m])) > 0.05"))
        .containsExactly("webrtc_connection_attempts_total");
    assertThat(metricNames("max by (pod) (redis_memory_used_bytes / redis_memory_max_bytes) > 0.9"))
        .containsExactlyInAnyOrder("redis_memory_used_bytes", "redis_memory_max_bytes");
    assertThat(
            metricNames(
                "sum by (pod) (rate(a_total[5m])) / on (pod) group_left max by (pod) (kube_pod_info"
                    + " * on (node) group_left max by (node) (kube_node_status_allocatable))"))
        .containsExactly("a_total", "kube_pod_info", "kube_node_status_allocatable");
  }

  /**
   * Exporters and platforms outside openmeet: Kubernetes (kube-state-metrics, cAdvisor), Agroal's
   * pool metrics are ours only through Quarkus and are documented anyway, JVB's exporter, Redis's.
   */
  private static final List<String> EXTERNAL_PREFIXES =
      List.of("kube_", "container_", "jitsi_", "redis_memory_");

  private static final Set<String> PROMQL_WORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "bool",
          "offset",
          "inf",
          "nan",
          "group_left",
          "group_right",
          "on",
          "ignoring");

  /** Metric names in a PromQL expression: identifiers that are not functions, labels or words. */
  static Set<String> metricNames(String promql) {
    String s =
        promql
            .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
            .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
            .replaceAll("\\[[^\\]]*\\]", " ");
    Matcher m = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\(|=~|!=|!~|=)?").matcher(s);
    Set<String> names = new LinkedHashSet<>();
    while (m.find()) {
      String word = m.group(1);
      if (m.group(2) == null && !PROMQL_WORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
        names.add(word);
      }
    }
    return names;
  }

  /**
   * Name to type of the rows of the metrics table in docs/DEPLOYMENT.md ("| `name` | type | labels
   * | meaning |"); system-tests' MetricsFlowTest checks that room-api exports each of them.
   */
  private static Map<String, String> documentedMetrics() throws java.io.IOException {
    String doc = Files.readString(Repo.root().resolve("docs/DEPLOYMENT.md"));
    Matcher row =
        Pattern.compile("(?m)^\\| `([a-z_]+)` \\| (gauge|counter|histogram) \\|").matcher(doc);
    Map<String, String> names = new java.util.TreeMap<>();
    while (row.find()) {
      names.put(row.group(1), row.group(2));
    }
    return names;
  }

  @Test
  void everyMetricTheChartQueriesIsExportedBySomethingTheReleaseDeploysOrRequires()
      throws Exception {
    Map<String, String> exporterOf = new java.util.TreeMap<>();
    for (String line :
        Files.readAllLines(Repo.deployTests().resolve("src/test/resources/exporter-metrics.txt"))) {
      String[] parts = line.trim().split("\\s+");
      if (parts.length == 2 && !line.startsWith("#")) {
        exporterOf.put(parts[1], parts[0]);
      }
    }
    Map<String, String> documented = documentedMetrics();
    for (Path values : List.of(PRODUCTION, Repo.chart().resolve("ci/sentinel-keda-values.yaml"))) {
      RenderedChart chart = RenderedChart.render(values);
      Set<String> queried = queriedMetrics(chart);
      assertThat(queried).as("queries in " + values).isNotEmpty();
      for (String metric : queried) {
        String base = metric.replaceAll("_(bucket|count|sum)$", "");
        if (documented.containsKey(metric) || "histogram".equals(documented.get(base))) {
          continue; // room-api's own: system-tests' MetricsFlowTest checks it is exported
        }
        String exporter = exporterOf.get(metric);
        assertThat(exporter)
            .as(metric + " (queried in " + values.getFileName() + ") is exported by nothing known")
            .isNotNull();
        switch (exporter) {
          case "jitsi-exporter" ->
              assertThat(JvbPoolTest.container(chart, "metrics-exporter").getImage())
                  .as(metric)
                  .contains("prometheus-jitsi-meet-exporter");
          case "redis-exporter" ->
              assertThat(
                      chart.find(
                          io.fabric8.kubernetes.api.model.apps.Deployment.class,
                          RenderedChart.name("redis-exporter")))
                  .as(metric + " needs the chart's redis_exporter")
                  .isPresent();
          default -> {
            // kube-state-metrics and cAdvisor: prerequisites named in docs/DEPLOYMENT.md
          }
        }
      }
    }
  }

  @Test
  void withoutARedisExporterNoRuleQueriesRedisMemory() {
    RenderedChart chart =
        RenderedChart.render(Repo.chart().resolve("ci/sentinel-keda-values.yaml"));

    assertThat(queriedMetrics(chart)).isNotEmpty().noneMatch(m -> m.startsWith("redis_memory_"));
  }

  private static Set<String> queriedMetrics(RenderedChart chart) {
    Set<String> queried = new TreeSet<>();
    ObjectMapper json = new ObjectMapper();
    for (ConfigMap cm : chart.all(ConfigMap.class)) {
      if ("1".equals(cm.getMetadata().getLabels().get("grafana_dashboard"))) {
        for (String text : cm.getData().values()) {
          for (JsonNode panel : json.readTree(text).path("panels")) {
            panel
                .path("targets")
                .forEach(t -> queried.addAll(metricNames(t.path("expr").asString())));
          }
        }
      }
    }
    for (GenericKubernetesResource rule : chart.generic("PrometheusRule")) {
      List<Map<String, Object>> groups = rule.get("spec", "groups");
      for (Map<String, Object> group : groups) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rules = (List<Map<String, Object>>) group.get("rules");
        rules.forEach(r -> queried.addAll(metricNames((String) r.get("expr"))));
      }
    }
    return queried;
  }

  @Test
  void monitoringIsOffByDefaultSoClustersWithoutTheOperatorInstallCleanly() {
    RenderedChart chart = RenderedChart.render(null);

    assertThat(chart.generic("ServiceMonitor")).isEmpty();
    assertThat(chart.generic("PrometheusRule")).isEmpty();
  }

  private static GenericKubernetesResource single(RenderedChart chart, String kind) {
    List<GenericKubernetesResource> found = chart.generic(kind);
    assertThat(found).as(kind).hasSize(1);
    return found.get(0);
  }
}
