package io.openmeet.systemtests;

/** Tearing down what a test class started. */
final class Closing {

  private Closing() {}

  /**
   * Closes each of {@code started} in the order given (the reverse of starting: bridge, nodes,
   * services), skipping those that never started (null, when set-up failed half way).
   */
  static void inOrder(AutoCloseable... started) throws Exception {
    for (AutoCloseable c : started) {
      if (c != null) {
        c.close();
      }
    }
  }
}
