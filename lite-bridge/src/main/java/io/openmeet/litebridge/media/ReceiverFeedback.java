package io.openmeet.litebridge.media;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bridge's feedback to one sender as the receiver of its streams: RFC 3550 receiver reports per
 * SSRC, transport-cc feedback on every packet that carries a transport-wide sequence number and,
 * only for a video sender that does not send those, a REMB estimate that grows with what arrives. A
 * sender with transport-cc estimates its uplink itself (Chromium's GoogCC); a REMB would only cap
 * that estimate at a number the bridge did not measure, which JVB does not do either.
 */
final class ReceiverFeedback {

  /** Start, floor and ceiling of the REMB estimate sent to a video sender (bits/s). */
  static final long INITIAL_ESTIMATE_BPS = 1_000_000;

  static final long MAX_ESTIMATE_BPS = 20_000_000;

  private final ForwardingConference conference;
  private final SrtpSender sender;

  /** Received-stream statistics per SSRC. */
  private final Map<Long, ReceiveStats> receiveStats = new ConcurrentHashMap<>();

  private final TransportCcGenerator transportCc;
  private volatile boolean transportCcSeen;
  private final AtomicLong videoBytesInInterval = new AtomicLong();
  private long lastFeedbackNanos = System.nanoTime();
  private long estimateBps = INITIAL_ESTIMATE_BPS;

  ReceiverFeedback(ForwardingConference conference, SrtpSender sender) {
    this.conference = conference;
    this.sender = sender;
    this.transportCc = new TransportCcGenerator(conference.feedbackVideoSsrc(), System.nanoTime());
  }

  /**
   * Accounts one decrypted RTP packet from this endpoint, which arrived at {@code arrivalNanos}
   * (System.nanoTime); {@code transportCcId} is the endpoint's id of the transport-wide sequence
   * number extension (-1 if not negotiated). Sends the transport-cc feedback that is due.
   *
   * @return false when the packet's sequence number is a stray jump (see {@link ReceiveStats})
   */
  boolean received(
      byte[] plain, int clockRate, boolean audio, long arrivalNanos, int transportCcId) {
    long ssrc = Rtp.ssrc(plain, 0);
    // first: once the report timer sees this packet's stream, it must know it has transport-cc
    long element =
        transportCcId > 0 ? Rtp.findExtension(plain, 0, plain.length, transportCcId) : -1;
    if (element >= 0 && (element & 0xFF) >= 2) {
      int pos = (int) (element >>> 8);
      transportCcSeen = true;
      transportCc.packetReceived(
          ((plain[pos] & 0xFF) << 8) | (plain[pos + 1] & 0xFF), arrivalNanos, ssrc);
    }
    ReceiveStats stats = receiveStats.get(ssrc);
    if (stats == null && receiveStats.size() < 64) {
      stats = receiveStats.computeIfAbsent(ssrc, s -> new ReceiveStats());
    }
    boolean inSequence =
        stats == null
            || stats.received(
                Rtp.sequenceNumber(plain, 0),
                Rtp.timestamp(plain, 0),
                clockRate,
                arrivalNanos,
                audio);
    if (!audio) {
      videoBytesInInterval.addAndGet(plain.length);
    }
    if (element >= 0) {
      sendTransportCcIfDue(System.nanoTime());
    }
    return inSequence;
  }

  /** Sends the transport-cc feedback due at {@code nowNanos}: on the packet path and by a timer. */
  void sendTransportCcIfDue(long nowNanos) {
    if (!transportCcSeen || !sender.ready()) {
      return;
    }
    for (byte[] packet : transportCc.feedbackDue(nowNanos)) {
      sender.sendRtcp(packet);
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
   * video without transport-wide sequence numbers, a REMB estimate that grows with what actually
   * arrives so the sender ramps up.
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
    if (!videoSsrcs.isEmpty() && !transportCcSeen) {
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
