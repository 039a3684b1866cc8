package io.openmeet.deploytests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * What terraform validate would catch without providers: every variable declared, typed, described
 * and used; every reference to a variable, local, resource, data source or module output resolves;
 * module calls pass exactly what the called module declares; templatefile() gets its placeholders.
 */
class TerraformModulesTest {
  private static final Set<String> MODULE_META =
      Set.of("source", "providers", "count", "for_each", "depends_on", "version");
  private static final Pattern VAR = Pattern.compile("(?<![\\w.])var\\.([A-Za-z_][\\w-]*)");
  private static final Pattern LOCAL = Pattern.compile("(?<![\\w.])local\\.([A-Za-z_][\\w-]*)");
  private static final Pattern MODULE_OUTPUT =
      Pattern.compile("(?<![\\w.])module\\.([A-Za-z_][\\w-]*)\\.([A-Za-z_][\\w-]*)");
  private static final Pattern RESOURCE =
      Pattern.compile("(?<![\\w.])(aws_[a-z0-9_]+)\\.([A-Za-z_][\\w-]*)");
  private static final Pattern DATA =
      Pattern.compile("(?<![\\w.])data\\.(aws_[a-z0-9_]+)\\.([A-Za-z_][\\w-]*)");

  @Test
  void everyVariableIsTypedDescribedAndUsedAndEveryUseIsDeclared() {
    List<String> problems = new ArrayList<>();
    for (Path dir : TerraformFiles.moduleDirs()) {
      Module m = Module.of(dir);
      m.variables.forEach(
          (name, body) -> {
            if (!body.has("type")) {
              problems.add(m.name + ": variable " + name + " has no type");
            }
            if (body.path("description").asString("").isBlank()) {
              problems.add(m.name + ": variable " + name + " has no description");
            }
          });
      Set<String> used = m.references(VAR, 1);
      for (String v : used) {
        if (!m.variables.containsKey(v)) {
          problems.add(m.name + ": var." + v + " is used but not declared");
        }
      }
      for (String v : m.variables.keySet()) {
        if (!used.contains(v)) {
          problems.add(m.name + ": variable " + v + " is declared but never used");
        }
      }
      Set<String> usedLocals = m.references(LOCAL, 1);
      for (String l : usedLocals) {
        if (!m.locals.contains(l)) {
          problems.add(m.name + ": local." + l + " is used but not defined");
        }
      }
      for (String l : m.locals) {
        if (!usedLocals.contains(l)) {
          problems.add(m.name + ": local " + l + " is defined but never used");
        }
      }
      m.outputs.forEach(
          (name, body) -> {
            if (body.path("description").asString("").isBlank()) {
              problems.add(m.name + ": output " + name + " has no description");
            }
          });
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void resourceAndDataReferencesPointAtDeclaredBlocks() {
    List<String> problems = new ArrayList<>();
    for (Path dir : TerraformFiles.moduleDirs()) {
      Module m = Module.of(dir);
      for (String ref : m.referencePairs(RESOURCE)) {
        if (!m.resources.contains(ref) && !m.dataRefsText().contains("data." + ref)) {
          problems.add(m.name + ": " + ref + " is not a resource of this module");
        }
      }
      for (String ref : m.referencePairs(DATA)) {
        if (!m.dataSources.contains(ref)) {
          problems.add(m.name + ": data." + ref + " is not declared");
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void moduleCallsPassWhatTheCalledModuleDeclaresAndReadOnlyItsOutputs() {
    List<String> problems = new ArrayList<>();
    int calls = 0;
    for (Path dir : TerraformFiles.moduleDirs()) {
      Module m = Module.of(dir);
      for (var call : m.moduleCalls.entrySet()) {
        calls++;
        String source = call.getValue().path("source").asString();
        Path target = dir.resolve(source).normalize();
        if (!Files.isDirectory(target)) {
          problems.add(m.name + ": module " + call.getKey() + " source " + source + " is missing");
          continue;
        }
        Module callee = Module.of(target);
        Set<String> passed = new TreeSet<>();
        call.getValue().properties().forEach(e -> passed.add(e.getKey()));
        passed.removeAll(MODULE_META);
        for (String arg : passed) {
          if (!callee.variables.containsKey(arg)) {
            problems.add(m.name + ": module " + call.getKey() + " passes unknown " + arg);
          }
        }
        callee.variables.forEach(
            (name, body) -> {
              if (!body.has("default") && !passed.contains(name)) {
                problems.add(m.name + ": module " + call.getKey() + " misses required " + name);
              }
            });
      }
      Matcher refs = MODULE_OUTPUT.matcher(m.expressions());
      while (refs.find()) {
        JsonNode call = m.moduleCalls.get(refs.group(1));
        if (call == null) {
          problems.add(m.name + ": module." + refs.group(1) + " is not called here");
          continue;
        }
        Module callee = Module.of(dir.resolve(call.path("source").asString()).normalize());
        if (!callee.outputs.containsKey(refs.group(2))) {
          problems.add(
              m.name + ": module." + refs.group(1) + "." + refs.group(2) + " is not an output");
        }
      }
    }
    assertThat(calls).as("module calls checked").isGreaterThanOrEqualTo(7);
    assertThat(problems).isEmpty();
  }

  @Test
  void theHelmValuesTemplateGetsExactlyItsPlaceholders() throws Exception {
    Path region = Repo.terraform().resolve("modules/region");
    String template = Files.readString(region.resolve("helm-values.yaml.tftpl"));
    Set<String> placeholders = new TreeSet<>();
    Matcher m = Pattern.compile("\\$\\{([a-z_]+)\\}").matcher(template);
    while (m.find()) {
      placeholders.add(m.group(1));
    }
    String expression = Module.of(region).outputs.get("helm_values").path("value").asString();
    Matcher call =
        Pattern.compile(
                "templatefile\\(\"\\$\\{path\\.module\\}/helm-values\\.yaml\\.tftpl\", \\{(.*)\\}\\)",
                Pattern.DOTALL)
            .matcher(expression);
    assertThat(call.find()).as(expression).isTrue();
    Set<String> passed = new TreeSet<>();
    Matcher keys =
        Pattern.compile("(?m)^\\s*([a-z_]+)\\s*=").matcher(call.group(1).replace(",", "\n"));
    while (keys.find()) {
      passed.add(keys.group(1));
    }

    assertThat(passed).isEqualTo(placeholders);
  }

  @Test
  void theTerraformHelmValuesInstallTheChart() throws Exception {
    String template =
        Files.readString(Repo.terraform().resolve("modules/region/helm-values.yaml.tftpl"));
    Map<String, String> sample =
        Map.ofEntries(
            Map.entry("domain", "meet.example.com"),
            Map.entry("region", "eu-west-1"),
            Map.entry(
                "regions_json",
                "{\"eu-west-1\":\"https://eu-west-1.meet.example.com\",\"us-east-1\":\"https://us-east-1.meet.example.com\"}"),
            Map.entry("database_host", "openmeet.abc.eu-west-1.rds.amazonaws.com"),
            Map.entry("database_port", "5432"),
            Map.entry("database_name", "openmeet"),
            Map.entry("database_username", "openmeet"),
            Map.entry("redis_url", "rediss://master.openmeet.abc.euw1.cache.amazonaws.com:6379"),
            Map.entry("jvb_media_port", "10000"),
            Map.entry("bridge_max_nodes", "20"),
            Map.entry("turn_port", "3478"),
            Map.entry("turn_relay_min", "49152"),
            Map.entry("turn_relay_max", "51151"),
            Map.entry("control_selector", "control"),
            Map.entry("bridge_selector", "bridges"));
    String values = template;
    for (var e : sample.entrySet()) {
      values = values.replace("${" + e.getKey() + "}", e.getValue());
    }
    assertThat(values).doesNotContain("${");
    Path file = Files.createTempFile("terraform-helm-values", ".yaml");
    try {
      Files.writeString(file, values);
      new YAMLMapper().readTree(file.toFile());

      RenderedChart chart = RenderedChart.render(file);

      var api =
          chart.get(
              io.fabric8.kubernetes.api.model.ConfigMap.class, RenderedChart.name("room-api"));
      assertThat(api.getData().get("DB_URL"))
          .isEqualTo(
              "jdbc:postgresql://openmeet.abc.eu-west-1.rds.amazonaws.com:5432/openmeet?sslmode=require");
      assertThat(api.getData().get("REDIS_URL")).startsWith("rediss://master.");
      assertThat(api.getData().get("REDIS_MODE")).isEqualTo("standalone");
      // a room link opened in the other region is redirected here, and this region's links stay
      // here
      assertThat(api.getData().get("OPENMEET_PUBLIC_URL"))
          .isEqualTo("https://eu-west-1.meet.example.com");
      assertThat(api.getData().get("OPENMEET_REGIONS_PEERS"))
          .isEqualTo(
              "eu-west-1=https://eu-west-1.meet.example.com,us-east-1=https://us-east-1.meet.example.com");
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** One Terraform module: its blocks by kind, and the text of all its expressions. */
  private record Module(
      String name,
      Map<String, JsonNode> variables,
      Map<String, JsonNode> outputs,
      Set<String> locals,
      Set<String> resources,
      Set<String> dataSources,
      Map<String, JsonNode> moduleCalls,
      List<String> strings) {

    static Module of(Path dir) {
      Map<String, JsonNode> variables = new java.util.TreeMap<>();
      Map<String, JsonNode> outputs = new java.util.TreeMap<>();
      Set<String> locals = new TreeSet<>();
      Set<String> resources = new TreeSet<>();
      Set<String> data = new TreeSet<>();
      Map<String, JsonNode> modules = new java.util.TreeMap<>();
      List<String> strings = new ArrayList<>();
      for (JsonNode file : TerraformFiles.parseModule(dir).values()) {
        file.path("variable")
            .properties()
            .forEach(e -> variables.put(e.getKey(), e.getValue().get(0)));
        file.path("output").properties().forEach(e -> outputs.put(e.getKey(), e.getValue().get(0)));
        file.path("locals").forEach(l -> l.properties().forEach(e -> locals.add(e.getKey())));
        file.path("resource")
            .properties()
            .forEach(
                t ->
                    t.getValue()
                        .properties()
                        .forEach(n -> resources.add(t.getKey() + "." + n.getKey())));
        file.path("data")
            .properties()
            .forEach(
                t ->
                    t.getValue()
                        .properties()
                        .forEach(n -> data.add(t.getKey() + "." + n.getKey())));
        file.path("module").properties().forEach(e -> modules.put(e.getKey(), e.getValue().get(0)));
        collectStrings(file, strings);
      }
      return new Module(
          Repo.terraform().relativize(dir).toString(),
          variables,
          outputs,
          locals,
          resources,
          data,
          modules,
          strings);
    }

    private static void collectStrings(JsonNode node, List<String> out) {
      if (node.isString()) {
        if (node.asString().contains("${")) {
          out.add(node.asString());
        }
      } else {
        node.forEach(child -> collectStrings(child, out));
        if (node.isObject()) {
          // Keys can be expressions too (e.g. "(var.primary.aws_region)").
          node.properties()
              .forEach(
                  e -> {
                    if (e.getKey().contains("var.") || e.getKey().contains("local.")) {
                      out.add("${" + e.getKey() + "}");
                    }
                  });
        }
      }
    }

    String expressions() {
      return String.join("\n", strings);
    }

    String dataRefsText() {
      return expressions();
    }

    Set<String> references(Pattern pattern, int group) {
      Set<String> found = new TreeSet<>();
      Matcher m = pattern.matcher(expressions());
      while (m.find()) {
        found.add(m.group(group));
      }
      return found;
    }

    Set<String> referencePairs(Pattern pattern) {
      Set<String> found = new TreeSet<>();
      Matcher m = pattern.matcher(expressions());
      while (m.find()) {
        found.add(m.group(1) + "." + m.group(2));
      }
      return found;
    }
  }
}
