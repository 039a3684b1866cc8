package io.openmeet.litebridge.media;

import java.util.List;

/**
 * Fits one receiver's simulcast layers into its bandwidth estimate, the way JVB's allocation does:
 * walking the sources in rank order (on-stage first, then selected, then by speech), each gets its
 * lowest layer while the budget lasts (the first source always does, so the stage is never black),
 * then, again in rank order, each is raised to the highest layer up to its ideal one (what its
 * height constraint allows) that still fits. A layer costs its measured bitrate, or before one is
 * measured a nominal rate for its height. Moving above the layer a receiver gets now needs {@link
 * #UP_MARGIN} of the estimate to spare, so a layer whose rate wobbles around the estimate does not
 * flap (every switch costs a keyframe).
 */
final class LayerBudget {

  /** Share of the estimate that must be left over to move a source to a higher layer. */
  static final double UP_MARGIN = 0.1;

  private LayerBudget() {}

  /**
   * Chosen layers per source (-1: none), their total bitrate, the total of the ideal layers, and
   * whether the estimate held any source below its ideal layer.
   */
  record Result(int[] layers, long allocatedBps, long idealBps, boolean limited) {
    static final Result NONE = new Result(new int[0], 0, 0, false);
  }

  /**
   * @param layers each source's layers, in rank order
   * @param ideal each source's layer by its constraints alone ({@link
   *     SimulcastSource.Layers#choose}), -1 when it is not forwarded
   * @param current the layer each source is being switched to now (-1: none)
   * @param estimateBps the receiver's estimate, -1 when there is none (then the ideal layers)
   */
  static Result allocate(
      List<SimulcastSource.Layers> layers, int[] ideal, int[] current, long estimateBps) {
    int n = layers.size();
    int[] chosen = new int[n];
    long idealBps = 0;
    for (int i = 0; i < n; i++) {
      chosen[i] = ideal[i];
      if (ideal[i] >= 0) {
        idealBps += cost(layers.get(i), ideal[i]);
      }
    }
    if (estimateBps < 0) {
      return new Result(chosen, idealBps, idealBps, false);
    }
    long budget = estimateBps;
    boolean first = true;
    for (int i = 0; i < n; i++) {
      chosen[i] = -1;
      if (ideal[i] < 0) {
        continue;
      }
      int low = lowest(layers.get(i), ideal[i]);
      long cost = cost(layers.get(i), low);
      if (first || cost <= budget) {
        chosen[i] = low;
        budget -= cost;
      }
      first = false;
    }
    long margin = (long) (UP_MARGIN * estimateBps);
    for (int i = 0; i < n; i++) {
      if (chosen[i] < 0) {
        continue;
      }
      SimulcastSource.Layers source = layers.get(i);
      long base = cost(source, chosen[i]);
      for (int layer = ideal[i]; layer > chosen[i]; layer--) {
        if (!candidate(source, layer, ideal[i])) {
          continue;
        }
        long extra = cost(source, layer) - base;
        long needed = extra + (layer > current[i] ? margin : 0);
        if (needed <= budget) {
          chosen[i] = layer;
          budget -= extra;
          break;
        }
      }
    }
    long allocated = 0;
    boolean limited = false;
    for (int i = 0; i < n; i++) {
      if (chosen[i] >= 0) {
        allocated += cost(layers.get(i), chosen[i]);
      }
      limited |= chosen[i] != ideal[i];
    }
    return new Result(chosen, allocated, idealBps, limited);
  }

  /** The lowest layer that could be sent in place of {@code ideal}. */
  private static int lowest(SimulcastSource.Layers source, int ideal) {
    for (int layer = 0; layer < ideal; layer++) {
      if (candidate(source, layer, ideal)) {
        return layer;
      }
    }
    return ideal;
  }

  /** Whether {@code layer} may stand in for {@code ideal}: being sent (if any is), not higher. */
  private static boolean candidate(SimulcastSource.Layers source, int layer, int ideal) {
    boolean anyActive = false;
    for (boolean a : source.active()) {
      anyActive |= a;
    }
    return (!anyActive || source.active()[layer])
        && source.heights()[layer] <= source.heights()[ideal];
  }

  /** What a layer costs: its measured bitrate, else a nominal one for its height. */
  static long cost(SimulcastSource.Layers source, int layer) {
    long measured = source.bitrates()[layer];
    if (measured > 0) {
      return measured;
    }
    int height = source.heights()[layer];
    // Jitsi's ladder for VP8 (its default max bitrates per 180p/360p/720p)
    return height <= 180 ? 200_000 : height <= 360 ? 500_000 : 1_500_000;
  }
}
