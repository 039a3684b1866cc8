package io.openmeet.litebridge.media;

/**
 * The parts of a VP8 RTP payload (RFC 7741 4.2 payload descriptor, RFC 6386 9.1 keyframe header)
 * that simulcast forwarding reads and rewrites: where the PictureID and TL0PICIDX sit, the temporal
 * layer, whether the packet starts a keyframe and, if so, the picture's size.
 *
 * @param pictureIdOffset the PictureID's offset in the packet, -1 when absent
 * @param longPictureId whether the PictureID has 15 bits (else 7)
 * @param pictureId its value
 * @param tl0PicIdxOffset the TL0PICIDX's offset in the packet, -1 when absent
 * @param tl0PicIdx its value
 * @param temporalLayer TID, -1 when absent
 * @param keyframeStart whether this is the first packet of a keyframe (S=1, partition 0, P=0)
 * @param width the keyframe's width in pixels (0 unless {@code keyframeStart} and readable)
 * @param height the keyframe's height in pixels (0 likewise)
 */
record Vp8Payload(
    int pictureIdOffset,
    boolean longPictureId,
    int pictureId,
    int tl0PicIdxOffset,
    int tl0PicIdx,
    int temporalLayer,
    boolean keyframeStart,
    int width,
    int height) {

  /** 2^15: PictureIDs wrap at this (a 7-bit one at 128). */
  static final int PICTURE_ID_MOD = 1 << 15;

  /**
   * Reads a plain RTP packet's VP8 payload descriptor; null when the packet is too short for the
   * descriptor it announces (a truncated or hostile packet: forwarding drops it).
   */
  static Vp8Payload parse(byte[] b, int off, int len) {
    int header = Rtp.headerLength(b, off, len);
    if (header < 0) {
      return null;
    }
    int end = off + len;
    if ((b[off] & 0x20) != 0 && len > header) {
      end -= b[end - 1] & 0xFF; // RTP padding
    }
    int pos = off + header;
    if (pos >= end) {
      return null; // padding only: nothing to read, nothing to rewrite
    }
    int descriptor = b[pos++] & 0xFF;
    int pictureIdOffset = -1;
    boolean longPictureId = false;
    int pictureId = 0;
    int tl0Offset = -1;
    int tl0 = 0;
    int tid = -1;
    if ((descriptor & 0x80) != 0) {
      if (pos >= end) {
        return null;
      }
      int x = b[pos++] & 0xFF;
      if ((x & 0x80) != 0) {
        if (pos >= end) {
          return null;
        }
        pictureIdOffset = pos - off;
        longPictureId = (b[pos] & 0x80) != 0;
        if (longPictureId) {
          if (pos + 1 >= end) {
            return null;
          }
          pictureId = ((b[pos] & 0x7F) << 8) | (b[pos + 1] & 0xFF);
          pos += 2;
        } else {
          pictureId = b[pos] & 0x7F;
          pos++;
        }
      }
      if ((x & 0x40) != 0) {
        if (pos >= end) {
          return null;
        }
        tl0Offset = pos - off;
        tl0 = b[pos++] & 0xFF;
      }
      if ((x & 0x30) != 0) {
        if (pos >= end) {
          return null;
        }
        if ((x & 0x20) != 0) {
          tid = (b[pos] & 0xC0) >>> 6;
        }
        pos++;
      }
    }
    boolean start = (descriptor & 0x10) != 0 && (descriptor & 0x07) == 0;
    boolean keyframe = start && pos < end && (b[pos] & 0x01) == 0;
    int width = 0;
    int height = 0;
    // RFC 6386 9.1: a 3-byte frame tag, the start code 9d 01 2a, then 14-bit width and height
    if (keyframe
        && pos + 10 <= end
        && (b[pos + 3] & 0xFF) == 0x9D
        && (b[pos + 4] & 0xFF) == 0x01
        && (b[pos + 5] & 0xFF) == 0x2A) {
      width = ((b[pos + 7] & 0x3F) << 8) | (b[pos + 6] & 0xFF);
      height = ((b[pos + 9] & 0x3F) << 8) | (b[pos + 8] & 0xFF);
    }
    return new Vp8Payload(
        pictureIdOffset, longPictureId, pictureId, tl0Offset, tl0, tid, keyframe, width, height);
  }

  /** The modulus of this packet's PictureID (2^15 or 2^7). */
  int pictureIdModulus() {
    return longPictureId ? PICTURE_ID_MOD : 128;
  }

  /** Writes another PictureID of the same width into the packet parsed (at {@code off}). */
  void writePictureId(byte[] b, int off, int value) {
    if (pictureIdOffset < 0) {
      return;
    }
    int pos = off + pictureIdOffset;
    if (longPictureId) {
      b[pos] = (byte) (0x80 | ((value >>> 8) & 0x7F));
      b[pos + 1] = (byte) value;
    } else {
      b[pos] = (byte) (value & 0x7F);
    }
  }

  /** Writes another TL0PICIDX into the packet parsed (at {@code off}). */
  void writeTl0PicIdx(byte[] b, int off, int value) {
    if (tl0PicIdxOffset >= 0) {
      b[off + tl0PicIdxOffset] = (byte) value;
    }
  }
}
