package io.openmeet.litebridge.media;

import java.util.List;

/**
 * Hysteresis for one receiver's layers: when its estimate falls below what the layers it gets cost,
 * they are kept for up to {@link #HOLD_NANOS} while a probe cluster checks whether the path called
 * for the cut. On a loaded machine a receiver's estimate is cut now and then without a queue (a
 * receiver that fell behind, a burst its socket dropped); the next layer down costs a keyframe each
 * way and a second or more of the low layer, and a probe cluster would have undone the cut within a
 * second. A path that collapsed (the estimate under {@link #COLLAPSE_SHARE} of what the layers
 * cost) is followed at once, and so is a drop that lasts the hold. Not thread-safe: one caller
 * ({@link VideoProjections#reallocate}, synchronized).
 */
final class LayerHold {

  /** How long a receiver keeps its layers after its estimate fell below them. */
  static final long HOLD_NANOS = 1_500_000_000L;

  /** An estimate under this share of what the kept layers cost is followed without a hold. */
  static final double COLLAPSE_SHARE = 0.5;

  private long holdSinceNanos = Long.MIN_VALUE;
  private long fittingEstimateBps = -1;
  private long holds;

  /**
   * The layers for the receiver now: {@link LayerBudget#allocate} within {@code estimateBps},
   * unless that takes a source below the layer it gets (and its constraints allow) and a hold is
   * on; then each source keeps at most the layer it gets. {@link LayerBudget.Result#limited} says
   * whether the estimate holds some source down, kept or not, so probing goes on during a hold.
   */
  LayerBudget.Result allocate(
      long nowNanos,
      List<SimulcastSource.Layers> layers,
      int[] ideal,
      int[] current,
      long estimateBps) {
    LayerBudget.Result byEstimate = LayerBudget.allocate(layers, ideal, current, estimateBps);
    if (estimateBps < 0 || !lowers(byEstimate.layers(), ideal, current)) {
      holdSinceNanos = Long.MIN_VALUE;
      fittingEstimateBps = estimateBps;
      return byEstimate;
    }
    if (holdSinceNanos == Long.MIN_VALUE) {
      holdSinceNanos = nowNanos;
      holds++;
    }
    int[] kept = new int[ideal.length];
    long keptBps = 0;
    for (int i = 0; i < ideal.length; i++) {
      kept[i] = current[i] >= 0 && ideal[i] >= 0 ? Math.min(ideal[i], current[i]) : -1;
      if (kept[i] >= 0) {
        keptBps += LayerBudget.cost(layers.get(i), kept[i]);
      }
    }
    if (nowNanos - holdSinceNanos >= HOLD_NANOS
        || fittingEstimateBps < 0
        || estimateBps < COLLAPSE_SHARE * keptBps) {
      return byEstimate;
    }
    // each source keeps its layer (a layer's measured rate moves, a keyframe's spike included); a
    // source that is not forwarded yet waits for the end of the hold
    LayerBudget.Result held =
        LayerBudget.allocate(
            layers, kept, current, Math.max(keptBps, Math.max(estimateBps, fittingEstimateBps)));
    return new LayerBudget.Result(held.layers(), held.allocatedBps(), byEstimate.idealBps(), true);
  }

  /** Whether a hold is on now (the estimate is below the layers and they are kept). */
  boolean holding(long nowNanos) {
    return holdSinceNanos != Long.MIN_VALUE && nowNanos - holdSinceNanos < HOLD_NANOS;
  }

  /** When the current hold started, or {@link Long#MIN_VALUE}. */
  long holdSinceNanos() {
    return holdSinceNanos;
  }

  /** How many holds started. */
  long holds() {
    return holds;
  }

  /**
   * Whether {@code chosen} takes a source below what it gets now for bandwidth: below both its
   * current layer and the layer its constraints allow (a receiver that shrank a tile is not held).
   */
  private static boolean lowers(int[] chosen, int[] ideal, int[] current) {
    for (int i = 0; i < chosen.length; i++) {
      if (current[i] >= 0 && ideal[i] >= 0 && chosen[i] < Math.min(current[i], ideal[i])) {
        return true;
      }
    }
    return false;
  }
}
