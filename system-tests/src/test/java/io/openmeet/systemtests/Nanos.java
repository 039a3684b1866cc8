package io.openmeet.systemtests;

import java.util.concurrent.TimeUnit;

/** Timing on {@link System#nanoTime()}, as the chaos tests measure outages and gaps. */
final class Nanos {

  private Nanos() {}

  /** Milliseconds since {@code nanos}. */
  static long msSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }

  /** Sleeps until {@code nanos} (at once when it has passed). */
  static void sleepUntil(long nanos) throws InterruptedException {
    long left = nanos - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }
}
