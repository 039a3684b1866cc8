package io.openmeet.litebridge.media;

/**
 * When the bridge probes one receiver's path, and how hard. While the estimate holds some source
 * below its ideal layer, what the receiver gets is padded up to the smaller of the ideal total and
 * the estimate, so its feedback shows whether the path carries that. Now and then a probe cluster
 * goes out instead (GCC's probing): for {@link #CLUSTER_NANOS} the padding goes up to what every
 * ideal layer needs with the margin a move up takes, at most twice the estimate, and the estimator
 * reads the cluster back ({@link BandwidthEstimator#startProbe}); a path that carries it lifts the
 * estimate at once, so a cut the path did not call for is undone in about a second. The first
 * cluster goes {@link #FIRST_CLUSTER_NANOS} after the limit starts, then at doubling gaps up to
 * {@link #MAX_CLUSTER_INTERVAL_NANOS} while the limit lasts; the gaps start over only after {@link
 * #RESET_CLUSTER_INTERVAL_NANOS} without a limit, so an estimate that wobbles around what the
 * layers need does not push a path at its limit every half second. Not thread-safe: one caller (the
 * conference's probing timer).
 */
final class ProbeSchedule {

  /** How long after the estimate starts to hold a source down the first probe cluster goes out. */
  static final long FIRST_CLUSTER_NANOS = 500_000_000L;

  /** The longest gap between probe clusters while they find no room. */
  static final long MAX_CLUSTER_INTERVAL_NANOS = 8_000_000_000L;

  /** How long a receiver must have been unlimited for the gaps to start over. */
  static final long RESET_CLUSTER_INTERVAL_NANOS = 5_000_000_000L;

  /** How long a probe cluster lasts. */
  static final long CLUSTER_NANOS = 100_000_000L;

  /**
   * How long after a {@link LayerHold} starts its probe cluster goes out, whatever the gaps: a cut
   * the path did not call for must be undone before the hold ends, and a delay cut's overuse signal
   * (which keeps a cluster from lifting the estimate) has mostly passed by then.
   */
  static final long HOLD_CLUSTER_NANOS = 300_000_000L;

  private long limitedSinceNanos = Long.MIN_VALUE;
  private long unlimitedSinceNanos = Long.MIN_VALUE;
  private long nextClusterNanos;
  private long clusterInterval = FIRST_CLUSTER_NANOS;
  private long clusterStartNanos;
  private long clusterTargetBps;
  private long clusters;
  private long probedHold = Long.MIN_VALUE;

  /**
   * The rate to fill what the receiver gets up to now, bits/s (0: no padding); opens and closes
   * probe clusters on {@code bwe}.
   *
   * @param limited whether the estimate holds some source below its ideal layer
   * @param holdSinceNanos when the receiver's current {@link LayerHold} started ({@link
   *     Long#MIN_VALUE}: none); each hold gets one cluster {@link #HOLD_CLUSTER_NANOS} after it
   * @param idealBps what every source's ideal layer costs
   * @param estimateBps the receiver's estimate, -1 when there is none (then nothing is probed)
   * @param allocatedBps what the layers it gets cost
   * @param canPad whether padding can go out now (a transport, an RTX stream to pad on)
   */
  long target(
      long nowNanos,
      boolean limited,
      long holdSinceNanos,
      long idealBps,
      long estimateBps,
      long allocatedBps,
      boolean canPad,
      BandwidthEstimator bwe) {
    boolean ready = estimateBps >= 0 && canPad;
    if (bwe.probing() && ready) {
      // a cluster runs its full length once started, even if the limit ends meanwhile: cut short
      // it would measure nothing
      if (nowNanos - clusterStartNanos < CLUSTER_NANOS) {
        return clusterTargetBps;
      }
      bwe.endProbe();
      nextClusterNanos = nowNanos + clusterInterval;
      clusterInterval = Math.min(clusterInterval * 2, MAX_CLUSTER_INTERVAL_NANOS);
      return limited ? Math.min(idealBps, estimateBps) : 0;
    }
    bwe.endProbe();
    if (!limited || !ready) {
      if (limitedSinceNanos != Long.MIN_VALUE) {
        limitedSinceNanos = Long.MIN_VALUE;
        unlimitedSinceNanos = nowNanos;
      }
      if (unlimitedSinceNanos != Long.MIN_VALUE
          && nowNanos - unlimitedSinceNanos >= RESET_CLUSTER_INTERVAL_NANOS) {
        clusterInterval = FIRST_CLUSTER_NANOS;
      }
      return 0;
    }
    if (limitedSinceNanos == Long.MIN_VALUE) {
      limitedSinceNanos = nowNanos;
      nextClusterNanos = Math.max(nextClusterNanos, nowNanos + FIRST_CLUSTER_NANOS);
    }
    boolean holdCluster =
        holdSinceNanos != Long.MIN_VALUE
            && holdSinceNanos != probedHold
            && nowNanos - holdSinceNanos >= HOLD_CLUSTER_NANOS;
    if (nowNanos < nextClusterNanos && !holdCluster) {
      return Math.min(idealBps, estimateBps);
    }
    if (holdSinceNanos != Long.MIN_VALUE) {
      probedHold = holdSinceNanos;
    }
    clusterTargetBps =
        Math.min(
            (long) (idealBps / (1 - LayerBudget.UP_MARGIN) * 1.05),
            2 * Math.max(estimateBps, allocatedBps));
    clusterStartNanos = nowNanos;
    clusters++;
    bwe.startProbe(clusterTargetBps);
    return clusterTargetBps;
  }

  /** How many probe clusters were started. */
  long clusters() {
    return clusters;
  }
}
