package io.openmeet.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfiles of room-api and lite-bridge copy only files that `mvn package` made: this module
 * runs after both are packaged, so scripts/build-images' input check sees the real build output.
 */
class ImageInputsTest {
  @Test
  void everyFileTheDockerfilesCopyExistsAfterPackage() throws Exception {
    Path root = Path.of("..").toAbsolutePath().normalize();
    Process p =
        new ProcessBuilder("bash", root.resolve("scripts/build-images").toString(), "--check")
            .directory(root.toFile())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("every file the Dockerfiles copy exists");
    assertThat(root.resolve("room-api/target/quarkus-app/quarkus-run.jar")).isRegularFile();
    assertThat(root.resolve("lite-bridge/target/lite-bridge.jar")).isRegularFile();
  }
}
