package io.openmeet.litebridge.media;

/**
 * Reading and building RTP/RTCP bytes (RFC 3550, 4585, 5104, 5761, 6464,
 * draft-alvestrand-rmcat-remb).
 */
final class Rtp {

  static final int RTCP_SR = 200;
  static final int RTCP_RR = 201;
  static final int RTCP_SDES = 202;
  static final int RTCP_BYE = 203;
  static final int RTCP_RTPFB = 205;
  static final int RTCP_PSFB = 206;
  static final int FMT_NACK = 1;
  static final int FMT_PLI = 1;
  static final int FMT_FIR = 4;
  static final int FMT_REMB = 15;

  private Rtp() {}

  /** DTLS records start with a content type in 20..63 (RFC 7983). */
  static boolean looksLikeDtls(byte[] b, int off, int len) {
    if (len < 13) {
      return false;
    }
    int first = b[off] & 0xFF;
    return first >= 20 && first <= 63;
  }

  /** Version 2 RTP or RTCP (first byte 128..191). */
  static boolean looksLikeRtpOrRtcp(byte[] b, int off, int len) {
    return len >= 12 && (b[off] & 0xC0) == 0x80;
  }

  /** RFC 5761: RTCP packet types 192..223 (here 200..211 are the ones in use). */
  static boolean isRtcp(byte[] b, int off, int len) {
    if (len < 8) {
      return false;
    }
    int pt = b[off + 1] & 0xFF;
    return pt >= 192 && pt <= 223;
  }

  static int payloadType(byte[] b, int off) {
    return b[off + 1] & 0x7F;
  }

  static int sequenceNumber(byte[] b, int off) {
    return ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
  }

  static long timestamp(byte[] b, int off) {
    return readUint32(b, off + 4);
  }

  static long ssrc(byte[] b, int off) {
    return readUint32(b, off + 8);
  }

  static long readUint32(byte[] b, int off) {
    return ((b[off] & 0xFFL) << 24)
        | ((b[off + 1] & 0xFFL) << 16)
        | ((b[off + 2] & 0xFFL) << 8)
        | (b[off + 3] & 0xFFL);
  }

  static void writeUint32(byte[] b, int off, long value) {
    b[off] = (byte) (value >>> 24);
    b[off + 1] = (byte) (value >>> 16);
    b[off + 2] = (byte) (value >>> 8);
    b[off + 3] = (byte) value;
  }

  static void writeUint16(byte[] b, int off, int value) {
    b[off] = (byte) (value >>> 8);
    b[off + 1] = (byte) value;
  }

  /** Length of the fixed header plus CSRCs plus header extension, or -1 if malformed. */
  static int headerLength(byte[] b, int off, int len) {
    int cc = b[off] & 0x0F;
    int header = 12 + 4 * cc;
    if ((b[off] & 0x10) != 0) {
      if (len < header + 4) {
        return -1;
      }
      int words = ((b[off + header + 2] & 0xFF) << 8) | (b[off + header + 3] & 0xFF);
      header += 4 + 4 * words;
    }
    return header <= len ? header : -1;
  }

  /**
   * Finds a header extension element by id (one-byte 0xBEDE or two-byte 0x100x profile). Returns
   * the offset of its data in {@code b} and its length packed as {@code (offset << 8) | length}, or
   * -1 if absent.
   */
  static long findExtension(byte[] b, int off, int len, int id) {
    if ((b[off] & 0x10) == 0 || id <= 0) {
      return -1;
    }
    int cc = b[off] & 0x0F;
    int start = off + 12 + 4 * cc;
    if (start + 4 > off + len) {
      return -1;
    }
    int profile = ((b[start] & 0xFF) << 8) | (b[start + 1] & 0xFF);
    int words = ((b[start + 2] & 0xFF) << 8) | (b[start + 3] & 0xFF);
    int pos = start + 4;
    int end = pos + 4 * words;
    if (end > off + len) {
      return -1;
    }
    if (profile == 0xBEDE) {
      while (pos < end) {
        int first = b[pos] & 0xFF;
        if (first == 0) {
          pos++;
          continue;
        }
        int elementId = first >>> 4;
        int elementLen = (first & 0x0F) + 1;
        if (elementId == 15) {
          return -1;
        }
        if (pos + 1 + elementLen > end) {
          return -1;
        }
        if (elementId == id) {
          return ((long) (pos + 1) << 8) | elementLen;
        }
        pos += 1 + elementLen;
      }
    } else if ((profile & 0xFFF0) == 0x1000) {
      while (pos + 2 <= end) {
        int elementId = b[pos] & 0xFF;
        if (elementId == 0) {
          pos++;
          continue;
        }
        int elementLen = b[pos + 1] & 0xFF;
        if (pos + 2 + elementLen > end) {
          return -1;
        }
        if (elementId == id) {
          return ((long) (pos + 2) << 8) | elementLen;
        }
        pos += 2 + elementLen;
      }
    }
    return -1;
  }

  /**
   * Whether a plain VP8 RTP packet (RFC 7741) starts a keyframe: the first packet of partition 0
   * whose VP8 payload header has P = 0.
   */
  static boolean isVp8KeyframeStart(byte[] b, int off, int len) {
    int header = headerLength(b, off, len);
    if (header < 0) {
      return false;
    }
    int end = off + len;
    if ((b[off] & 0x20) != 0 && len > header) {
      end -= b[end - 1] & 0xFF; // padding
    }
    int pos = off + header;
    if (pos >= end) {
      return false;
    }
    int descriptor = b[pos] & 0xFF;
    boolean start = (descriptor & 0x10) != 0;
    int partition = descriptor & 0x07;
    pos++;
    if ((descriptor & 0x80) != 0) {
      if (pos >= end) {
        return false;
      }
      int x = b[pos++] & 0xFF;
      if ((x & 0x80) != 0) {
        if (pos >= end) {
          return false;
        }
        pos += (b[pos] & 0x80) != 0 ? 2 : 1; // 7- or 15-bit PictureID
      }
      if ((x & 0x40) != 0) {
        pos++; // TL0PICIDX
      }
      if ((x & 0x30) != 0) {
        pos++; // TID/Y/KEYIDX
      }
    }
    return start && partition == 0 && pos < end && (b[pos] & 0x01) == 0;
  }

  /** The RFC 6464 level (0 = loudest .. 127 = silence) or -1 if the extension is absent. */
  static int audioLevel(byte[] b, int off, int len, int extensionId) {
    long found = findExtension(b, off, len, extensionId);
    if (found < 0) {
      return -1;
    }
    int pos = (int) (found >>> 8);
    return b[pos] & 0x7F;
  }

  /** Length in bytes of the RTCP packet at {@code off} (from its length field). */
  static int rtcpPacketLength(byte[] b, int off) {
    return (((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF)) * 4 + 4;
  }

  /** A PLI (RFC 4585 6.3.1). */
  static byte[] pli(long senderSsrc, long mediaSsrc) {
    byte[] p = new byte[12];
    p[0] = (byte) (0x80 | FMT_PLI);
    p[1] = (byte) RTCP_PSFB;
    writeUint16(p, 2, 2);
    writeUint32(p, 4, senderSsrc);
    writeUint32(p, 8, mediaSsrc);
    return p;
  }

  /** A FIR (RFC 5104 4.3.1) for one SSRC. */
  static byte[] fir(long senderSsrc, long mediaSsrc, int sequence) {
    byte[] p = new byte[20];
    p[0] = (byte) (0x80 | FMT_FIR);
    p[1] = (byte) RTCP_PSFB;
    writeUint16(p, 2, 4);
    writeUint32(p, 4, senderSsrc);
    writeUint32(p, 8, 0);
    writeUint32(p, 12, mediaSsrc);
    p[16] = (byte) sequence;
    return p;
  }

  /** A generic NACK (RFC 4585 6.2.1) for the given sequence numbers. */
  static byte[] nack(long senderSsrc, long mediaSsrc, int[] sequenceNumbers) {
    int[] pids = new int[sequenceNumbers.length];
    int[] blps = new int[sequenceNumbers.length];
    int n = 0;
    for (int seq : sequenceNumbers) {
      boolean merged = false;
      for (int i = 0; i < n; i++) {
        int diff = (seq - pids[i]) & 0xFFFF;
        if (diff >= 1 && diff <= 16) {
          blps[i] |= 1 << (diff - 1);
          merged = true;
          break;
        } else if (diff == 0) {
          merged = true;
          break;
        }
      }
      if (!merged) {
        pids[n] = seq & 0xFFFF;
        blps[n] = 0;
        n++;
      }
    }
    byte[] p = new byte[12 + 4 * n];
    p[0] = (byte) (0x80 | FMT_NACK);
    p[1] = (byte) RTCP_RTPFB;
    writeUint16(p, 2, p.length / 4 - 1);
    writeUint32(p, 4, senderSsrc);
    writeUint32(p, 8, mediaSsrc);
    for (int i = 0; i < n; i++) {
      writeUint16(p, 12 + 4 * i, pids[i]);
      writeUint16(p, 14 + 4 * i, blps[i]);
    }
    return p;
  }

  /** REMB: the receiver's estimate of the bitrate for the given media SSRCs. */
  static byte[] remb(long senderSsrc, long bitrate, long[] ssrcs) {
    int exp = 0;
    long mantissa = Math.max(0, bitrate);
    while (mantissa > 0x3FFFF) {
      mantissa >>>= 1;
      exp++;
    }
    byte[] p = new byte[20 + 4 * ssrcs.length];
    p[0] = (byte) (0x80 | FMT_REMB);
    p[1] = (byte) RTCP_PSFB;
    writeUint16(p, 2, p.length / 4 - 1);
    writeUint32(p, 4, senderSsrc);
    writeUint32(p, 8, 0);
    p[12] = 'R';
    p[13] = 'E';
    p[14] = 'M';
    p[15] = 'B';
    p[16] = (byte) ssrcs.length;
    p[17] = (byte) ((exp << 2) | (int) (mantissa >>> 16));
    p[18] = (byte) (mantissa >>> 8);
    p[19] = (byte) mantissa;
    for (int i = 0; i < ssrcs.length; i++) {
      writeUint32(p, 20 + 4 * i, ssrcs[i]);
    }
    return p;
  }

  /** Bitrate of a REMB packet at {@code off}, or -1 if it is not a REMB. */
  static long rembBitrate(byte[] b, int off, int len) {
    if (len < 20
        || (b[off + 1] & 0xFF) != RTCP_PSFB
        || (b[off] & 0x1F) != FMT_REMB
        || b[off + 12] != 'R'
        || b[off + 13] != 'E'
        || b[off + 14] != 'M'
        || b[off + 15] != 'B') {
      return -1;
    }
    int exp = (b[off + 17] & 0xFF) >>> 2;
    long mantissa =
        ((b[off + 17] & 0x03L) << 16) | ((b[off + 18] & 0xFFL) << 8) | (b[off + 19] & 0xFFL);
    return mantissa << exp;
  }

  /**
   * One report block for an RR. {@code lastSr} is the middle 32 bits of the NTP timestamp of the
   * source's last SR and {@code delaySinceLastSr} the time since it arrived in 1/65536 s (both 0
   * before any SR), so the sender can compute its round-trip time (RFC 3550 6.4.1).
   */
  record ReportBlock(
      long ssrc,
      int fractionLost,
      int cumulativeLost,
      long extendedHighestSeq,
      long jitter,
      long lastSr,
      long delaySinceLastSr) {}

  /** A receiver report (RFC 3550 6.4.2) with up to 31 report blocks. */
  static byte[] receiverReport(long senderSsrc, java.util.List<ReportBlock> blocks) {
    int n = Math.min(31, blocks.size());
    byte[] p = new byte[8 + 24 * n];
    p[0] = (byte) (0x80 | n);
    p[1] = (byte) RTCP_RR;
    writeUint16(p, 2, p.length / 4 - 1);
    writeUint32(p, 4, senderSsrc);
    for (int i = 0; i < n; i++) {
      ReportBlock block = blocks.get(i);
      int o = 8 + 24 * i;
      writeUint32(p, o, block.ssrc());
      int lost = Math.max(-0x800000, Math.min(0x7FFFFF, block.cumulativeLost()));
      writeUint32(p, o + 4, ((long) (block.fractionLost() & 0xFF) << 24) | (lost & 0xFFFFFFL));
      writeUint32(p, o + 8, block.extendedHighestSeq());
      writeUint32(p, o + 12, block.jitter());
      writeUint32(p, o + 16, block.lastSr());
      writeUint32(p, o + 20, block.delaySinceLastSr());
    }
    return p;
  }
}
