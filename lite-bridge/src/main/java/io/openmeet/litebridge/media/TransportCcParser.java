package io.openmeet.litebridge.media;

/**
 * Reads a receiver's transport-cc feedback (RTCP RTPFB FMT 15,
 * draft-holmer-rmcat-transport-wide-cc-extensions-01) about the transport-wide sequence numbers the
 * bridge put on what it sent there: for each number from the base, its arrival time or that it is
 * missing. A packet that contradicts its own length fields is refused (null), never half-read.
 */
final class TransportCcParser {

  /** Marks a sequence number the receiver reports as not received. */
  static final long LOST = Long.MIN_VALUE;

  private TransportCcParser() {}

  /**
   * One feedback: {@code arrivalMicros[i]} is when {@code baseSequence + i} (mod 2^16) arrived, in
   * the receiver's clock (reference time plus deltas, microseconds), or {@link #LOST}.
   */
  record Report(int baseSequence, int feedbackCount, long[] arrivalMicros) {

    int count() {
      return arrivalMicros.length;
    }
  }

  /**
   * Parses the RTCP packet at {@code off} ({@code len} bytes as its length field says), or returns
   * null when it is not a well-formed transport-cc feedback.
   */
  static Report parse(byte[] b, int off, int len) {
    if (len < 20
        || off < 0
        || off + len > b.length
        || (b[off + 1] & 0xFF) != Rtp.RTCP_RTPFB
        || (b[off] & 0x1F) != TransportCcFeedback.FMT_TRANSPORT_CC) {
      return null;
    }
    int end = off + len;
    if ((b[off] & 0x20) != 0) {
      int padding = b[end - 1] & 0xFF;
      if (padding == 0 || padding > len - 20) {
        return null;
      }
      end -= padding;
    }
    int base = ((b[off + 12] & 0xFF) << 8) | (b[off + 13] & 0xFF);
    int count = ((b[off + 14] & 0xFF) << 8) | (b[off + 15] & 0xFF);
    long reference =
        ((b[off + 16] & 0xFFL) << 16) | ((b[off + 17] & 0xFFL) << 8) | (b[off + 18] & 0xFFL);
    int feedbackCount = b[off + 19] & 0xFF;
    if (count == 0) {
      return null;
    }
    int[] symbols = new int[count];
    int pos = off + 20;
    int filled = 0;
    while (filled < count) {
      if (pos + 2 > end) {
        return null;
      }
      int chunk = ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF);
      pos += 2;
      if ((chunk & 0x8000) == 0) {
        int symbol = (chunk >>> 13) & 0x03;
        int run = chunk & 0x1FFF;
        if (run == 0) {
          return null;
        }
        for (int i = 0; i < run && filled < count; i++) {
          symbols[filled++] = symbol;
        }
      } else if ((chunk & 0x4000) == 0) {
        for (int i = 13; i >= 0 && filled < count; i--) {
          symbols[filled++] = (chunk >>> i) & 0x01;
        }
      } else {
        for (int i = 6; i >= 0 && filled < count; i--) {
          symbols[filled++] = (chunk >>> (2 * i)) & 0x03;
        }
      }
    }
    long[] arrivals = new long[count];
    long time = reference * TransportCcFeedback.REFERENCE_TIME_MICROS;
    for (int i = 0; i < count; i++) {
      switch (symbols[i]) {
        case 0 -> arrivals[i] = LOST;
        case 1 -> {
          if (pos + 1 > end) {
            return null;
          }
          time += (b[pos] & 0xFF) * TransportCcFeedback.TICK_MICROS;
          pos += 1;
          arrivals[i] = time;
        }
        case 2 -> {
          if (pos + 2 > end) {
            return null;
          }
          time +=
              (short) (((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF))
                  * TransportCcFeedback.TICK_MICROS;
          pos += 2;
          arrivals[i] = time;
        }
        default -> {
          return null; // symbol 3 is reserved
        }
      }
    }
    return new Report(base, feedbackCount, arrivals);
  }
}
