package io.openmeet.litebridge.media;

/** VP8 RTP packets for tests, laid out by hand from RFC 7741 4.2 and RFC 6386 9.1. */
final class Vp8Packets {

  private Vp8Packets() {}

  /**
   * One packet: RTP header (PT 100), then a payload descriptor with X=1, a PictureID (15 bits, or 7
   * when {@code pictureId} is negative: its bitwise complement), a TL0PICIDX and TID, then for a
   * keyframe start the 10-byte keyframe header of a {@code width} x {@code height} picture, then
   * {@code extra} bytes.
   */
  static byte[] packet(
      long ssrc,
      int seq,
      long ts,
      int pictureId,
      int tl0,
      int tid,
      boolean start,
      boolean keyframe,
      int width,
      int height,
      int extra) {
    boolean shortId = pictureId < 0;
    int descriptor = 1 + 1 + (shortId ? 1 : 2) + 1 + 1;
    int frameHeader = start ? (keyframe ? 10 : 3) : 0;
    byte[] p = new byte[12 + descriptor + frameHeader + extra];
    p[0] = (byte) 0x80;
    p[1] = (byte) 100;
    Rtp.writeUint16(p, 2, seq & 0xFFFF);
    Rtp.writeUint32(p, 4, ts & 0xFFFFFFFFL);
    Rtp.writeUint32(p, 8, ssrc);
    int pos = 12;
    p[pos++] = (byte) (0x80 | (start ? 0x10 : 0)); // X, S, partition 0
    p[pos++] = (byte) 0xE0; // I, L, T
    if (shortId) {
      p[pos++] = (byte) (~pictureId & 0x7F);
    } else {
      p[pos++] = (byte) (0x80 | ((pictureId >>> 8) & 0x7F));
      p[pos++] = (byte) pictureId;
    }
    p[pos++] = (byte) tl0;
    p[pos++] = (byte) (tid << 6);
    if (start) {
      p[pos] = (byte) (keyframe ? 0x10 : 0x11); // frame tag: P bit 0 = keyframe
      if (keyframe) {
        p[pos + 3] = (byte) 0x9D;
        p[pos + 4] = 0x01;
        p[pos + 5] = 0x2A;
        p[pos + 6] = (byte) width;
        p[pos + 7] = (byte) (width >>> 8);
        p[pos + 8] = (byte) height;
        p[pos + 9] = (byte) (height >>> 8);
      }
    }
    return p;
  }

  /** A one-packet frame. */
  static byte[] frame(long ssrc, int seq, long ts, int pictureId, int tl0, boolean keyframe) {
    return packet(ssrc, seq, ts, pictureId, tl0, 0, true, keyframe, 640, 360, 20);
  }
}
