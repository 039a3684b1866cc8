package io.openmeet.testkit;

import java.security.SecureRandom;

/**
 * A Chromium-like VP8 simulcast camera on a {@link SyntheticEndpoint} created with {@code
 * Options.withSimulcast(n)}: each layer is its own stream (own sequence numbers, RTP timestamps,
 * PictureIDs and TL0PICIDX, all starting at random values), every frame goes out as two packets
 * with a full VP8 payload descriptor, keyframes carry the layer's picture size, and a layer sends a
 * keyframe when it starts and after a PLI or FIR for its SSRC, as a browser does. Each frame's
 * payload names its layer and frame number ({@link #layerOf}, {@link #frameOf}), so a receiver can
 * tell which layer the bridge forwarded.
 */
public final class SimulcastSender {

  /** The layers' picture sizes (Jitsi's ladder on a 720p camera), lowest first. */
  public static final int[][] SIZES = {{320, 180}, {640, 360}, {1280, 720}};

  /** RTP ticks (90 kHz) from one frame to the next: 20 frames a second. */
  public static final long FRAME_TICKS = 4500;

  private static final SecureRandom RANDOM = new SecureRandom();

  /** The bytes after the VP8 payload descriptor and frame header that name layer and frame. */
  private static final int MARK = 5;

  private final SyntheticEndpoint endpoint;
  private final long[] ssrcs;
  private final boolean[] active;
  private final boolean[] started;
  private final long[] timestamps;
  private final int[] pictureIds;
  private final int[] tl0s;
  private final long[] keyframeRequestsSeen;
  private final int[] frames;
  private final int[] extraBytes;

  public SimulcastSender(SyntheticEndpoint endpoint) {
    this(endpoint, new int[endpoint.layerSsrcs().length]);
  }

  /**
   * A sender whose layer {@code i} carries {@code extraBytes[i]} more bytes in each of its two
   * packets per frame, so layers cost different bitrates (about 72 kbit/s plus 320 bit/s per extra
   * byte), as a real encoder's do.
   */
  public SimulcastSender(SyntheticEndpoint endpoint, int[] extraBytes) {
    this.extraBytes = extraBytes.clone();
    this.endpoint = endpoint;
    this.ssrcs = endpoint.layerSsrcs();
    int n = ssrcs.length;
    this.active = new boolean[n];
    this.started = new boolean[n];
    this.timestamps = new long[n];
    this.pictureIds = new int[n];
    this.tl0s = new int[n];
    this.keyframeRequestsSeen = new long[n];
    this.frames = new int[n];
    for (int i = 0; i < n; i++) {
      active[i] = true;
      timestamps[i] = RANDOM.nextInt() & 0xFFFFFFFFL;
      pictureIds[i] = RANDOM.nextInt(1 << 15);
      tl0s[i] = RANDOM.nextInt(256);
    }
  }

  /** The RTP timestamp of the last frame sent on {@code layer}, in that layer's own numbering. */
  public synchronized long lastTimestamp(int layer) {
    return (timestamps[layer] - FRAME_TICKS) & 0xFFFFFFFFL;
  }

  /** Switches a layer on or off (as SenderSourceConstraints make the web app do). */
  public synchronized void setActive(int layer, boolean on) {
    if (on && !active[layer]) {
      started[layer] = false; // a layer that comes back starts with a keyframe
    }
    active[layer] = on;
  }

  /**
   * Sends the next frame (50 ms after the previous one) of every active layer: a keyframe where the
   * layer starts or a keyframe was asked for since the last frame.
   */
  public synchronized void tick() {
    for (int i = 0; i < ssrcs.length; i++) {
      if (!active[i]) {
        continue;
      }
      long requests = endpoint.keyframeRequests(ssrcs[i]);
      boolean keyframe = !started[i] || requests > keyframeRequestsSeen[i];
      keyframeRequestsSeen[i] = requests;
      started[i] = true;
      sendFrame(i, keyframe);
    }
  }

  private void sendFrame(int layer, boolean keyframe) {
    int frame = frames[layer]++;
    int pictureId = pictureIds[layer];
    int tl0 = tl0s[layer];
    long ts = timestamps[layer];
    int[] size = SIZES[Math.min(layer, SIZES.length - 1)];
    int extra = layer < extraBytes.length ? extraBytes[layer] : 0;
    byte[] first = new byte[6 + 10 + MARK + 200 + extra];
    int pos = descriptor(first, true, pictureId, tl0);
    first[pos] = (byte) (keyframe ? 0x10 : 0x11); // frame tag, P = 0 for a keyframe
    if (keyframe) {
      first[pos + 3] = (byte) 0x9D;
      first[pos + 4] = 0x01;
      first[pos + 5] = 0x2A;
      first[pos + 6] = (byte) size[0];
      first[pos + 7] = (byte) (size[0] >>> 8);
      first[pos + 8] = (byte) size[1];
      first[pos + 9] = (byte) (size[1] >>> 8);
    }
    mark(first, pos + 10, layer, frame);
    byte[] second = new byte[6 + MARK + 200 + extra];
    mark(second, descriptor(second, false, pictureId, tl0), layer, frame);
    endpoint.sendVideoPacket(ssrcs[layer], ts, false, first);
    endpoint.sendVideoPacket(ssrcs[layer], ts, true, second);
    timestamps[layer] = (ts + FRAME_TICKS) & 0xFFFFFFFFL;
    pictureIds[layer] = (pictureId + 1) & 0x7FFF;
    tl0s[layer] = (tl0 + 1) & 0xFF; // every frame is a base-layer frame
  }

  /** X=1, S, partition 0; I (15-bit PictureID), L (TL0PICIDX), T (TID 0). Returns its end. */
  private static int descriptor(byte[] b, boolean start, int pictureId, int tl0) {
    b[0] = (byte) (0x80 | (start ? 0x10 : 0));
    b[1] = (byte) 0xE0;
    b[2] = (byte) (0x80 | (pictureId >>> 8));
    b[3] = (byte) pictureId;
    b[4] = (byte) tl0;
    b[5] = 0;
    return 6;
  }

  private static void mark(byte[] b, int pos, int layer, int frame) {
    b[pos] = (byte) (0xA0 | layer);
    b[pos + 1] = (byte) (frame >>> 24);
    b[pos + 2] = (byte) (frame >>> 16);
    b[pos + 3] = (byte) (frame >>> 8);
    b[pos + 4] = (byte) frame;
  }

  private static int markAt(byte[] vp8) {
    boolean start = (vp8[0] & 0x10) != 0;
    return 6 + (start ? 10 : 0);
  }

  /** The layer a received VP8 payload (after the RTP header) was sent on. */
  public static int layerOf(byte[] vp8) {
    return vp8[markAt(vp8)] & 0x0F;
  }

  /** The layer's frame number of a received VP8 payload. */
  public static int frameOf(byte[] vp8) {
    int pos = markAt(vp8) + 1;
    return ((vp8[pos] & 0xFF) << 24)
        | ((vp8[pos + 1] & 0xFF) << 16)
        | ((vp8[pos + 2] & 0xFF) << 8)
        | (vp8[pos + 3] & 0xFF);
  }

  /** The 15-bit PictureID of a received VP8 payload. */
  public static int pictureIdOf(byte[] vp8) {
    return ((vp8[2] & 0x7F) << 8) | (vp8[3] & 0xFF);
  }

  /** The TL0PICIDX of a received VP8 payload. */
  public static int tl0Of(byte[] vp8) {
    return vp8[4] & 0xFF;
  }

  /** Whether a received VP8 payload starts a keyframe. */
  public static boolean isKeyframeStart(byte[] vp8) {
    return (vp8[0] & 0x10) != 0 && (vp8[6] & 0x01) == 0;
  }
}
