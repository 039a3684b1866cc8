package io.openmeet.bridgeconfig;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenderConfigTest {
  @TempDir Path tmp;

  @Test
  void replacesTheTargetWholeAndReadableOnlyByItsOwner() throws Exception {
    Path target = tmp.resolve("conf/jvb.conf");
    RenderConfig.write(target, "old");

    RenderConfig.write(target, "new contents");

    assertThat(Files.readString(target)).isEqualTo("new contents");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target)))
        .isEqualTo("rw-------");
    try (var files = Files.list(target.getParent())) {
      assertThat(files).containsExactly(target);
    }
  }
}
