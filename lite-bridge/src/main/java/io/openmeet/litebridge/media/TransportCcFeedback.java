package io.openmeet.litebridge.media;

/**
 * Builds one transport-wide congestion control feedback packet (RTCP RTPFB, FMT 15,
 * draft-holmer-rmcat-transport-wide-cc-extensions-01): which of a run of transport-wide sequence
 * numbers arrived, and when.
 *
 * <p>Packets are added in increasing sequence order as offsets from the base sequence number; the
 * numbers skipped between them are reported as not received. The reference time comes from the
 * first received packet (in units of 64 ms) and every arrival is a delta, in 250 µs ticks, from the
 * previous received packet (the first from the reference time). Arrival times are rounded to a tick
 * each, never summed, so rounding does not drift.
 */
final class TransportCcFeedback {

  static final int FMT_TRANSPORT_CC = 15;

  /** One delta tick (µs). */
  static final long TICK_MICROS = 250;

  /** One unit of the reference time (µs): 256 ticks. */
  static final long REFERENCE_TIME_MICROS = 64_000;

  /**
   * Statuses (sequence numbers, received or not) per packet. With {@link #MAX_DELTA_BYTES} this
   * keeps a feedback under 1,200 bytes: at most 100 two-byte chunks, 960 bytes of deltas.
   */
  static final int MAX_STATUSES = 700;

  static final int MAX_DELTA_BYTES = 960;

  private static final int NOT_RECEIVED = 0;
  private static final int SMALL_DELTA = 1;
  private static final int LARGE_DELTA = 2;
  private static final int MAX_RUN_LENGTH = 0x1FFF;

  private final long senderSsrc;
  private final long mediaSsrc;
  private final int feedbackCount;
  private final int baseSequence;
  private final byte[] symbols = new byte[MAX_STATUSES];
  private final byte[] deltas = new byte[MAX_DELTA_BYTES];
  private int statusCount;
  private int deltaBytes;
  private long referenceTime = -1;
  private long previousTicks;

  /**
   * An empty feedback from {@code senderSsrc} about the packets of {@code mediaSsrc}'s transport,
   * starting at {@code baseSequence} (16 bits); {@code feedbackCount} is written modulo 256.
   */
  TransportCcFeedback(long senderSsrc, long mediaSsrc, int feedbackCount, int baseSequence) {
    this.senderSsrc = senderSsrc;
    this.mediaSsrc = mediaSsrc;
    this.feedbackCount = feedbackCount & 0xFF;
    this.baseSequence = baseSequence & 0xFFFF;
  }

  /**
   * Adds the packet {@code offset} sequence numbers after the base, which arrived at {@code
   * arrivalMicros} (any monotonic origin, not negative). False, and nothing added, when it does not
   * fit: beyond {@link #MAX_STATUSES}, out of delta bytes, or too far in time from the previous one
   * for a 16-bit delta. Then build this one and start the next feedback at that packet.
   *
   * @throws IllegalArgumentException if {@code offset} does not follow the last one added
   */
  boolean addReceived(int offset, long arrivalMicros) {
    if (offset < statusCount) {
      throw new IllegalArgumentException(
          "offset " + offset + " does not follow " + (statusCount - 1));
    }
    if (offset >= MAX_STATUSES) {
      return false;
    }
    long ticks = Math.floorDiv(Math.max(0, arrivalMicros) + TICK_MICROS / 2, TICK_MICROS);
    long reference = referenceTime;
    long previous = previousTicks;
    if (reference < 0) {
      reference = Math.max(0, arrivalMicros) / REFERENCE_TIME_MICROS;
      previous = reference * (REFERENCE_TIME_MICROS / TICK_MICROS);
    }
    long delta = ticks - previous;
    int symbol = delta >= 0 && delta <= 0xFF ? SMALL_DELTA : LARGE_DELTA;
    if (delta < Short.MIN_VALUE || delta > Short.MAX_VALUE) {
      return false;
    }
    int size = symbol == SMALL_DELTA ? 1 : 2;
    if (deltaBytes + size > MAX_DELTA_BYTES) {
      return false;
    }
    if (symbol == SMALL_DELTA) {
      deltas[deltaBytes] = (byte) delta;
    } else {
      deltas[deltaBytes] = (byte) (delta >> 8);
      deltas[deltaBytes + 1] = (byte) delta;
    }
    deltaBytes += size;
    for (int i = statusCount; i < offset; i++) {
      symbols[i] = NOT_RECEIVED;
    }
    symbols[offset] = (byte) symbol;
    statusCount = offset + 1;
    referenceTime = reference;
    previousTicks = ticks;
    return true;
  }

  /** Whether no packet was added yet. */
  boolean isEmpty() {
    return referenceTime < 0;
  }

  /** How many sequence numbers the feedback covers so far (the last one added is received). */
  int statusCount() {
    return statusCount;
  }

  /**
   * The RTCP packet, padded to 32 bits with RTCP padding (P bit, the last byte says how many).
   *
   * @throws IllegalStateException if no packet was added
   */
  byte[] build() {
    if (isEmpty()) {
      throw new IllegalStateException("a transport-cc feedback needs a received packet");
    }
    byte[] chunks = new byte[2 * ((statusCount + 6) / 7)];
    int chunkBytes = writeChunks(chunks);
    int unpadded = 20 + chunkBytes + deltaBytes;
    int padding = (4 - unpadded % 4) % 4;
    byte[] p = new byte[unpadded + padding];
    p[0] = (byte) (0x80 | (padding > 0 ? 0x20 : 0) | FMT_TRANSPORT_CC);
    p[1] = (byte) Rtp.RTCP_RTPFB;
    Rtp.writeUint16(p, 2, p.length / 4 - 1);
    Rtp.writeUint32(p, 4, senderSsrc);
    Rtp.writeUint32(p, 8, mediaSsrc);
    Rtp.writeUint16(p, 12, baseSequence);
    Rtp.writeUint16(p, 14, statusCount);
    long reference = referenceTime & 0xFFFFFF;
    p[16] = (byte) (reference >>> 16);
    p[17] = (byte) (reference >>> 8);
    p[18] = (byte) reference;
    p[19] = (byte) feedbackCount;
    System.arraycopy(chunks, 0, p, 20, chunkBytes);
    System.arraycopy(deltas, 0, p, 20 + chunkBytes, deltaBytes);
    if (padding > 0) {
      p[p.length - 1] = (byte) padding;
    }
    return p;
  }

  /**
   * Packet status chunks, greedily: a run-length chunk for a run of 14 or more equal symbols, else
   * a one-bit vector when the next 14 symbols need no large delta, else a run-length chunk for a
   * run of 7 or more, else a two-bit vector of 7. Only the last chunk may cover fewer symbols than
   * its kind holds; the status count tells the reader where to stop.
   */
  private int writeChunks(byte[] out) {
    int w = 0;
    int i = 0;
    while (i < statusCount) {
      int symbol = symbols[i];
      int run = 1;
      while (i + run < statusCount && symbols[i + run] == symbol && run < MAX_RUN_LENGTH) {
        run++;
      }
      int vector = Math.min(14, statusCount - i);
      boolean oneBit = true;
      for (int k = 0; k < vector && oneBit; k++) {
        oneBit = symbols[i + k] != LARGE_DELTA;
      }
      int chunk;
      if (run >= 14 || (run >= 7 && !oneBit)) {
        chunk = (symbol << 13) | run;
        i += run;
      } else if (oneBit) {
        chunk = 0x8000;
        for (int k = 0; k < vector; k++) {
          chunk |= symbols[i + k] << (13 - k);
        }
        i += vector;
      } else {
        int n = Math.min(7, statusCount - i);
        chunk = 0xC000;
        for (int k = 0; k < n; k++) {
          chunk |= symbols[i + k] << (12 - 2 * k);
        }
        i += n;
      }
      Rtp.writeUint16(out, w, chunk);
      w += 2;
    }
    return w;
  }
}
