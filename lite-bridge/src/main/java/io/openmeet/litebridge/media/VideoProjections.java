package io.openmeet.litebridge.media;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulcast sources as one receiver gets them: per source the layer chosen for it (the highest
 * one being sent that fits the height the allocation gives it) and the projection of that layer
 * onto the source's primary SSRC. A projection outlives pauses (a source that stops being forwarded
 * and comes back continues its numbering), and is dropped only with its source.
 */
final class VideoProjections {

  private final EndpointConnection receiver;
  private final Map<SimulcastSource, SimulcastProjection> projections = new ConcurrentHashMap<>();

  /** The effective maxHeight per forwarded source; null while every source is forwarded (-1). */
  private volatile Map<String, Integer> maxHeights;

  VideoProjections(EndpointConnection receiver) {
    this.receiver = receiver;
  }

  /** The allocation's heights for this receiver changed (null: forward everything, unlimited). */
  void setMaxHeights(Map<String, Integer> heights) {
    // in rank order (the allocation's), for when bandwidth decides which sources get less
    this.maxHeights =
        heights == null
            ? null
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(heights));
    for (SimulcastSource source : receiver.conference().sourceIndex().simulcast().values()) {
      reselect(source);
    }
  }

  /** The height this receiver may get of a source: -1 no limit, 0 not forwarded. */
  int maxHeight(String sourceName) {
    Map<String, Integer> heights = maxHeights;
    return heights == null ? -1 : heights.getOrDefault(sourceName, 0);
  }

  /** Chooses the layer of one source again (its layers or this receiver's constraints changed). */
  void reselect(SimulcastSource source) {
    if (source.owner() == receiver) {
      return;
    }
    int layer = source.snapshot().choose(maxHeight(source.name()));
    SimulcastProjection projection = projections.get(source);
    if (projection == null) {
      if (layer < 0) {
        return;
      }
      projection =
          projections.computeIfAbsent(
              source, s -> new SimulcastProjection(s.primarySsrc(), VIDEO_CLOCK_RATE));
    }
    projection.setTarget(layer);
  }

  /** The sources the conference knows now; projections of sources that are gone are dropped. */
  void sourcesChanged(Map<String, SimulcastSource> sources) {
    projections.keySet().removeIf(s -> sources.get(s.name()) != s);
    sources.values().forEach(this::reselect);
  }

  /**
   * Forwards a packet of {@code layer} of {@code source} if it is what this receiver gets (see
   * {@link SimulcastProjection#project}), and asks the sender for the keyframe a pending switch
   * waits for.
   */
  void forward(
      SimulcastSource source,
      int layer,
      byte[] plain,
      NegotiatedFormats senderFormats,
      Vp8Payload vp8,
      boolean keyframe,
      long nowNanos) {
    SimulcastProjection projection = projections.get(source);
    if (projection == null) {
      return;
    }
    byte[] out = projection.project(plain, layer, vp8, nowNanos);
    if (out != null) {
      receiver
          .forwarder()
          .forward(out, senderFormats, source.owner().endpointId(), false, keyframe, true);
    }
    int wanted = projection.keyframeToRequest(nowNanos);
    if (wanted >= 0) {
      source
          .owner()
          .keyframes()
          .requestKeyframe(
              source.ssrc(wanted), "layer " + wanted + " for " + receiver.endpointId());
    }
  }

  /**
   * The SSRC a PLI or FIR of this receiver about {@code source} (named by its primary SSRC) is
   * really about: the layer it gets, else the layer it waits for; -1 when it gets none.
   */
  long keyframeSsrc(SimulcastSource source) {
    SimulcastProjection projection = projections.get(source);
    int layer = projection == null ? -1 : projection.keyframeEncodingForReceiver();
    return layer < 0 ? -1 : source.ssrc(layer);
  }

  /** {@code source}'s SR for {@code layer} as this receiver should get it, or null. */
  byte[] senderReport(SimulcastSource source, int layer, byte[] sr) {
    SimulcastProjection projection = projections.get(source);
    return projection == null ? null : projection.senderReport(sr, layer);
  }

  /** The projection of a source (tests and stats), or null. */
  SimulcastProjection projection(SimulcastSource source) {
    return projections.get(source);
  }

  /** RTP clock of video (VP8): timestamps advance by this many ticks a second. */
  static final int VIDEO_CLOCK_RATE = 90_000;
}
