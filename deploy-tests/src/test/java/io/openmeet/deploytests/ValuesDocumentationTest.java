package io.openmeet.deploytests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** values.yaml documents every key with ## @param, and values.schema.json knows every key. */
class ValuesDocumentationTest {
  /** Free-form maps whose keys are the user's (labels, selectors, annotations, affinity). */
  private static final Pattern FREE_FORM =
      Pattern.compile(
          ".*(commonLabels|annotations|labels|NamespaceSelector|nodeSelector|affinity)$");

  @Test
  void everyKeyHasAParamLineAndEveryParamLineAKey() throws Exception {
    Path valuesFile = Repo.chart().resolve("values.yaml");
    JsonNode values = new YAMLMapper().readTree(valuesFile.toFile());
    Set<String> keys = new TreeSet<>();
    collectLeaves("", values, keys);

    Set<String> documented = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^## @param (\\S+) \\S").matcher(Files.readString(valuesFile));
    while (m.find()) {
      documented.add(m.group(1));
    }

    assertThat(documented).as("## @param lines").isEqualTo(keys);
  }

  @Test
  void theSchemaDescribesEveryKeyAndForbidsUnknownOnes() throws Exception {
    JsonNode values = new YAMLMapper().readTree(Repo.chart().resolve("values.yaml").toFile());
    JsonNode schema =
        new ObjectMapper().readTree(Repo.chart().resolve("values.schema.json").toFile());
    Set<String> keys = new TreeSet<>();
    collectLeaves("", values, keys);

    for (String key : keys) {
      JsonNode node = schema;
      for (String part : key.split("\\.")) {
        assertThat(
                node.path("additionalProperties").isBoolean()
                    && !node.path("additionalProperties").asBoolean())
            .as("schema forbids unknown keys next to " + key)
            .isTrue();
        node = node.path("properties").path(part);
        assertThat(node.isMissingNode()).as("schema entry for " + key).isFalse();
      }
      assertThat(node.path("description").asString()).as("description of " + key).isNotBlank();
    }
  }

  private static void collectLeaves(String prefix, JsonNode node, Set<String> out) {
    if (node.isObject() && !node.isEmpty() && !FREE_FORM.matcher(prefix).matches()) {
      for (var e : node.properties()) {
        collectLeaves(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
      }
    } else {
      out.add(prefix);
    }
  }
}
