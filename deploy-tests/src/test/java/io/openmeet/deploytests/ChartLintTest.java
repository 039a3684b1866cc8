package io.openmeet.deploytests;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

class ChartLintTest {
  @Test
  void theChartPassesHelmLintStrictly() {
    LintResult result = new Helm(Repo.chart()).lint().strict().call();

    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
  }

  /**
   * helm lint takes no values file here (helm-java 0.0.21), so each scenario is linted as a copy of
   * the chart whose values.yaml is the defaults with the scenario merged in, as helm -f would.
   */
  @ParameterizedTest
  @MethodSource("io.openmeet.deploytests.ChartScenariosTest#scenarios")
  void everyScenarioPassesHelmLintStrictly(Path values, @TempDir Path tmp) throws Exception {
    Path chart = tmp.resolve("openmeet");
    try (Stream<Path> files = Files.walk(Repo.chart())) {
      for (Path f : files.toList()) {
        Path target = chart.resolve(Repo.chart().relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
    YAMLMapper yaml = new YAMLMapper();
    JsonNode merged =
        merge(
            yaml.readTree(Repo.chart().resolve("values.yaml").toFile()),
            yaml.readTree(values.toFile()));
    yaml.writeValue(chart.resolve("values.yaml").toFile(), merged);

    LintResult result = new Helm(chart).lint().strict().call();

    assertThat(result.isFailed())
        .as(values + "\n" + String.join("\n", result.getMessages()))
        .isFalse();
  }

  @Test
  void lintFailsOnValuesTheSchemaRejects(@TempDir Path tmp) throws Exception {
    Path chart = tmp.resolve("openmeet");
    try (Stream<Path> files = Files.walk(Repo.chart())) {
      for (Path f : files.toList()) {
        Path target = chart.resolve(Repo.chart().relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
    Files.writeString(
        chart.resolve("values.yaml"),
        Files.readString(Repo.chart().resolve("values.yaml"))
            .replace(
                "  replicaCount: 2\n  containerPort: 8080",
                "  replicas: 2\n  containerPort: 8080"));

    LintResult result = new Helm(chart).lint().strict().call();

    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isTrue();
    assertThat(String.join("\n", result.getMessages())).contains("replicas");
  }

  /** helm's merge of a values file over the defaults: maps merge key by key, the rest replaces. */
  static JsonNode merge(JsonNode base, JsonNode over) {
    if (!(base instanceof ObjectNode b) || !over.isObject()) {
      return over;
    }
    ObjectNode result = b.deepCopy();
    for (var e : over.properties()) {
      JsonNode old = result.get(e.getKey());
      result.set(e.getKey(), old == null ? e.getValue() : merge(old, e.getValue()));
    }
    return result;
  }

  @Test
  void theChartsDefaultsRenderToValidObjects() {
    RenderedChart chart = RenderedChart.render(null);

    assertThat(RenderedChart.kinds(chart.objects))
        .contains(
            "Deployment",
            "StatefulSet",
            "Service",
            "Ingress",
            "HorizontalPodAutoscaler",
            "PodDisruptionBudget",
            "NetworkPolicy",
            "ConfigMap");
  }
}
