package io.openmeet.deploytests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The Terraform modules, parsed by HashiCorp's HCL parser (npm @cdktf/hcl2json through node). */
final class TerraformFiles {
  private TerraformFiles() {}

  /** Directories holding .tf files (each one a Terraform module). */
  static List<Path> moduleDirs() {
    try (Stream<Path> files = Files.walk(Repo.terraform())) {
      return files
          .filter(p -> p.toString().endsWith(".tf"))
          .map(Path::getParent)
          .distinct()
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Path> tfFiles(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".tf")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  record ParseResult(int exitCode, String stdout, String stderr) {}

  /** Runs deploy-tests/hcl2json.js on the files. */
  static ParseResult parse(List<Path> files) {
    Path script = Repo.deployTests().resolve("hcl2json.js");
    assertThat(Repo.deployTests().resolve("node_modules/@cdktf/hcl2json"))
        .as("@cdktf/hcl2json: the build installs it (npm-ci.sh in generate-test-resources)")
        .exists();
    List<String> command = new ArrayList<>(List.of("node", script.toString()));
    files.forEach(f -> command.add(f.toString()));
    try {
      Process p = new ProcessBuilder(command).directory(Repo.deployTests().toFile()).start();
      // Read both streams fully before waiting: the JSON can exceed a pipe buffer.
      var out = p.getInputStream();
      var err = p.getErrorStream();
      String stdout = new String(out.readAllBytes(), StandardCharsets.UTF_8);
      String stderr = new String(err.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("hcl2json finished").isTrue();
      return new ParseResult(p.exitValue(), stdout, stderr);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static JsonNode everything;

  /**
   * Every .tf file of the repository, parsed once (the WebAssembly parser takes seconds to load).
   */
  static synchronized JsonNode parseAll() {
    if (everything == null) {
      List<Path> files = moduleDirs().stream().flatMap(d -> tfFiles(d).stream()).toList();
      ParseResult r = parse(files);
      assertThat(r.exitCode()).as(r.stderr()).isZero();
      everything = new ObjectMapper().readTree(r.stdout());
    }
    return everything;
  }

  /** Every .tf file of one module, parsed, by file name. */
  static Map<String, JsonNode> parseModule(Path dir) {
    Map<String, JsonNode> byFile = new LinkedHashMap<>();
    for (var e : parseAll().properties()) {
      Path file = Path.of(e.getKey());
      if (file.getParent().equals(dir)) {
        byFile.put(file.getFileName().toString(), e.getValue());
      }
    }
    return byFile;
  }
}
