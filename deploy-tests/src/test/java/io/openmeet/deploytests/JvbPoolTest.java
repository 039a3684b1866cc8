package io.openmeet.deploytests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The bridge pool: media port, health, graceful drain, stress scaling, per-bridge WebSockets. */
class JvbPoolTest {
  private static final Path PRODUCTION = Repo.chart().resolve("ci/production-values.yaml");
  private static final Path MINIMAL = Repo.chart().resolve("ci/minimal-values.yaml");

  @Test
  void bridgesUseTheOfficialImageAndOneUdpMediaPort() {
    RenderedChart chart = RenderedChart.render(PRODUCTION);
    Container jvb = container(chart, "jvb");

    // Jitsi's current image line (GHCR), pinned by digest; no CPU limit on a media server
    assertThat(jvb.getImage())
        .matches("ghcr\\.io/jitsi/jvb:stable-\\d+(-\\d+)?@sha256:[0-9a-f]{64}");
    assertThat(jvb.getResources().getLimits()).containsKey("memory").doesNotContainKey("cpu");
    ContainerPort media =
        jvb.getPorts().stream().filter(p -> p.getName().equals("media")).findFirst().orElseThrow();
    assertThat(media.getProtocol()).isEqualTo("UDP");
    assertThat(media.getContainerPort()).isEqualTo(10000);
  }

  @Test
  void hostNetworkModeUsesTheNodesAddressAndOneBridgePerNode() {
    PodSpec pod =
        ChartScenariosTest.jvb(RenderedChart.render(PRODUCTION)).getSpec().getTemplate().getSpec();

    assertThat(pod.getHostNetwork()).isTrue();
    assertThat(pod.getDnsPolicy()).isEqualTo("ClusterFirstWithHostNet");
    assertThat(
            pod.getAffinity()
                .getPodAntiAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution())
        .anyMatch(t -> t.getTopologyKey().equals("kubernetes.io/hostname"));
  }

  @Test
  void extraAffinityIsKeptButCannotDropOneBridgePerNode(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws Exception {
    Path values = tmp.resolve("affinity.yaml");
    java.nio.file.Files.writeString(
        values,
        """
        jvb:
          affinity:
            nodeAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
                nodeSelectorTerms:
                  - matchExpressions:
                      - key: node.kubernetes.io/instance-type
                        operator: In
                        values: [c6in.2xlarge]
            podAntiAffinity: {}
        """);

    var affinity =
        ChartScenariosTest.jvb(RenderedChart.render(values))
            .getSpec()
            .getTemplate()
            .getSpec()
            .getAffinity();

    assertThat(
            affinity
                .getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms())
        .hasSize(1);
    assertThat(affinity.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution())
        .anyMatch(t -> t.getTopologyKey().equals("kubernetes.io/hostname"));
  }

  @Test
  void hostPortModeGivesEachPodTheUdpPortOnItsNode() {
    RenderedChart chart = RenderedChart.render(MINIMAL);
    PodSpec pod = ChartScenariosTest.jvb(chart).getSpec().getTemplate().getSpec();
    ContainerPort media =
        container(chart, "jvb").getPorts().stream()
            .filter(p -> p.getName().equals("media"))
            .findFirst()
            .orElseThrow();

    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(media.getHostPort()).isEqualTo(10000);
  }

  @Test
  void probesAskTheBridgesHealthEndpointOnLocalhost() {
    Container jvb = container(RenderedChart.render(PRODUCTION), "jvb");

    for (var probe :
        new io.fabric8.kubernetes.api.model.Probe[] {
          jvb.getReadinessProbe(), jvb.getLivenessProbe(), jvb.getStartupProbe()
        }) {
      assertThat(probe.getExec().getCommand())
          .contains("curl")
          .anyMatch(arg -> arg.equals("http://127.0.0.1:8080/about/health"));
    }
  }

  @Test
  void preStopDrainsTheBridgeWithinTheGracePeriod() {
    RenderedChart chart = RenderedChart.render(PRODUCTION);
    StatefulSet sts = ChartScenariosTest.jvb(chart);
    Container jvb = container(chart, "jvb");
    String script = chart.configMapData(RenderedChart.name("jvb"), "graceful-shutdown.sh");

    assertThat(jvb.getLifecycle().getPreStop().getExec().getCommand())
        .containsExactly("/bin/bash", "/etc/openmeet/graceful-shutdown.sh");
    assertThat(script)
        .contains("/colibri/shutdown")
        .contains("graceful-shutdown")
        .contains("/colibri/stats")
        .contains("participants");
    assertThat(sts.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
        .isGreaterThanOrEqualTo(7200L);
  }

  @Test
  void thePoolScalesOnStressAndShrinksOneBridgeAtATime() {
    RenderedChart chart = RenderedChart.render(PRODUCTION);
    HorizontalPodAutoscaler hpa =
        chart.get(HorizontalPodAutoscaler.class, RenderedChart.name("jvb"));

    assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("StatefulSet");
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(3);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(8);
    assertThat(hpa.getSpec().getMetrics())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.getType()).isEqualTo("Pods");
              assertThat(m.getPods().getMetric().getName()).isEqualTo("jitsi_stress_level");
            });
    assertThat(hpa.getSpec().getBehavior().getScaleDown().getPolicies())
        .singleElement()
        .satisfies(p -> assertThat(p.getValue()).isEqualTo(1));
  }

  @Test
  void everyPossibleBridgeHasItsOwnWebSocketRoute() {
    RenderedChart chart = RenderedChart.render(PRODUCTION);
    Ingress ingress = chart.get(Ingress.class, RenderedChart.name("jvb") + "-websockets");

    var paths = ingress.getSpec().getRules().get(0).getHttp().getPaths();
    assertThat(paths).hasSize(8);
    for (int i = 0; i < 8; i++) {
      String bridge = RenderedChart.name("jvb") + "-" + i;
      assertThat(paths.get(i).getPath()).isEqualTo("/colibri-ws/" + bridge + "/");
      Service service = chart.get(Service.class, bridge);
      assertThat(service.getSpec().getSelector())
          .containsEntry("statefulset.kubernetes.io/pod-name", bridge);
    }
  }

  @Test
  void theBridgeGetsItsIdFromThePodNameAndItsPasswordFromTheSecret() {
    RenderedChart chart = RenderedChart.render(PRODUCTION);
    Container init =
        ChartScenariosTest.jvb(chart).getSpec().getTemplate().getSpec().getInitContainers().get(0);

    assertThat(init.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("POD_NAME");
              assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
            })
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("JVB_PASSWORD");
              assertThat(e.getValueFrom().getSecretKeyRef().getName())
                  .isEqualTo("openmeet-secrets");
              assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("jvb-password");
            });
  }

  @Test
  void hostPortOnEc2MapsThePodsAddressToTheInstancesPublicAddressAtStart() {
    RenderedChart chart =
        RenderedChart.render(Repo.chart().resolve("ci/external-databases-values.yaml"));
    Container init =
        ChartScenariosTest.jvb(chart).getSpec().getTemplate().getSpec().getInitContainers().get(0);

    assertThat(init.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("POD_IP");
              assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
            })
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("AWS_METADATA_MAPPING");
              assertThat(e.getValue()).isEqualTo("true");
            });
  }

  @Test
  void useNodeIpAdvertisesTheNodesAddress(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws Exception {
    Path values = tmp.resolve("node-ip.yaml");
    java.nio.file.Files.writeString(
        values,
        """
        jvb:
          networking:
            mode: hostPort
          publicAddress:
            useNodeIP: true
        """);
    Container init =
        ChartScenariosTest.jvb(RenderedChart.render(values))
            .getSpec()
            .getTemplate()
            .getSpec()
            .getInitContainers()
            .get(0);

    assertThat(init.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("NODE_IP");
              assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.hostIP");
            });
  }

  @Test
  void productionBridgesRequireAValidAddressToBeHealthy() {
    RenderedChart chart = RenderedChart.render(PRODUCTION);
    String template = chart.configMapData(RenderedChart.name("jvb"), "jvb.conf.template");

    assertThat(
            com.typesafe.config.ConfigFactory.parseString(
                    template.replace("${JVB_BRIDGE_ID}", "b").replace("${JVB_PASSWORD}", "p"))
                .getBoolean("videobridge.health.require-valid-address"))
        .isTrue();
  }

  @Test
  void kedaReplacesTheHpaAndAsksPrometheusForThePoolsStress() {
    RenderedChart chart =
        RenderedChart.render(Repo.chart().resolve("ci/sentinel-keda-values.yaml"));

    assertThat(chart.find(HorizontalPodAutoscaler.class, RenderedChart.name("jvb"))).isEmpty();
    var scaled = chart.generic("ScaledObject");
    assertThat(scaled).hasSize(1);
    assertThat(scaled.get(0).<String>get("spec", "scaleTargetRef", "name"))
        .isEqualTo(RenderedChart.name("jvb"));
    assertThat(scaled.get(0).<String>get("spec", "triggers", 0, "metadata", "query"))
        .isEqualTo("sum(jitsi_stress_level{namespace=\"meet\", pod=~\"openmeet-jvb-[0-9]+\"})");
    assertThat(scaled.get(0).<String>get("spec", "triggers", 0, "metadata", "threshold"))
        .isEqualTo("0.6");
    assertThat(
            scaled
                .get(0)
                .<Integer>get(
                    "spec",
                    "advanced",
                    "horizontalPodAutoscalerConfig",
                    "behavior",
                    "scaleDown",
                    "policies",
                    0,
                    "value"))
        .isEqualTo(1);
  }

  @Test
  void thePrometheusAdapterRulesServeTheMetricsTheHpasAskFor() throws Exception {
    RenderedChart chart = RenderedChart.render(PRODUCTION);
    String rules =
        chart.configMapData(
            RenderedChart.name("monitoring") + "-prometheus-adapter-rules", "rules.yaml");
    var parsed = new tools.jackson.dataformat.yaml.YAMLMapper().readTree(rules);
    java.util.Set<String> served = new java.util.TreeSet<>();
    parsed.forEach(r -> served.add(r.path("name").path("as").asString()));

    java.util.Set<String> asked = new java.util.TreeSet<>();
    for (HorizontalPodAutoscaler hpa : chart.all(HorizontalPodAutoscaler.class)) {
      hpa.getSpec().getMetrics().stream()
          .filter(m -> m.getType().equals("Pods"))
          .forEach(m -> asked.add(m.getPods().getMetric().getName()));
    }
    assertThat(asked).containsExactlyInAnyOrder("jitsi_stress_level", "webrtc_active_connections");
    assertThat(served).isEqualTo(asked);
    parsed.forEach(
        r ->
            assertThat(r.path("seriesQuery").asString())
                .startsWith(r.path("name").path("as").asString() + "{"));
  }

  static Container container(RenderedChart chart, String name) {
    return ChartScenariosTest.jvb(chart).getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
