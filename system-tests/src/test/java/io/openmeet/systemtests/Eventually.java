package io.openmeet.systemtests;

import java.time.Duration;

/** Retries an assertion until it holds or a deadline passes (the last failure is rethrown). */
final class Eventually {

  /** A check that may throw anything; only {@link AssertionError}s are retried. */
  @FunctionalInterface
  interface Check {
    void run() throws Exception;
  }

  private Eventually() {}

  static void within(Duration timeout, Check check) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        check.run();
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }
}
