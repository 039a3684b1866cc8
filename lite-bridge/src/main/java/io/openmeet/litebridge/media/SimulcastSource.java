package io.openmeet.litebridge.media;

import java.util.Arrays;

/**
 * A video source signalled with a SIM group: its encodings (layers, lowest resolution first, as the
 * group lists them) and what the bridge has seen of each: whether it is being sent now, the picture
 * height of its last keyframe, and its bitrate. The first SSRC is the primary: receivers know the
 * source by it and get every layer on it ({@link SimulcastProjection}).
 */
final class SimulcastSource {

  /** A layer with no packet for this long counts as stopped (the sender switched it off). */
  static final long INACTIVE_AFTER_NANOS = 1_000_000_000L;

  /** The bitrate is measured over this window. */
  static final long RATE_WINDOW_NANOS = 1_000_000_000L;

  /** Without a keyframe seen yet, layer i is assumed to be 180 * 2^i high (JVB's assumption). */
  static final int BASE_LAYER_HEIGHT = 180;

  private final String name;
  private final EndpointConnection owner;
  private final long[] ssrcs;
  private final long[] heights;
  private final boolean[] active;
  private final long[] lastPacketNanos;
  private final long[] windowStartNanos;
  private final long[] windowBytes;
  private final long[] bitrates;

  /**
   * @param ssrcs the layers' SSRCs (without their RTX), lowest first
   */
  SimulcastSource(String name, EndpointConnection owner, long[] ssrcs) {
    this.name = name;
    this.owner = owner;
    this.ssrcs = ssrcs.clone();
    int n = ssrcs.length;
    this.heights = new long[n];
    for (int i = 0; i < n; i++) {
      heights[i] = (long) BASE_LAYER_HEIGHT << i;
    }
    this.active = new boolean[n];
    this.lastPacketNanos = new long[n];
    this.windowStartNanos = new long[n];
    this.windowBytes = new long[n];
    this.bitrates = new long[n];
  }

  String name() {
    return name;
  }

  EndpointConnection owner() {
    return owner;
  }

  int layers() {
    return ssrcs.length;
  }

  long ssrc(int layer) {
    return ssrcs[layer];
  }

  /** The source's primary SSRC (its first layer): the one receivers know. */
  long primarySsrc() {
    return ssrcs[0];
  }

  /** The layer an SSRC belongs to, or -1. */
  int layerOf(long ssrc) {
    for (int i = 0; i < ssrcs.length; i++) {
      if (ssrcs[i] == ssrc) {
        return i;
      }
    }
    return -1;
  }

  /** Whether another source describes the same sender and layers (its state can be kept). */
  boolean sameAs(String otherName, EndpointConnection otherOwner, long[] otherSsrcs) {
    return name.equals(otherName) && owner == otherOwner && Arrays.equals(ssrcs, otherSsrcs);
  }

  /**
   * Notes a packet of {@code layer} ({@code bytes} long; {@code vp8} its payload descriptor or
   * null). True when that changed what layer selection sees: the layer (re)started, or a keyframe
   * showed another picture size.
   */
  synchronized boolean packetArrived(int layer, int bytes, Vp8Payload vp8, long nowNanos) {
    boolean changed = !active[layer];
    active[layer] = true;
    lastPacketNanos[layer] = nowNanos;
    if (nowNanos - windowStartNanos[layer] >= RATE_WINDOW_NANOS) {
      long elapsed = nowNanos - windowStartNanos[layer];
      bitrates[layer] =
          elapsed >= 2 * RATE_WINDOW_NANOS ? 0 : windowBytes[layer] * 8_000_000_000L / elapsed;
      windowStartNanos[layer] = nowNanos;
      windowBytes[layer] = 0;
    }
    windowBytes[layer] += bytes;
    if (vp8 != null && vp8.keyframeStart() && vp8.height() > 0) {
      // the smaller side, as the web app measures tiles and constraints (portrait video)
      long height = Math.min(vp8.width(), vp8.height());
      if (height > 0 && height != heights[layer]) {
        heights[layer] = height;
        changed = true;
      }
    }
    return changed;
  }

  /** Marks layers without packets for {@link #INACTIVE_AFTER_NANOS} stopped; true if any was. */
  synchronized boolean refresh(long nowNanos) {
    boolean changed = false;
    for (int i = 0; i < ssrcs.length; i++) {
      if (active[i] && nowNanos - lastPacketNanos[i] > INACTIVE_AFTER_NANOS) {
        active[i] = false;
        bitrates[i] = 0;
        changed = true;
      }
    }
    return changed;
  }

  /** What layer selection needs, copied under the lock. */
  synchronized Layers snapshot() {
    int n = ssrcs.length;
    int[] h = new int[n];
    for (int i = 0; i < n; i++) {
      h[i] = (int) Math.min(Integer.MAX_VALUE, heights[i]);
    }
    return new Layers(h, active.clone(), bitrates.clone());
  }

  /**
   * The layers as selection sees them.
   *
   * @param heights each layer's picture height (smaller side), learned from keyframes
   * @param active whether the layer is being sent
   * @param bitrates each layer's bitrate over the last second, bits/s (0 when stopped)
   */
  record Layers(int[] heights, boolean[] active, long[] bitrates) {

    /**
     * The layer for a receiver that allows {@code maxHeight} (-1 = no limit, 0 = nothing): the
     * highest layer being sent that fits, else the lowest being sent (a receiver that wants the
     * source at all gets at least that); while no layer is sent, the same by height alone, so the
     * first keyframe of a layer that starts can be taken at once. -1 for nothing.
     */
    int choose(int maxHeight) {
      if (maxHeight == 0) {
        return -1;
      }
      boolean anyActive = false;
      for (boolean a : active) {
        anyActive |= a;
      }
      int best = -1;
      int lowest = -1;
      for (int i = 0; i < heights.length; i++) {
        if (anyActive && !active[i]) {
          continue;
        }
        if (lowest < 0 || heights[i] < heights[lowest]) {
          lowest = i;
        }
        boolean fits = maxHeight < 0 || heights[i] <= maxHeight;
        if (fits && (best < 0 || heights[i] >= heights[best])) {
          best = i;
        }
      }
      return best >= 0 ? best : lowest;
    }
  }
}
