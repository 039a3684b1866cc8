package io.openmeet.litebridge.media;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The transport-cc feedback the bridge owes one sender: it remembers the transport-wide sequence
 * number and arrival time of every packet received from that endpoint and, every {@link
 * #INTERVAL_NANOS} or {@link #MAX_PENDING} packets, reports all sequence numbers since the last
 * report: received with their arrival times, or not received. A sender's congestion controller
 * (Chromium's GoogCC) needs this to estimate its uplink; without it Chromium sees no round trip and
 * backs off by 20 % a second down to its floor.
 *
 * <p>Sequence numbers are unwrapped to 64 bits. A packet that arrives late (after its number was
 * already reported as not received) moves the next report's start back to it, so it is reported
 * again, as received; a sender removes a packet from its loss count when a later report has it. A
 * jump of more than {@link #MAX_JUMP} numbers either way is a new start of the numbering (or a
 * bogus packet), not a loss burst: what is pending is reported and the history starts over.
 * Thread-safe: the endpoint's worker adds packets, a timer flushes what a quiet sender left
 * pending.
 */
final class TransportCcGenerator {

  /** How often feedback goes out while packets arrive (Chromium's and JVB's default, 100 ms). */
  static final long INTERVAL_NANOS = 100_000_000L;

  /** Feedback goes out early once this many packets wait for it. */
  static final int MAX_PENDING = 100;

  /** Arrival times remembered, by sequence number (a power of two). */
  static final int HISTORY = 2048;

  /** A jump longer than this is a restart of the numbering, not that many losses. */
  static final int MAX_JUMP = 1000;

  private final long senderSsrc;
  private final long originNanos;
  private final long[] arrivalMicros = new long[HISTORY];
  private final long[] sequenceAt = new long[HISTORY];
  private long highest = -1;
  private long windowStart;
  private int pending;
  private long lastFeedbackNanos;
  private int feedbackCount;
  private long mediaSsrc;
  private long restarts;
  private long duplicates;
  private long feedbackSent;
  private final List<byte[]> flushedOnRestart = new ArrayList<>();

  /**
   * Feedback from {@code senderSsrc} (the bridge's); arrival times are measured from {@code
   * originNanos} ({@link System#nanoTime()}).
   */
  TransportCcGenerator(long senderSsrc, long originNanos) {
    this.senderSsrc = senderSsrc;
    this.originNanos = originNanos;
    this.lastFeedbackNanos = originNanos;
    Arrays.fill(sequenceAt, -1);
  }

  /**
   * One received packet: its transport-wide sequence number (16 bits), when it arrived ({@link
   * System#nanoTime()}) and its SSRC (the feedback names the last one seen as media source).
   */
  synchronized void packetReceived(int transportSequence, long arrivalNanos, long ssrc) {
    int seq = transportSequence & 0xFFFF;
    long micros = Math.max(0, (arrivalNanos - originNanos) / 1_000);
    mediaSsrc = ssrc;
    if (highest < 0) {
      restartAt(seq);
    }
    long extended = highest + (short) (seq - (int) (highest & 0xFFFF));
    if (Math.abs(extended - highest) > MAX_JUMP) {
      // report what the old numbering still owes, then start over at this packet
      flushedOnRestart.addAll(build(highest + 1));
      restarts++;
      restartAt(extended);
    }
    int slot = (int) (extended & (HISTORY - 1));
    if (sequenceAt[slot] == extended) {
      duplicates++;
      return;
    }
    sequenceAt[slot] = extended;
    arrivalMicros[slot] = micros;
    highest = Math.max(highest, extended);
    windowStart = Math.min(windowStart, extended);
    pending++;
  }

  private void restartAt(long extended) {
    Arrays.fill(sequenceAt, -1);
    highest = extended;
    windowStart = extended;
    pending = 0;
  }

  /**
   * The feedback packets due at {@code nowNanos}: none unless packets are pending and the interval
   * has passed or {@link #MAX_PENDING} are waiting (or a restart left a report behind).
   */
  synchronized List<byte[]> feedbackDue(long nowNanos) {
    List<byte[]> out = new ArrayList<>(flushedOnRestart);
    flushedOnRestart.clear();
    if (pending > 0 && (pending >= MAX_PENDING || nowNanos - lastFeedbackNanos >= INTERVAL_NANOS)) {
      out.addAll(build(highest + 1));
      windowStart = highest + 1;
      pending = 0;
      lastFeedbackNanos = nowNanos;
    }
    return out;
  }

  /**
   * Feedback for the sequence numbers from the window start up to {@code end} (exclusive; the last
   * one before it was received), split where one packet is full.
   */
  private List<byte[]> build(long end) {
    List<byte[]> out = new ArrayList<>(1);
    long start = Math.max(windowStart, highest - HISTORY + 1);
    TransportCcFeedback feedback = null;
    long base = start;
    for (long seq = start; seq < end; seq++) {
      int slot = (int) (seq & (HISTORY - 1));
      if (sequenceAt[slot] != seq) {
        continue;
      }
      if (feedback == null) {
        // a feedback reports at most MAX_STATUSES numbers: older losses before it go unreported
        base = Math.max(base, seq - (TransportCcFeedback.MAX_STATUSES - 1));
        feedback = new TransportCcFeedback(senderSsrc, mediaSsrc, feedbackCount++, (int) base);
      }
      if (!feedback.addReceived((int) (seq - base), arrivalMicros[slot])) {
        out.add(feedback.build());
        feedbackSent++;
        base = seq;
        feedback = new TransportCcFeedback(senderSsrc, mediaSsrc, feedbackCount++, (int) base);
        feedback.addReceived(0, arrivalMicros[slot]);
      }
    }
    if (feedback != null) {
      out.add(feedback.build());
      feedbackSent++;
    }
    return out;
  }

  /** Feedback packets built so far. */
  synchronized long feedbackSent() {
    return feedbackSent;
  }

  /** Second copies of a sequence number already seen (not reported twice). */
  synchronized long duplicates() {
    return duplicates;
  }

  /** How often the numbering jumped by more than {@link #MAX_JUMP} and the history restarted. */
  synchronized long restarts() {
    return restarts;
  }
}
