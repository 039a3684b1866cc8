package io.openmeet.litebridge.media;

/**
 * RFC 3550 A.1/A.3 sequence accounting, A.8 interarrival jitter and the last SR for one SSRC
 * received from an endpoint. As in A.1, a jump of {@link #MAX_DROPOUT} or more is not counted as
 * loss: it is ignored unless the next packet follows it, which restarts the accounting (the sender
 * restarted its numbering), so a stray number never makes the sender back off for loss that did not
 * happen.
 */
final class ReceiveStats {

  static final int MAX_DROPOUT = 3000;
  static final int MAX_MISORDER = 100;

  private boolean audio;
  private int badSeq = -1;
  private int baseSeq = -1;
  private int maxSeq;
  private long cycles;
  private long received;
  private long expectedPrior;
  private long receivedPrior;
  private boolean timed;
  private long lastArrivalNanos;
  private long lastTimestamp;
  private double jitter;
  private long lastSr;
  private long lastSrNanos;

  /**
   * One packet: its sequence number, RTP timestamp, the clock rate of its payload type (0 when
   * unknown: no jitter) and its arrival time (System.nanoTime).
   *
   * @return false for a stray jump that A.1 ignores: it must not be forwarded either (receivers
   *     would take it for a wrap of the sequence numbers and fail SRTP from then on)
   */
  synchronized boolean received(
      int seq, long timestamp, int clockRate, long arrivalNanos, boolean audio) {
    if (clockRate > 0) {
      if (timed) {
        // D(i-1, i) of RFC 3550 6.4.1 in timestamp units, the timestamps compared modulo 2^32
        double arrivalDelta = (arrivalNanos - lastArrivalNanos) * (clockRate / 1e9);
        double d = arrivalDelta - (int) (timestamp - lastTimestamp);
        jitter += (Math.abs(d) - jitter) / 16;
      }
      timed = true;
      lastArrivalNanos = arrivalNanos;
      lastTimestamp = timestamp;
    }
    this.audio = audio;
    if (baseSeq < 0) {
      restart(seq);
    } else {
      int delta = (seq - maxSeq) & 0xFFFF;
      if (delta < MAX_DROPOUT) {
        if (seq < maxSeq) {
          cycles += 0x10000;
        }
        maxSeq = seq;
      } else if (delta <= 0x10000 - MAX_MISORDER) {
        if (seq != badSeq) {
          badSeq = (seq + 1) & 0xFFFF;
          return false;
        }
        restart(seq);
      }
      // else a duplicate or a packet overtaken by at most MAX_MISORDER others
    }
    received++;
    return true;
  }

  private void restart(int seq) {
    baseSeq = seq;
    maxSeq = seq;
    cycles = 0;
    received = 0;
    expectedPrior = 0;
    receivedPrior = 0;
    badSeq = -1;
  }

  synchronized boolean audio() {
    return audio;
  }

  /** The source's SR: the middle 32 bits of its NTP timestamp, and when it arrived. */
  synchronized void senderReport(long ntpMiddle, long arrivalNanos) {
    lastSr = ntpMiddle;
    lastSrNanos = arrivalNanos;
  }

  synchronized Rtp.ReportBlock reportBlock(long ssrc, long nowNanos) {
    long extendedMax = cycles + maxSeq;
    long expected = baseSeq < 0 ? 0 : extendedMax - baseSeq + 1;
    long lost = expected - received;
    long expectedInterval = expected - expectedPrior;
    long receivedInterval = received - receivedPrior;
    expectedPrior = expected;
    receivedPrior = received;
    long lostInterval = expectedInterval - receivedInterval;
    int fraction =
        expectedInterval <= 0 || lostInterval <= 0
            ? 0
            : (int) Math.min(255, (lostInterval << 8) / expectedInterval);
    long delay = lastSr == 0 ? 0 : Math.max(0, nowNanos - lastSrNanos) * 65536 / 1_000_000_000L;
    return new Rtp.ReportBlock(
        ssrc,
        fraction,
        (int) lost,
        extendedMax & 0xFFFFFFFFL,
        Math.min(0xFFFFFFFFL, Math.round(jitter)),
        lastSr,
        Math.min(0xFFFFFFFFL, delay));
  }
}
