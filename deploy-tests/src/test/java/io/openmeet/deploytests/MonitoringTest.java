package io.openmeet.deploytests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Monitors, alert rules and dashboards rendered by the production-like scenario. */
class MonitoringTest {
  private static final Path PRODUCTION = Repo.chart().resolve("ci/production-values.yaml");

  @Test
  void roomApiAndBridgesAreScrapedByTheOperatorsSelector() {
    RenderedChart chart = RenderedChart.render(PRODUCTION);

    GenericKubernetesResource serviceMonitor = single(chart, "ServiceMonitor");
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
        .contains("webrtc_connection_attempts_total");
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
