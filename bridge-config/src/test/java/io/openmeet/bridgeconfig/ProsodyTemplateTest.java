package io.openmeet.bridgeconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProsodyTemplateTest {
  private static final Path PROSODY_SCRIPT = Path.of("../scripts/lib/prosody.sh");

  @TempDir Path tmp;

  @Test
  void usesExactlyTheVariablesScriptsHandToEnvsubst() throws IOException {
    String script = Files.readString(PROSODY_SCRIPT);
    Matcher m = Pattern.compile("(?m)^vars='([^']*)'").matcher(script);
    assertThat(m.find()).as("the vars='...' line in " + PROSODY_SCRIPT).isTrue();
    Set<String> scriptVars = new TreeSet<>(TemplateRenderer.placeholders(m.group(1)));

    Set<String> templateVars =
        TemplateRenderer.variablesOf(ConfigTemplate.PROSODY).stream()
            .map(Enum::name)
            .collect(Collectors.toCollection(TreeSet::new));

    assertThat(templateVars).isEqualTo(scriptVars);
  }

  @Test
  void javaRenderingMatchesEnvsubstRendering() throws Exception {
    Map<String, String> values = Inputs.local();
    String fromJava = TemplateRenderer.render(ConfigTemplate.PROSODY, values);

    Path template = Path.of(ConfigTemplate.PROSODY.relativePath());
    String vars =
        TemplateRenderer.variablesOf(ConfigTemplate.PROSODY).stream()
            .map(v -> "${" + v.name() + "}")
            .collect(Collectors.joining(" "));
    ProcessBuilder pb = new ProcessBuilder("envsubst", vars);
    pb.environment().putAll(values);
    pb.redirectInput(template.toFile());
    Result r = run(pb);

    assertThat(r.exit).as(r.stderr).isZero();
    assertThat(r.stdout).isEqualTo(fromJava);
  }

  @Test
  void renderedLocalAndProductionConfigsCompileAsLua() throws Exception {
    for (Map<String, String> values : List.of(Inputs.local(), Inputs.production())) {
      String lua = TemplateRenderer.render(ConfigTemplate.PROSODY, values);
      Result r = luacCheck(lua);
      assertThat(r.exit).as("luac -p says: " + r.stderr).isZero();
    }
  }

  @Test
  void theLuaCheckCatchesABrokenConfig() throws Exception {
    String lua = TemplateRenderer.render(ConfigTemplate.PROSODY, Inputs.local());
    String broken = lua.replaceFirst("c2s_ports = \\{ 5222 \\}", "c2s_ports = { 5222 ");

    Result r = luacCheck(broken);

    assertThat(r.exit).isNotZero();
    assertThat(r.stderr).contains("expected");
  }

  @Test
  void declaresTheDomainsTheAccountsAndTheBreweryComponent() {
    String lua = TemplateRenderer.render(ConfigTemplate.PROSODY, Inputs.production());

    assertThat(lua)
        .contains("VirtualHost \"meet.example.com\"")
        .contains("VirtualHost \"auth.meet.example.com\"")
        .contains("Component \"conference.meet.example.com\" \"muc\"")
        .contains("Component \"internal.auth.meet.example.com\" \"muc\"")
        .contains("c2s_ports = { 5222 }")
        .contains("authentication = \"internal_hashed\"")
        .contains("allow_registration = false")
        .contains("c2s_stanza_size_limit")
        .doesNotContain("${");
  }

  @Test
  void limitsTheReadRateOfClientConnectionsButNotOfTheFocusAndTheBridges() {
    String lua = TemplateRenderer.render(ConfigTemplate.PROSODY, Inputs.production());

    Matcher modules = Pattern.compile("(?m)^modules_enabled = \\{([^}]*)\\}").matcher(lua);
    assertThat(modules.find()).isTrue();
    assertThat(modules.group(1)).contains("\"limits\"");
    Matcher limits = Pattern.compile("(?ms)^limits = \\{(.*?)^\\}").matcher(lua);
    assertThat(limits.find()).as("a top-level limits table").isTrue();
    assertThat(limits.group(1))
        .containsPattern("c2s = \\{ rate = \"\\d+kb/s\"; burst = \"\\d+s\" \\}")
        .doesNotContain("s2s")
        .doesNotContain("component");
    assertThat(lua)
        .contains(
            "unlimited_jids = { \"focus@auth.meet.example.com\", \"jvb@auth.meet.example.com\" }");
  }

  @Test
  void turnsNagleOffGloballyForTheSmallColibri2Stanzas() {
    String lua = TemplateRenderer.render(ConfigTemplate.PROSODY, Inputs.production());

    int setting = lua.indexOf("network_settings = { nagle = false }");
    assertThat(setting).as("network_settings with nagle = false").isNotNegative();
    assertThat(setting)
        .as("a global option, before the first VirtualHost")
        .isLessThan(lua.indexOf("VirtualHost"));
  }

  private Result luacCheck(String lua) throws Exception {
    String luac = findLuac();
    Path file = tmp.resolve("prosody.cfg.lua");
    Files.writeString(file, lua);
    return run(new ProcessBuilder(luac, "-p", file.toString()));
  }

  private static String findLuac() {
    for (String candidate : List.of("/usr/bin/luac5.4", "/usr/bin/luac")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    return fail(
        "luac is missing: it comes with Debian's lua5.4, a dependency of the prosody package that "
            + "scripts/lib/prosody.sh installs (run scripts/lib/services.sh)");
  }

  private record Result(int exit, String stdout, String stderr) {}

  private static Result run(ProcessBuilder pb) throws Exception {
    Process p = pb.start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return fail("timed out: " + pb.command());
    }
    return new Result(
        p.exitValue(),
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }
}
