package io.openmeet.litebridge.stats;

import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * This process's CPU load in [0, 1] over all cores, averaged since the previous reading: CPU time
 * used ÷ (wall time × cores). Read once per stats presence, it is the average over the presence
 * interval. The platform's {@code getProcessCpuLoad()} measures a much shorter window here
 * (readings of 0, 1/3 and 1/2 while the bridge used a steady quarter of a core), and one high
 * reading made the focus refuse new conferences for a whole interval.
 *
 * <p>Readings closer together than {@code minWindowNanos} repeat the last value, so that an extra
 * reader (e.g. {@code /colibri/stats}) does not shorten the window again.
 */
public final class ProcessCpuLoad implements DoubleSupplier {

  private final LongSupplier cpuNanos;
  private final LongSupplier wallNanos;
  private final int cores;
  private final long minWindowNanos;
  private long lastCpu;
  private long lastWall;
  private double last;

  /**
   * @param cpuNanos CPU time this process has used, in ns (negative if unknown)
   * @param wallNanos a monotonic clock in ns
   */
  public ProcessCpuLoad(
      LongSupplier cpuNanos, LongSupplier wallNanos, int cores, long minWindowNanos) {
    if (cores < 1) {
      throw new IllegalArgumentException("cores must be at least 1, was " + cores);
    }
    this.cpuNanos = cpuNanos;
    this.wallNanos = wallNanos;
    this.cores = cores;
    this.minWindowNanos = minWindowNanos;
    this.lastCpu = cpuNanos.getAsLong();
    this.lastWall = wallNanos.getAsLong();
  }

  /** This JVM, from the platform MXBean's process CPU time; -1 where that is not available. */
  public static DoubleSupplier ofThisJvm() {
    java.lang.management.OperatingSystemMXBean os =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun
        && sun.getProcessCpuTime() >= 0) {
      return new ProcessCpuLoad(
          sun::getProcessCpuTime,
          System::nanoTime,
          Runtime.getRuntime().availableProcessors(),
          1_000_000_000L);
    }
    return () -> -1;
  }

  @Override
  public synchronized double getAsDouble() {
    long cpu = cpuNanos.getAsLong();
    long wall = wallNanos.getAsLong();
    long window = wall - lastWall;
    if (cpu < 0) {
      return -1;
    }
    if (window < minWindowNanos) {
      return last;
    }
    last = Math.max(0, Math.min(1, (double) (cpu - lastCpu) / ((double) window * cores)));
    lastCpu = cpu;
    lastWall = wall;
    return last;
  }
}
