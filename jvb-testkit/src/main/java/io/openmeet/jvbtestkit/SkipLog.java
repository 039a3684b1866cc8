package io.openmeet.jvbtestkit;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Prints a line that reaches the build log. Surefire redirects a test's System.out and System.err
 * to report files (redirectTestOutputToFile), but copies the forked JVM's native stderr to the
 * console, where CI reads it.
 */
public final class SkipLog {
  private SkipLog() {}

  /** Prints {@code line} to the test's output and to the build log. */
  public static void print(String line) {
    System.out.println(line);
    // not closed: closing would close the process's stderr
    @SuppressWarnings("resource")
    PrintStream nativeErr =
        new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    nativeErr.println(line);
  }
}
