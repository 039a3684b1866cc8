package io.openmeet.roomapi.metrics;

import io.micrometer.core.instrument.DistributionSummary;

/** Shared shape of our millisecond histograms. */
final class Histograms {

  /**
   * Bucket bounds in ms: fine below 1 ms (a local Redis answers in ~0.2 ms), coarse up to the 10 s
   * where clients give up; 15 buckets keep a series per tag set small.
   */
  static final double[] MILLIS_BUCKETS = {
    0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000
  };

  private Histograms() {}

  /** A DistributionSummary builder exposing {@code <name>_bucket{le}}, _count and _sum. */
  static DistributionSummary.Builder millis(String name, String description) {
    return DistributionSummary.builder(name)
        .description(description)
        .serviceLevelObjectives(MILLIS_BUCKETS);
  }
}
