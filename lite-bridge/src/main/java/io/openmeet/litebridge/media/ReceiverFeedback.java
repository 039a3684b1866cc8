package io.openmeet.litebridge.media;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bridge's feedback to one sender as the receiver of its streams: RFC 3550 receiver reports per
 * SSRC and, for video, a REMB estimate that grows with what actually arrives.
 */
final class ReceiverFeedback {

  /** Start, floor and ceiling of the REMB estimate sent to a video sender (bits/s). */
  static final long INITIAL_ESTIMATE_BPS = 1_000_000;

  static final long MAX_ESTIMATE_BPS = 20_000_000;

  private final ForwardingConference conference;
  private final SrtpSender sender;

  /** Received-stream statistics per SSRC. */
  private final Map<Long, ReceiveStats> receiveStats = new ConcurrentHashMap<>();

  private final AtomicLong videoBytesInInterval = new AtomicLong();
  private long lastFeedbackNanos = System.nanoTime();
  private long estimateBps = INITIAL_ESTIMATE_BPS;

  ReceiverFeedback(ForwardingConference conference, SrtpSender sender) {
    this.conference = conference;
    this.sender = sender;
  }

  /** Accounts one decrypted RTP packet from this endpoint. */
  void received(byte[] plain, int clockRate, boolean audio) {
    long ssrc = Rtp.ssrc(plain, 0);
    ReceiveStats stats = receiveStats.get(ssrc);
    if (stats == null && receiveStats.size() < 64) {
      stats = receiveStats.computeIfAbsent(ssrc, s -> new ReceiveStats());
    }
    if (stats != null) {
      stats.received(
          Rtp.sequenceNumber(plain, 0),
          Rtp.timestamp(plain, 0),
          clockRate,
          System.nanoTime(),
          audio);
    }
    if (!audio) {
      videoBytesInInterval.addAndGet(plain.length);
    }
  }

  /** An SR from this endpoint: the next RR carries LSR/DLSR for it, so it can measure the RTT. */
  void senderReport(long ssrc, long ntpMiddle) {
    ReceiveStats source = receiveStats.get(ssrc);
    if (source != null) {
      source.senderReport(ntpMiddle, System.nanoTime());
    }
  }

  /**
   * Once a second: a receiver report for every SSRC received from this endpoint and, if it sends
   * video, a REMB estimate that grows with what actually arrives so the sender ramps up.
   */
  void send() {
    if (!sender.ready()) {
      return;
    }
    List<Rtp.ReportBlock> blocks = new ArrayList<>();
    List<Long> videoSsrcs = new ArrayList<>();
    long nowNanos = System.nanoTime();
    receiveStats.forEach(
        (ssrc, stats) -> {
          blocks.add(stats.reportBlock(ssrc, nowNanos));
          if (!stats.audio()) {
            videoSsrcs.add(ssrc);
          }
        });
    byte[] rr = Rtp.receiverReport(conference.feedbackAudioSsrc(), blocks);
    byte[] compound = rr;
    if (!videoSsrcs.isEmpty()) {
      long now = System.nanoTime();
      double seconds = Math.max(0.001, (now - lastFeedbackNanos) / 1e9);
      lastFeedbackNanos = now;
      long measured = Math.round(videoBytesInInterval.getAndSet(0) * 8 / seconds);
      estimateBps =
          Math.min(
              MAX_ESTIMATE_BPS,
              Math.max(INITIAL_ESTIMATE_BPS, Math.max(estimateBps, measured * 3 / 2)));
      long[] ssrcs = videoSsrcs.stream().mapToLong(Long::longValue).toArray();
      byte[] remb = Rtp.remb(conference.feedbackVideoSsrc(), estimateBps, ssrcs);
      compound = new byte[rr.length + remb.length];
      System.arraycopy(rr, 0, compound, 0, rr.length);
      System.arraycopy(remb, 0, compound, rr.length, remb.length);
    }
    sender.sendRtcp(compound);
  }
}
