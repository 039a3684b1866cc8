package io.openmeet.litebridge.stats;

import io.openmeet.litebridge.media.MediaStats;
import java.util.function.DoubleSupplier;

/**
 * The `stress_level` stat the focus uses to pick and avoid bridges.
 *
 * <p>Formula: {@code max(packetRate / loadThreshold, processCpuLoad)}, where {@code packetRate} is
 * the packets/s received plus sent by the media plane (as JVB's packet-rate load measurement) and
 * {@code loadThreshold} is {@code
 * videobridge.load-management.load-measurements.packet-rate.load-threshold}. The CPU term makes a
 * bridge whose forwarding is CPU-bound (small machine, many endpoints) look loaded before the
 * packet threshold is reached. The result is not capped: above 1.0 means overloaded, as in JVB.
 */
public final class StressLevel {
  private final double packetRateLoadThreshold;
  private final DoubleSupplier processCpuLoad;

  /**
   * @param processCpuLoad this process's CPU load in [0, 1] over all cores (negative if unknown)
   */
  public StressLevel(double packetRateLoadThreshold, DoubleSupplier processCpuLoad) {
    this.packetRateLoadThreshold = packetRateLoadThreshold;
    this.processCpuLoad = processCpuLoad;
  }

  /** The JVM's own process CPU load, averaged between readings ({@link ProcessCpuLoad}). */
  public static DoubleSupplier jvmProcessCpuLoad() {
    return ProcessCpuLoad.ofThisJvm();
  }

  public double compute(MediaStats stats) {
    double packetRate = (double) stats.packetRateDownload() + stats.packetRateUpload();
    double packetStress = packetRate / packetRateLoadThreshold;
    double cpu = processCpuLoad.getAsDouble();
    return Math.max(packetStress, Double.isNaN(cpu) || cpu < 0 ? 0 : cpu);
  }
}
