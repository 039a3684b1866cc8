package io.openmeet.focus.testing;

import java.time.Duration;

/** Waits for a condition that arrives over the network, failing with the last assertion error. */
public final class Eventually {

  private Eventually() {}

  public static void within(Duration timeout, Runnable assertion) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        assertion.run();
        return;
      } catch (AssertionError | RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(25);
      }
    }
  }
}
