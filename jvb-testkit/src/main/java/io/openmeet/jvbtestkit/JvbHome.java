package io.openmeet.jvbtestkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Where the unzipped Jitsi Videobridge distribution is: {@code JVB_HOME} as a system property or
 * environment variable (scripts/test exports it). Without one the JVB tests are skipped, loudly.
 */
public final class JvbHome {

  /** The start of the one line CI looks for when the JVB tests cannot run on a machine. */
  public static final String SKIPPED_PREFIX = "JVB suite skipped: ";

  static final String VARIABLE = "JVB_HOME";

  private JvbHome() {}

  /** The distribution named by {@code JVB_HOME}, if any (not checked). */
  public static Optional<Path> find() {
    String value = System.getProperty(VARIABLE);
    if (value == null || value.isBlank()) {
      value = System.getenv(VARIABLE);
    }
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(Path.of(value));
  }

  /**
   * The distribution, or aborts the calling test with a JUnit assumption after printing one line
   * starting with {@link #SKIPPED_PREFIX}. A {@code JVB_HOME} that is set but holds no JVB fails
   * instead: a misconfigured machine must not look like one without JVB.
   *
   * @param what the tests that are skipped, for the line (e.g. the test class's simple name)
   */
  public static Path requireOrSkip(String what) {
    Optional<Path> home = find();
    if (home.isEmpty()) {
      String line = skippedLine(what);
      SkipLog.print(line);
      Assumptions.abort(line);
    }
    return validate(home.get());
  }

  /** The line printed when {@code what} cannot run for want of a JVB. */
  static String skippedLine(String what) {
    return SKIPPED_PREFIX
        + what
        + ": JVB_HOME is not set (the unzipped Jitsi Videobridge distribution;"
        + " scripts/test exports it when it finds one)";
  }

  /** Checks that {@code home} is an unzipped JVB distribution. */
  static Path validate(Path home) {
    Path jar = home.resolve("jitsi-videobridge.jar");
    Path lib = home.resolve("lib");
    if (!Files.isRegularFile(jar) || !Files.isDirectory(lib)) {
      throw new IllegalStateException(
          VARIABLE
              + "="
              + home
              + " is not an unzipped Jitsi Videobridge distribution (no jitsi-videobridge.jar"
              + " and lib/ there)");
    }
    return home.toAbsolutePath();
  }
}
