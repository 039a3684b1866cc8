package io.openmeet.deploytests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/build-images in a copy of the repository's layout (the real script, Dockerfiles and
 * Chart.yaml; empty stand-ins for the packaged files), with stand-in builder commands: which
 * builder it picks, what it runs, and what it says when none works or an input is missing.
 * system-tests runs the script's input check on the really packaged jars.
 */
class BuildImagesScriptTest {
  private static final List<String> DOCKERFILES =
      List.of("room-api/src/main/docker/Dockerfile.jvm", "lite-bridge/src/main/docker/Dockerfile");
  private static final Pattern COPY = Pattern.compile("(?m)^(?:COPY|ADD)\\s+(.*)$");

  @TempDir Path repo;
  Path bin;
  Path calls;

  @BeforeEach
  void layout() throws IOException {
    copy("scripts/build-images");
    copy("helm/openmeet/Chart.yaml");
    for (String dockerfile : DOCKERFILES) {
      copy(dockerfile);
      Path context = repo.resolve(dockerfile.substring(0, dockerfile.indexOf('/')));
      for (String source : copySources(Files.readString(Repo.root().resolve(dockerfile)))) {
        Path p = context.resolve(source);
        if (source.endsWith("/")) {
          Files.createDirectories(p);
          Files.writeString(p.resolve("placeholder.jar"), "");
        } else {
          Files.createDirectories(p.getParent());
          Files.writeString(p, "");
        }
      }
    }
    bin = Files.createDirectories(repo.resolve("fake-bin"));
    calls = repo.resolve("calls.txt");
  }

  @Test
  void withoutAUsableBuilderItSaysWhyForEachAndExits3() throws Exception {
    fakeCommand(
        "docker",
        "echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.' >&2; exit 1");

    Result r =
        run(
            Map.of(
                "OCI_BUILDER_CANDIDATES",
                bin.resolve("docker") + " " + bin.resolve("podman") + " " + bin.resolve("buildah")),
            "--no-build");

    assertThat(r.exit).as(r.stderr).isEqualTo(3);
    assertThat(r.stderr)
        .contains("no usable OCI image builder on this machine")
        .contains(
            "docker: installed, but no Docker daemon answers (Cannot connect to the Docker daemon")
        .contains("podman: not installed")
        .contains("buildah: not installed")
        .contains("apt-get install podman");
    assertThat(calls).doesNotExist();
  }

  @Test
  void theFirstWorkingBuilderBuildsBothImagesTaggedWithTheChartsAppVersion() throws Exception {
    fakeCommand("docker", "exit 1");
    fakeCommand("buildah", "echo \"$*\" >> " + calls + "; exit 0");

    Result r =
        run(
            Map.of(
                "OCI_BUILDER_CANDIDATES",
                bin.resolve("docker") + " podman-that-is-missing " + bin.resolve("buildah")),
            "--no-build");

    assertThat(r.exit).as(r.stderr).isZero();
    String tag = appVersion();
    assertThat(Files.readAllLines(calls))
        .containsExactly(
            "version",
            "build -f room-api/src/main/docker/Dockerfile.jvm -t ghcr.io/openmeet/room-api:"
                + tag
                + " room-api",
            "build -f lite-bridge/src/main/docker/Dockerfile -t ghcr.io/openmeet/lite-bridge:"
                + tag
                + " lite-bridge");
    assertThat(r.stdout.lines())
        .containsExactly("ghcr.io/openmeet/room-api:" + tag, "ghcr.io/openmeet/lite-bridge:" + tag);
  }

  @Test
  void pushAndAnotherRegistryAndTagAreHonoured() throws Exception {
    fakeCommand("podman", "echo \"$*\" >> " + calls + "; exit 0");

    Result r =
        run(
            Map.of("OCI_BUILDER", bin.resolve("podman").toString()),
            "--no-build",
            "--only",
            "lite-bridge",
            "--registry",
            "registry.example.org/meet",
            "--tag",
            "1.2.3",
            "--push");

    assertThat(r.exit).as(r.stderr).isZero();
    assertThat(Files.readAllLines(calls))
        .containsExactly(
            "info",
            "build -f lite-bridge/src/main/docker/Dockerfile -t registry.example.org/meet/lite-bridge:1.2.3 lite-bridge",
            "push registry.example.org/meet/lite-bridge:1.2.3");
  }

  @Test
  void aMissingPackagedFileStopsTheBuildBeforeAnyBuilderRuns() throws Exception {
    fakeCommand("buildah", "echo \"$*\" >> " + calls + "; exit 0");
    Files.delete(repo.resolve("room-api/target/quarkus-app/quarkus-run.jar"));

    Result r = run(Map.of("OCI_BUILDER", bin.resolve("buildah").toString()), "--no-build");

    assertThat(r.exit).isEqualTo(1);
    assertThat(r.stderr)
        .contains(
            "room-api/src/main/docker/Dockerfile.jvm copies target/quarkus-app/quarkus-run.jar,"
                + " which is missing from room-api/");
    assertThat(calls).doesNotExist();
  }

  @Test
  void checkNeedsNoBuilderAndPassesWhenEveryInputExists() throws Exception {
    Result r = run(Map.of("OCI_BUILDER_CANDIDATES", "no-such-builder"), "--check");

    assertThat(r.exit).as(r.stderr).isZero();
    assertThat(r.stderr).contains("every file the Dockerfiles copy exists");
  }

  @Test
  void theDockerfilesFollowTheContainerConventions() throws Exception {
    for (String dockerfile : DOCKERFILES) {
      String text = Files.readString(Repo.root().resolve(dockerfile));
      assertThat(text).as(dockerfile).containsPattern("(?m)^USER 185$");
      assertThat(text).as(dockerfile).containsPattern("(?m)^FROM \\S+:\\d+[.\\d]*$");
      assertThat(text).as(dockerfile).contains("JAVA_MAX_MEM_RATIO", "ExitOnOutOfMemoryError");
      assertThat(copySources(text))
          .as(dockerfile)
          .isNotEmpty()
          .allMatch(s -> s.startsWith("target/"));
    }
    assertThat(Files.readString(Repo.root().resolve(DOCKERFILES.get(0))))
        .contains("ENV QUARKUS_HTTP_HOST=0.0.0.0");
  }

  /** Sources of the COPY/ADD lines (flags and the destination dropped). */
  static List<String> copySources(String dockerfile) {
    List<String> sources = new ArrayList<>();
    Matcher m = COPY.matcher(dockerfile);
    while (m.find()) {
      List<String> args = new ArrayList<>();
      for (String w : m.group(1).trim().split("\\s+")) {
        if (!w.startsWith("--")) {
          args.add(w);
        }
      }
      sources.addAll(args.subList(0, args.size() - 1));
    }
    return sources;
  }

  private static String appVersion() throws IOException {
    Matcher m =
        Pattern.compile("(?m)^appVersion: \"?([^\"\\s]+)\"?")
            .matcher(Files.readString(Repo.chart().resolve("Chart.yaml")));
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  private void copy(String relative) throws IOException {
    Path target = repo.resolve(relative);
    Files.createDirectories(target.getParent());
    Files.copy(Repo.root().resolve(relative), target);
  }

  private void fakeCommand(String name, String body) throws IOException {
    Path p = bin.resolve(name);
    Files.writeString(p, "#!/bin/bash\n" + body + "\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  record Result(int exit, String stdout, String stderr) {}

  private Result run(Map<String, String> env, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("bash", repo.resolve("scripts/build-images").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(repo.toFile());
    pb.environment().remove("OCI_BUILDER");
    pb.environment().remove("IMAGE_REGISTRY");
    pb.environment().remove("IMAGE_TAG");
    pb.environment().putAll(env);
    Path out = repo.resolve("out.txt");
    Path err = repo.resolve("err.txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("build-images finished").isTrue();
    return new Result(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
