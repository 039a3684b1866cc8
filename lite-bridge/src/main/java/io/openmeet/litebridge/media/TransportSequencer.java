package io.openmeet.litebridge.media;

/**
 * The bridge's own transport-wide sequence numbers on everything it sends to one receiver (media,
 * retransmissions, probing padding), in the element id that receiver negotiated for transport-cc,
 * and each packet's send time and size handed to its {@link BandwidthEstimator}. A receiver that
 * negotiated no transport-cc gets its packets unchanged.
 */
final class TransportSequencer {

  private final EndpointConnection receiver;
  private final BandwidthEstimator estimator;
  private long next;

  TransportSequencer(EndpointConnection receiver, BandwidthEstimator estimator) {
    this.receiver = receiver;
    this.estimator = estimator;
  }

  /**
   * The packet with the next transport-wide number added (a new array), recorded as sent now; the
   * same array when the receiver has no transport-cc id or the id cannot be written.
   */
  byte[] stamp(byte[] plain) {
    return stamp(plain, false);
  }

  /** The same for a packet that is probing padding ({@code padding}) or not. */
  byte[] stamp(byte[] plain, boolean padding) {
    int id = receiver.formats().transportCcExtensionId();
    if (id <= 0) {
      return plain;
    }
    // numbers must go out in the order they are given: one lock around numbering and recording
    synchronized (this) {
      long sequence = next;
      byte[] out = withExtension(plain, id, (int) (sequence & 0xFFFF));
      if (out == plain) {
        return plain;
      }
      next++;
      // SRTP adds its auth tag (10 bytes) to what the path carries
      estimator.packetSent(sequence, out.length + 10, System.nanoTime(), padding);
      return out;
    }
  }

  /**
   * {@code p} with a two-byte element {@code id} = {@code value} appended to its RFC 8285 header
   * extension block (a one-byte block is created when there is none), or {@code p} itself when the
   * packet's header does not parse or the id does not fit its block's form.
   */
  static byte[] withExtension(byte[] p, int id, int value) {
    if (p.length < 12 || (p[0] & 0xC0) != 0x80) {
      return p;
    }
    int start = 12 + 4 * (p[0] & 0x0F);
    if (start > p.length) {
      return p;
    }
    boolean has = (p[0] & 0x10) != 0;
    int profile = 0xBEDE;
    int oldLen = 0; // bytes of elements in the old block, without its 4-byte header
    int end = start;
    if (has) {
      if (start + 4 > p.length) {
        return p;
      }
      profile = ((p[start] & 0xFF) << 8) | (p[start + 1] & 0xFF);
      oldLen = 4 * (((p[start + 2] & 0xFF) << 8) | (p[start + 3] & 0xFF));
      end = start + 4 + oldLen;
      if (end > p.length) {
        return p;
      }
    }
    boolean oneByte = profile == 0xBEDE;
    boolean twoByte = (profile & 0xFFF0) == 0x1000;
    if ((!oneByte && !twoByte) || (oneByte && id > 14) || id > 255) {
      return p;
    }
    int used = has ? usedLength(p, start + 4, end, oneByte) : 0;
    if (used < 0) {
      return p;
    }
    int element = oneByte ? 3 : 4;
    int newLen = (used + element + 3) & ~3;
    byte[] out = new byte[start + 4 + newLen + (p.length - end)];
    System.arraycopy(p, 0, out, 0, start);
    out[0] |= 0x10;
    out[start] = (byte) (profile >>> 8);
    out[start + 1] = (byte) profile;
    out[start + 2] = (byte) ((newLen / 4) >>> 8);
    out[start + 3] = (byte) (newLen / 4);
    System.arraycopy(p, start + 4, out, start + 4, used);
    int w = start + 4 + used;
    if (oneByte) {
      out[w++] = (byte) ((id << 4) | 1);
    } else {
      out[w++] = (byte) id;
      out[w++] = 2;
    }
    out[w++] = (byte) (value >>> 8);
    out[w] = (byte) value;
    System.arraycopy(p, end, out, start + 4 + newLen, p.length - end);
    return out;
  }

  /** Bytes up to the end of the last element of a block (its trailing padding left out); -1 bad. */
  private static int usedLength(byte[] p, int from, int end, boolean oneByte) {
    int pos = from;
    int used = 0;
    while (pos < end) {
      if (p[pos] == 0) {
        pos++;
        continue;
      }
      int len;
      int data;
      if (oneByte) {
        if ((p[pos] & 0xFF) >>> 4 == 15) {
          return -1; // elements after this are not to be parsed: do not append behind it
        }
        len = (p[pos] & 0x0F) + 1;
        data = pos + 1;
      } else {
        if (pos + 2 > end) {
          return -1;
        }
        len = p[pos + 1] & 0xFF;
        data = pos + 2;
      }
      if (data + len > end) {
        return -1;
      }
      pos = data + len;
      used = pos - from;
    }
    return used;
  }
}
