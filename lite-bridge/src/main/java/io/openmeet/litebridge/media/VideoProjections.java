package io.openmeet.litebridge.media;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulcast sources as one receiver gets them: per source the layer chosen for it (the highest
 * one being sent that fits the height the allocation gives it and this receiver's bandwidth
 * estimate, see {@link LayerBudget}) and the projection of that layer onto the source's primary
 * SSRC. A projection outlives pauses (a source that stops being forwarded and comes back continues
 * its numbering), and is dropped only with its source.
 */
final class VideoProjections {

  private final EndpointConnection receiver;
  private final Map<SimulcastSource, SimulcastProjection> projections = new ConcurrentHashMap<>();
  private volatile LayerBudget.Result allocation = LayerBudget.Result.NONE;
  private long lastProbeNanos = System.nanoTime();
  private double probeCredit;
  private volatile long paddingSent;
  private final ProbeSchedule schedule = new ProbeSchedule(); // only probe() uses it
  private final LayerHold hold = new LayerHold(); // only reallocate() uses it
  private volatile long holdSinceNanos = Long.MIN_VALUE;
  private boolean wasHolding;

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
    reallocate();
  }

  /** The height this receiver may get of a source: -1 no limit, 0 not forwarded. */
  int maxHeight(String sourceName) {
    Map<String, Integer> heights = maxHeights;
    return heights == null ? -1 : heights.getOrDefault(sourceName, 0);
  }

  /** Chooses the layer of one source again (its layers or this receiver's constraints changed). */
  void reselect(SimulcastSource source) {
    if (source.owner() != receiver) {
      reallocate();
    }
  }

  /**
   * Chooses every simulcast source's layer again: per source the highest layer being sent that fits
   * the height the allocation gives it, and, once this receiver's feedback gave an estimate, within
   * that estimate ({@link LayerBudget}: the sources in rank order each get their lowest layer
   * first, then each in turn as much more as fits).
   */
  synchronized void reallocate() {
    Map<String, SimulcastSource> all = receiver.conference().sourceIndex().simulcast();
    Map<String, Integer> heights = maxHeights;
    List<SimulcastSource> ranked = new ArrayList<>();
    if (heights != null) {
      for (String name : heights.keySet()) {
        SimulcastSource source = all.get(name);
        if (source != null && source.owner() != receiver) {
          ranked.add(source);
        }
      }
    }
    for (SimulcastSource source : all.values()) {
      if (source.owner() != receiver && !ranked.contains(source)) {
        ranked.add(source); // not forwarded (height 0), or every source is (no allocation yet)
      }
    }
    List<SimulcastSource.Layers> layers = new ArrayList<>();
    int[] ideal = new int[ranked.size()];
    int[] current = new int[ranked.size()];
    for (int i = 0; i < ranked.size(); i++) {
      SimulcastSource source = ranked.get(i);
      SimulcastSource.Layers snapshot = source.snapshot();
      layers.add(snapshot);
      ideal[i] = snapshot.choose(maxHeight(source.name()));
      SimulcastProjection projection = projections.get(source);
      current[i] = projection == null ? -1 : projection.target();
    }
    long estimate = trustedEstimate();
    long now = System.nanoTime();
    LayerBudget.Result result = hold.allocate(now, layers, ideal, current, estimate);
    boolean holding = hold.holding(now);
    holdSinceNanos = holding ? hold.holdSinceNanos() : Long.MIN_VALUE;
    if (result.limited() != allocation.limited()
        || !java.util.Arrays.equals(result.layers(), allocation.layers())
        || holding != wasHolding) {
      // a few lines per change of layers: enough to line up with a browser's trace
      receiver
          .timeline()
          .log(
              "layers "
                  + java.util.Arrays.toString(result.layers())
                  + " (ideal "
                  + java.util.Arrays.toString(ideal)
                  + ") for an estimate of "
                  + estimate / 1000
                  + " kbit/s"
                  + (result.limited() ? ", limited by bandwidth" : "")
                  + (holding ? ", layers held" : "")
                  + bandwidthCause());
    }
    wasHolding = holding;
    allocation = result;
    for (int i = 0; i < ranked.size(); i++) {
      SimulcastSource source = ranked.get(i);
      int layer = result.layers()[i];
      SimulcastProjection projection = projections.get(source);
      if (projection == null) {
        if (layer < 0) {
          continue;
        }
        projection =
            projections.computeIfAbsent(
                source, s -> new SimulcastProjection(s.primarySsrc(), VIDEO_CLOCK_RATE));
      }
      projection.setTarget(layer);
    }
  }

  /**
   * Probing: pads what this receiver gets with padding-only RTX packets (on the RTX SSRC of a
   * source it receives) up to the rate its {@link ProbeSchedule} says, so its feedback shows
   * whether the path carries more. Called every {@link #PROBE_PERIOD_NANOS}.
   */
  void probe(long nowNanos) {
    LayerBudget.Result result = allocation;
    long estimate = trustedEstimate();
    long elapsed = Math.min(nowNanos - lastProbeNanos, 4 * PROBE_PERIOD_NANOS);
    lastProbeNanos = nowNanos;
    BandwidthEstimator bwe = receiver.bandwidth();
    long[] rtx = result.limited() || bwe.probing() ? paddingTarget() : null;
    long targetBps =
        schedule.target(
            nowNanos,
            result.limited(),
            holdSinceNanos,
            result.idealBps(),
            estimate,
            result.allocatedBps(),
            rtx != null && receiver.srtpSender().ready(),
            bwe);
    // what goes out anyway (layers, audio, retransmissions) counts towards the target
    long paddingBps = targetBps - Math.max(result.allocatedBps(), bwe.sentBps(nowNanos));
    if (paddingBps <= 0 || rtx == null) {
      probeCredit = 0;
      return;
    }
    probeCredit += paddingBps * (double) elapsed / 8e9;
    while (probeCredit >= PADDING_BYTES) {
      probeCredit -= PADDING_BYTES;
      byte[] padding = new byte[12 + PADDING_BYTES];
      padding[0] = (byte) 0xA0; // V=2, P=1
      padding[1] = (byte) rtx[1];
      Rtp.writeUint16(padding, 2, receiver.nacks().nextRtxSequence(rtx[0]));
      Rtp.writeUint32(padding, 4, (nowNanos / 1_000L * 9 / 100) & 0xFFFFFFFFL);
      Rtp.writeUint32(padding, 8, rtx[0]);
      padding[padding.length - 1] = (byte) PADDING_BYTES;
      receiver.srtpSender().sendPadding(padding);
      paddingSent++;
    }
  }

  /** The RTX SSRC and payload type padding goes out on, or null when this receiver has none. */
  private long[] paddingTarget() {
    NegotiatedFormats formats = receiver.formats();
    Integer rtxPt = null;
    for (int vp8 : formats.vp8PayloadTypes()) {
      rtxPt = formats.rtxByApt().get(vp8);
      if (rtxPt != null) {
        break;
      }
    }
    if (rtxPt == null) {
      return null;
    }
    Map<Long, Long> primaryToRtx = receiver.conference().sourceIndex().primaryToRtx();
    for (Map.Entry<SimulcastSource, SimulcastProjection> e : projections.entrySet()) {
      Long rtx = primaryToRtx.get(e.getKey().primarySsrc());
      if (rtx != null && e.getValue().current() >= 0) {
        return new long[] {rtx, rtxPt};
      }
    }
    return null;
  }

  /** Padding packets sent to probe this receiver's path. */
  long paddingSent() {
    return paddingSent;
  }

  /** Which of the estimator's bounds cut so far, for the timeline's layer lines. */
  private String bandwidthCause() {
    BandwidthEstimator bwe = receiver.bandwidth();
    return " (delay cuts "
        + bwe.overuses()
        + ", loss cuts "
        + bwe.lossCuts()
        + ", last loss "
        + Math.round(bwe.lossFraction() * 100)
        + " %)";
  }

  /** The receiver's estimate, or -1 when there is none or it is not to be trusted (config). */
  private long trustedEstimate() {
    return receiver.conference().engine().config().trustBwe()
        ? receiver.bandwidth().estimate()
        : -1;
  }

  /** The last allocation's totals (for probing and stats). */
  LayerBudget.Result allocation() {
    return allocation;
  }

  /** The sources the conference knows now; projections of sources that are gone are dropped. */
  void sourcesChanged(Map<String, SimulcastSource> sources) {
    projections.keySet().removeIf(s -> sources.get(s.name()) != s);
    reallocate();
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

  /** How often probing padding goes out. */
  static final long PROBE_PERIOD_NANOS = 20_000_000L;

  /** Bytes of padding per probing packet (the most an RTP padding count can say). */
  static final int PADDING_BYTES = 255;

  /** RTP clock of video (VP8): timestamps advance by this many ticks a second. */
  static final int VIDEO_CLOCK_RATE = 90_000;
}
