package io.openmeet.litebridge.media;

/**
 * One receiver's view of one simulcast source: which encoding (layer) it gets, and the rewriting
 * that makes whatever it gets look like one continuous stream on the source's primary SSRC, as
 * JVB's source projection does. The bridge switches encodings only at a keyframe of the new one; at
 * a switch, sequence numbers, RTP timestamps, VP8 PictureIDs and TL0PICIDX continue from the last
 * ones forwarded (the timestamp advances by the wall-clock time since), and afterwards every packet
 * of the encoding is shifted by the same amounts, so losses and reordering stay visible to the
 * receiver as they were.
 *
 * <p>Packets of one source come from its sender's worker thread; targets are set by allocation and
 * timer threads. Every method is synchronized.
 */
final class SimulcastProjection {

  /** A pending switch is asked of the sender again this often until its keyframe arrives. */
  static final long KEYFRAME_RETRY_NANOS = 500_000_000L;

  private final long targetSsrc;
  private final int clockRate;

  private int target = -1;
  private int current = -1;
  private boolean started;

  private int sequenceDelta;
  private long timestampDelta;
  private int pictureIdDelta;
  private int tl0Delta;
  private int firstSequenceIn;

  private int lastSequenceOut;
  private long lastTimestampOut;
  private int lastPictureIdOut = -1;
  private int lastTl0Out = -1;
  private long lastSentNanos;
  private long keyframeAskedNanos;
  private boolean keyframeAsked;
  private long switches;

  /**
   * @param targetSsrc the SSRC every encoding is forwarded on (the source's primary)
   * @param clockRate the RTP clock of the video (90 kHz)
   */
  SimulcastProjection(long targetSsrc, int clockRate) {
    this.targetSsrc = targetSsrc;
    this.clockRate = clockRate;
  }

  long targetSsrc() {
    return targetSsrc;
  }

  /**
   * The encoding this receiver should get; -1 stops forwarding (a later start needs a keyframe).
   */
  synchronized void setTarget(int encoding) {
    if (encoding != target) {
      keyframeAsked = false;
    }
    target = encoding;
    if (encoding < 0) {
      current = -1;
    }
  }

  synchronized int target() {
    return target;
  }

  /** The encoding being forwarded, -1 while none is (before the target's first keyframe). */
  synchronized int current() {
    return current;
  }

  /** How many times the forwarded encoding changed (the first start counts). */
  synchronized long switches() {
    return switches;
  }

  /**
   * The encoding whose keyframe this receiver waits for and that the sender should be asked for now
   * (at most every {@link #KEYFRAME_RETRY_NANOS}), or -1. Counts as asked.
   */
  synchronized int keyframeToRequest(long nowNanos) {
    if (target < 0 || target == current) {
      return -1;
    }
    if (keyframeAsked && nowNanos - keyframeAskedNanos < KEYFRAME_RETRY_NANOS) {
      return -1;
    }
    keyframeAsked = true;
    keyframeAskedNanos = nowNanos;
    return target;
  }

  /** The encoding a receiver's own PLI/FIR is about: the one it gets, else the one it waits for. */
  synchronized int keyframeEncodingForReceiver() {
    return current >= 0 ? current : target;
  }

  /**
   * The packet as this receiver gets it (a rewritten copy), or null when it is not forwarded: it
   * belongs to another encoding, to the target before its keyframe, or precedes the switch.
   *
   * @param plain a decrypted RTP packet of encoding {@code encoding}
   * @param vp8 its VP8 payload descriptor, null when it is not VP8 (such packets can never start a
   *     switch, as no keyframe can be recognised in them)
   */
  synchronized byte[] project(byte[] plain, int encoding, Vp8Payload vp8, long nowNanos) {
    int sequence = Rtp.sequenceNumber(plain, 0);
    if (encoding != current) {
      if (encoding != target || vp8 == null || !vp8.keyframeStart()) {
        return null;
      }
      switchTo(encoding, plain, vp8, nowNanos);
    } else if ((short) (sequence - firstSequenceIn) < 0) {
      return null; // older than the keyframe we switched at: its numbers were given away
    }
    byte[] out = plain.clone();
    int sequenceOut = (sequence + sequenceDelta) & 0xFFFF;
    long timestampOut = (Rtp.timestamp(plain, 0) + timestampDelta) & 0xFFFFFFFFL;
    Rtp.writeUint16(out, 2, sequenceOut);
    Rtp.writeUint32(out, 4, timestampOut);
    Rtp.writeUint32(out, 8, targetSsrc);
    if (vp8 != null && vp8.pictureIdOffset() >= 0) {
      int modulus = vp8.pictureIdModulus();
      int pictureIdOut = Math.floorMod(vp8.pictureId() + pictureIdDelta, modulus);
      vp8.writePictureId(out, 0, pictureIdOut);
      if (lastPictureIdOut < 0 || isNewer(pictureIdOut, lastPictureIdOut % modulus, modulus)) {
        lastPictureIdOut = pictureIdOut;
      }
    }
    if (vp8 != null && vp8.tl0PicIdxOffset() >= 0) {
      int tl0Out = (vp8.tl0PicIdx() + tl0Delta) & 0xFF;
      vp8.writeTl0PicIdx(out, 0, tl0Out);
      if (lastTl0Out < 0 || isNewer(tl0Out, lastTl0Out, 256)) {
        lastTl0Out = tl0Out;
      }
    }
    if ((short) (sequenceOut - lastSequenceOut) > 0) {
      lastSequenceOut = sequenceOut;
    }
    if ((int) (timestampOut - lastTimestampOut) > 0) {
      lastTimestampOut = timestampOut;
    }
    lastSentNanos = nowNanos;
    return out;
  }

  private void switchTo(int encoding, byte[] plain, Vp8Payload vp8, long nowNanos) {
    int sequence = Rtp.sequenceNumber(plain, 0);
    long timestamp = Rtp.timestamp(plain, 0);
    if (!started) {
      // the first encoding keeps its own numbers: nothing was forwarded that they must follow
      started = true;
      sequenceDelta = 0;
      timestampDelta = 0;
      pictureIdDelta = 0;
      tl0Delta = 0;
      lastSequenceOut = (sequence - 1) & 0xFFFF;
      lastTimestampOut = timestamp;
    } else {
      sequenceDelta = (lastSequenceOut + 1 - sequence) & 0xFFFF;
      long elapsedTicks = Math.max(1, (nowNanos - lastSentNanos) * clockRate / 1_000_000_000L);
      timestampDelta = (lastTimestampOut + elapsedTicks - timestamp) & 0xFFFFFFFFL;
      if (vp8.pictureIdOffset() >= 0 && lastPictureIdOut >= 0) {
        int modulus = vp8.pictureIdModulus();
        pictureIdDelta = Math.floorMod(lastPictureIdOut + 1 - vp8.pictureId(), modulus);
      }
      if (vp8.tl0PicIdxOffset() >= 0 && lastTl0Out >= 0) {
        tl0Delta = (lastTl0Out + 1 - vp8.tl0PicIdx()) & 0xFF;
      }
    }
    current = encoding;
    firstSequenceIn = sequence;
    keyframeAsked = false;
    switches++;
  }

  /**
   * A sender report of encoding {@code encoding} as this receiver gets it (on the target SSRC, with
   * the RTP timestamp shifted like the packets), or null when that is not the encoding it gets: the
   * NTP/RTP pair must describe the stream the receiver plays, or lip sync breaks.
   */
  synchronized byte[] senderReport(byte[] sr, int encoding) {
    if (encoding != current || sr.length < 20) {
      return null;
    }
    byte[] out = sr.clone();
    Rtp.writeUint32(out, 4, targetSsrc);
    Rtp.writeUint32(out, 16, (Rtp.readUint32(sr, 16) + timestampDelta) & 0xFFFFFFFFL);
    return out;
  }

  /** Whether {@code a} comes after {@code b} in a sequence that wraps at {@code modulus}. */
  private static boolean isNewer(int a, int b, int modulus) {
    int diff = Math.floorMod(a - b, modulus);
    return diff != 0 && diff < modulus / 2;
  }
}
