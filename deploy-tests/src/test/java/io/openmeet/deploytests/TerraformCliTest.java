package io.openmeet.deploytests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The terraform binary's own checks, where it is installed: {@code fmt -check} on every file, and
 * {@code init -backend=false} + {@code validate} in every root module. validate needs the AWS
 * provider; where {@code init} cannot reach the provider registry the validate step is skipped with
 * a notice naming the roots (init still checks that every module source resolves).
 */
class TerraformCliTest {
  /** The root modules: where an operator runs terraform. */
  static final List<String> ROOTS = List.of("bootstrap", "live/region", "live/global");

  @TempDir Path tmp;

  @Test
  void everyFileIsFormattedAsTerraformFmtWants() throws Exception {
    Path terraform = binary();

    Result r =
        run(
            Repo.terraform(),
            terraform.toString(),
            "fmt",
            "-check",
            "-recursive",
            "-diff",
            "-no-color");

    assertThat(r.exit).as("terraform fmt -check -recursive terraform/\n" + r.output).isZero();
  }

  @Test
  void fmtCheckFailsOnAMisformattedFile() throws Exception {
    Path terraform = binary();
    Files.writeString(
        tmp.resolve("bad.tf"), "variable \"a\" {\n type = string\n  default = \"x\"\n}\n");

    Result r = run(tmp, terraform.toString(), "fmt", "-check", "-no-color");

    assertThat(r.exit).isNotZero();
    assertThat(r.output).contains("bad.tf");
  }

  @Test
  void everyRootInitialisesAndValidates() throws Exception {
    Path terraform = binary();
    Path copy = tmp.resolve("terraform");
    copyTree(Repo.terraform(), copy);
    List<String> unreachable = new ArrayList<>();
    for (String root : ROOTS) {
      Path dir = copy.resolve(root);
      assertThat(dir).as(root).isDirectory();
      Result init =
          run(dir, terraform.toString(), "init", "-backend=false", "-input=false", "-no-color");
      if (init.exit != 0) {
        boolean registry =
            init.output.contains("Failed to query available provider packages")
                || init.output.contains("could not connect to registry");
        // anything else (a module source that does not resolve, a syntax error) is a failure
        assertThat(registry).as(root + ": terraform init failed:\n" + init.output).isTrue();
        assertThat(init.output)
            .as(root + ": modules resolved before the provider step")
            .doesNotContain("Module not installed")
            .doesNotContain("Unreadable module directory");
        unreachable.add(root);
        continue;
      }
      Result validate = run(dir, terraform.toString(), "validate", "-no-color");
      assertThat(validate.exit).as(root + ": terraform validate\n" + validate.output).isZero();
    }
    if (!unreachable.isEmpty()) {
      String notice =
          "terraform validate SKIPPED for "
              + unreachable
              + ": terraform init cannot reach the provider registry here (module sources resolved)";
      System.err.println("NOTICE: " + notice);
      Assumptions.abort(notice);
    }
  }

  /** The terraform binary, or the test is skipped with a notice. */
  static Path binary() {
    Optional<Path> found =
        Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
            .filter(d -> !d.isEmpty())
            .map(d -> Path.of(d, "terraform"))
            .filter(Files::isExecutable)
            .findFirst();
    if (found.isEmpty()) {
      String notice = "terraform is not installed: terraform fmt and validate SKIPPED";
      System.err.println("NOTICE: " + notice);
      Assumptions.abort(notice);
    }
    return found.get();
  }

  record Result(int exit, String output) {}

  static Result run(Path dir, String... command) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("TF_IN_AUTOMATION", "1");
    pb.environment().put("TF_REGISTRY_CLIENT_TIMEOUT", "15");
    pb.environment().put("CHECKPOINT_DISABLE", "1");
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
    return new Result(p.exitValue(), output);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else if (!f.toString().contains("/.terraform")) {
          Files.copy(f, target);
        }
      }
    }
  }
}
