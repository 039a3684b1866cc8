package io.openmeet.deploytests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every ci/*-values.yaml scenario renders, parses strictly and holds together. */
class ChartScenariosTest {
  private static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";

  static Stream<Path> scenarios() throws IOException {
    try (Stream<Path> files = Files.list(Repo.chart().resolve("ci"))) {
      List<Path> list =
          files.filter(p -> p.getFileName().toString().endsWith("-values.yaml")).sorted().toList();
      assertThat(list).as("ci/*-values.yaml scenarios").hasSizeGreaterThanOrEqualTo(3);
      return list.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void everyContainerIsNonRootReadOnlyWithResourcesAndProbes(Path values) {
    RenderedChart chart = RenderedChart.render(values);

    assertThat(chart.podTemplates()).isNotEmpty();
    chart
        .podTemplates()
        .forEach(
            (workload, template) -> {
              PodSpec pod = template.getSpec();
              assertThat(pod.getSecurityContext().getRunAsNonRoot()).as(workload).isTrue();
              assertThat(pod.getSecurityContext().getRunAsUser()).as(workload).isPositive();
              assertThat(pod.getAutomountServiceAccountToken()).as(workload).isFalse();
              Stream.concat(pod.getContainers().stream(), pod.getInitContainers().stream())
                  .forEach(
                      c -> {
                        String where = workload + "/" + c.getName();
                        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem())
                            .as(where)
                            .isTrue();
                        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation())
                            .as(where)
                            .isFalse();
                        assertThat(c.getSecurityContext().getCapabilities().getDrop())
                            .as(where)
                            .contains("ALL");
                        assertThat(c.getResources().getRequests())
                            .as(where)
                            .containsKeys("cpu", "memory");
                        // the bridge gets no CPU limit: throttling a media server breaks calls
                        assertThat(c.getResources().getLimits())
                            .as(where)
                            .containsKeys(
                                where.equals(RenderedChart.name("jvb") + "/jvb")
                                    ? new String[] {"memory"}
                                    : new String[] {"cpu", "memory"});
                        assertThat(c.getImage()).as(where).doesNotEndWith(":latest").contains(":");
                      });
              for (Container c : pod.getContainers()) {
                assertThat(c.getReadinessProbe()).as(workload + "/" + c.getName()).isNotNull();
              }
            });
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void servicesSelectPodsAndTargetPortsTheyExpose(Path values) {
    RenderedChart chart = RenderedChart.render(values);
    Map<String, PodTemplateSpec> templates = chart.podTemplates();

    for (Service service : chart.all(Service.class)) {
      Map<String, String> selector = new HashMap<>(service.getSpec().getSelector());
      selector.remove(POD_NAME_LABEL); // set by the StatefulSet controller on each pod
      List<PodTemplateSpec> matched =
          templates.values().stream()
              .filter(t -> RenderedChart.selects(selector, t.getMetadata().getLabels()))
              .toList();
      assertThat(matched).as("pods selected by Service " + name(service)).hasSize(1);
      Set<String> portNames = portNames(matched.get(0));
      for (ServicePort port : service.getSpec().getPorts()) {
        assertThat(portNames)
            .as("Service " + name(service) + " targetPort")
            .contains(port.getTargetPort().getStrVal());
      }
    }
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void autoscalersBudgetsPoliciesAndIngressesPointAtObjectsThatExist(Path values) {
    RenderedChart chart = RenderedChart.render(values);
    Map<String, PodTemplateSpec> templates = chart.podTemplates();

    for (HorizontalPodAutoscaler hpa : chart.all(HorizontalPodAutoscaler.class)) {
      var target = hpa.getSpec().getScaleTargetRef();
      assertThat(templates).as("HPA " + name(hpa)).containsKey(target.getName());
      assertThat(target.getKind()).isIn("Deployment", "StatefulSet");
      assertThat(hpa.getSpec().getMaxReplicas())
          .isGreaterThanOrEqualTo(hpa.getSpec().getMinReplicas());
    }
    for (PodDisruptionBudget pdb : chart.all(PodDisruptionBudget.class)) {
      assertThat(matching(templates, pdb.getSpec().getSelector().getMatchLabels()))
          .as("PDB " + name(pdb))
          .isEqualTo(1);
    }
    for (NetworkPolicy policy : chart.all(NetworkPolicy.class)) {
      assertThat(matching(templates, policy.getSpec().getPodSelector().getMatchLabels()))
          .as("NetworkPolicy " + name(policy))
          .isEqualTo(1);
    }
    for (Ingress ingress : chart.all(Ingress.class)) {
      for (var rule : ingress.getSpec().getRules()) {
        for (var path : rule.getHttp().getPaths()) {
          IngressBackend backend = path.getBackend();
          Service service = chart.get(Service.class, backend.getService().getName());
          assertThat(service.getSpec().getPorts())
              .as("Ingress " + name(ingress) + " " + path.getPath())
              .anyMatch(p -> p.getName().equals(backend.getService().getPort().getName()));
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void podsRollWhenTheirConfigurationOrSecretsChange(Path values) {
    RenderedChart chart = RenderedChart.render(values);

    for (String workload : List.of("room-api", "prosody", "jvb")) {
      Map<String, String> annotations =
          chart.podTemplates().get(RenderedChart.name(workload)).getMetadata().getAnnotations();
      assertThat(annotations)
          .as(workload)
          .containsKeys("checksum/config", "checksum/secrets")
          .allSatisfy(
              (k, v) -> {
                if (k.startsWith("checksum/")) {
                  assertThat(v).matches("[0-9a-f]{64}");
                }
              });
    }
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void noConfigMapCarriesAPassword(Path values) {
    RenderedChart chart = RenderedChart.render(values);
    Map<String, String> secretValues = new HashMap<>();
    chart.all(Secret.class).forEach(s -> secretValues.putAll(s.getData()));

    for (ConfigMap cm : chart.all(ConfigMap.class)) {
      String text = String.join("\n", cm.getData().values());
      for (var secret : secretValues.entrySet()) {
        String plain = new String(java.util.Base64.getDecoder().decode(secret.getValue()));
        assertThat(text)
            .as("ConfigMap " + name(cm) + " vs " + secret.getKey())
            .doesNotContain(plain);
      }
      // Templates keep the password as a placeholder the pod fills from the Secret at start.
      assertThat(text).doesNotContainPattern("password = \"(?!\\$\\{JVB_PASSWORD\\})");
    }
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void roomApiGetsEveryVariableTheLocalScriptsExport(Path values) {
    RenderedChart chart = RenderedChart.render(values);
    Deployment api = chart.get(Deployment.class, RenderedChart.name("room-api"));
    Container c = api.getSpec().getTemplate().getSpec().getContainers().get(0);
    ConfigMap cm = chart.get(ConfigMap.class, c.getEnvFrom().get(0).getConfigMapRef().getName());
    Set<String> names = new java.util.HashSet<>(cm.getData().keySet());
    c.getEnv().forEach(e -> names.add(e.getName()));

    assertThat(names)
        .contains(
            "DB_URL",
            "DB_USER",
            "DB_PASSWORD",
            "XMPP_HOST",
            "XMPP_PORT",
            "XMPP_AUTH_DOMAIN",
            "XMPP_INTERNAL_MUC",
            "XMPP_CONFERENCE_MUC",
            "BREWERY_ROOM",
            "FOCUS_USER",
            "FOCUS_PASSWORD",
            "JWT_PRIVATE_KEY_FILE",
            "JWT_PUBLIC_KEY_FILE",
            "QUARKUS_HTTP_HOST",
            "OPENMEET_PUBLIC_URL",
            "OPENMEET_ROOMS_DEFAULT_REGION");
    assertThat(cm.getData().get("DB_URL")).startsWith("jdbc:postgresql://");
    if ("sentinel".equals(cm.getData().get("REDIS_MODE"))) {
      assertThat(cm.getData().get("REDIS_SENTINEL_ADDRESSES")).matches("rediss?://.+");
      assertThat(cm.getData()).containsKey("REDIS_SENTINEL_MASTER").doesNotContainKey("REDIS_URL");
    } else {
      assertThat(cm.getData().get("REDIS_URL")).matches("rediss?://.+");
    }
    // the image binds 0.0.0.0 too, but the chart must not depend on that
    assertThat(cm.getData().get("QUARKUS_HTTP_HOST")).isEqualTo("0.0.0.0");
    // TURN URIs and the secret that signs their credentials come together or not at all
    assertThat(names.contains("TURN_SECRET")).isEqualTo(!cm.getData().get("TURN_URIS").isEmpty());
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void theNodeLinkKeyStoreIsWhereRoomApiIsToldItIs(Path values) {
    RenderedChart chart = RenderedChart.render(values);
    PodSpec pod =
        chart
            .get(Deployment.class, RenderedChart.name("room-api"))
            .getSpec()
            .getTemplate()
            .getSpec();
    Container c = pod.getContainers().get(0);
    var keyStore =
        c.getEnv().stream()
            .filter(e -> e.getName().equals("OPENMEET_FOCUS_NODE_LINK_TLS_KEY_STORE"))
            .findFirst();
    if (keyStore.isEmpty()) {
      // plain link: no password either, no volume for it
      assertThat(c.getEnv()).noneMatch(e -> e.getName().startsWith("OPENMEET_FOCUS_NODE_LINK_TLS"));
      return;
    }
    String file = keyStore.get().getValue();
    var mount =
        c.getVolumeMounts().stream()
            .filter(m -> file.startsWith(m.getMountPath() + "/"))
            .findFirst()
            .orElseThrow(() -> new AssertionError(file + " is on no volume of room-api"));
    var volume =
        pod.getVolumes().stream()
            .filter(v -> v.getName().equals(mount.getName()))
            .findFirst()
            .orElseThrow();
    String secret = volume.getSecret().getSecretName();
    var password =
        c.getEnv().stream()
            .filter(e -> e.getName().equals("OPENMEET_FOCUS_NODE_LINK_TLS_KEY_STORE_PASSWORD"))
            .findFirst()
            .orElseThrow();
    assertThat(password.getValueFrom().getSecretKeyRef().getName()).isEqualTo(secret);
    assertThat(file).isEqualTo(mount.getMountPath() + "/keystore.p12");
  }

  private static long matching(
      Map<String, PodTemplateSpec> templates, Map<String, String> selector) {
    return templates.values().stream()
        .filter(t -> RenderedChart.selects(selector, t.getMetadata().getLabels()))
        .count();
  }

  private static Set<String> portNames(PodTemplateSpec template) {
    return template.getSpec().getContainers().stream()
        .flatMap(c -> c.getPorts().stream())
        .map(ContainerPort::getName)
        .collect(java.util.stream.Collectors.toSet());
  }

  private static String name(HasMetadata o) {
    return o.getMetadata().getName();
  }

  static StatefulSet jvb(RenderedChart chart) {
    return chart.get(StatefulSet.class, RenderedChart.name("jvb"));
  }
}
