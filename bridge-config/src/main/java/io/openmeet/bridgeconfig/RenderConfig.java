package io.openmeet.bridgeconfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Command line: {@code RenderConfig jvb|prosody|lite-bridge <output-file>} renders a template from
 * {@link LocalDefaults} overlaid with the environment, and replaces the output file atomically
 * (mode 600: the files carry passwords). Exit code 2 with one readable line on bad input.
 */
public final class RenderConfig {
  private RenderConfig() {}

  /** Entry point. */
  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: RenderConfig jvb|prosody|lite-bridge <output-file>");
      System.exit(2);
    }
    ConfigTemplate template;
    try {
      template = ConfigTemplate.valueOf(args[0].toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      System.err.println(
          "bridge-config: unknown template '" + args[0] + "' (jvb, prosody, lite-bridge)");
      System.exit(2);
      return;
    }
    try {
      Map<String, String> values = new HashMap<>(LocalDefaults.values());
      values.putAll(System.getenv());
      write(Path.of(args[1]), TemplateRenderer.render(template, values));
    } catch (BridgeConfigException e) {
      System.err.println("bridge-config: " + e.getMessage());
      System.exit(2);
    } catch (IOException e) {
      System.err.println("bridge-config: cannot write " + args[1] + ": " + e.getMessage());
      System.exit(1);
    }
  }

  /** Writes next to the target, then moves over it, so readers never see a partial file. */
  static void write(Path target, String text) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp =
        Files.createTempFile(
            dir,
            ".render-",
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
