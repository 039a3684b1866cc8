package io.openmeet.litebridge.media;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Answers one receiver's NACKs from the packets recently sent to it: as RTX (RFC 4588) when the
 * receiver negotiated RTX for the payload type and the source has a FID partner, else plainly.
 */
final class NackResponder {

  private final ForwardingConference conference;
  private final SrtpSender sender;
  private final Ice4jMediaEngine.Counters counters;

  /** Packets sent to this endpoint, per SSRC. */
  private final Map<Long, SendCache> sendCaches = new ConcurrentHashMap<>();

  /** RTX sequence numbers per RTX SSRC sent to this endpoint. */
  private final Map<Long, AtomicInteger> rtxSequences = new ConcurrentHashMap<>();

  NackResponder(
      ForwardingConference conference, SrtpSender sender, Ice4jMediaEngine.Counters counters) {
    this.conference = conference;
    this.sender = sender;
    this.counters = counters;
  }

  /** Keeps a packet about to be sent, for a later NACK. */
  void remember(byte[] plain) {
    long ssrc = Rtp.ssrc(plain, 0);
    SendCache cache = sendCaches.get(ssrc);
    if (cache == null && sendCaches.size() < 256) {
      cache = sendCaches.computeIfAbsent(ssrc, s -> new SendCache());
    }
    if (cache != null) {
      cache.put(plain);
    }
  }

  /**
   * The next sequence number on an RTX SSRC sent to this endpoint (answers and padding share it).
   */
  int nextRtxSequence(long rtxSsrc) {
    return rtxSequences.computeIfAbsent(rtxSsrc, s -> new AtomicInteger()).getAndIncrement()
        & 0xFFFF;
  }

  /** One generic NACK FCI entry (RFC 4585 6.2.1): the packet id and the bitmask after it. */
  void onNack(long mediaSsrc, int pid, int blp, NegotiatedFormats receiverFormats) {
    retransmit(mediaSsrc, pid, receiverFormats);
    for (int bit = 0; bit < 16; bit++) {
      if ((blp & (1 << bit)) != 0) {
        retransmit(mediaSsrc, (pid + bit + 1) & 0xFFFF, receiverFormats);
      }
    }
  }

  private void retransmit(long mediaSsrc, int sequence, NegotiatedFormats formats) {
    SendCache cache = sendCaches.get(mediaSsrc);
    byte[] original = cache == null ? null : cache.get(sequence);
    if (original == null) {
      return;
    }
    counters.retransmissions.increment();
    Integer rtxPt = formats.rtxByApt().get(Rtp.payloadType(original, 0));
    Long rtxSsrc = conference.sourceIndex().primaryToRtx().get(mediaSsrc);
    if (rtxPt == null || rtxSsrc == null) {
      sender.resendRtp(original);
      return;
    }
    // RFC 4588: RTX header, then the original sequence number, then the original payload
    int header = Rtp.headerLength(original, 0, original.length);
    int payloadEnd = original.length;
    if ((original[0] & 0x20) != 0 && payloadEnd > header) {
      payloadEnd -= original[payloadEnd - 1] & 0xFF;
    }
    if (header < 0 || payloadEnd < header) {
      return;
    }
    byte[] rtx = new byte[payloadEnd + 2];
    System.arraycopy(original, 0, rtx, 0, header);
    rtx[0] &= (byte) ~0x20;
    rtx[1] = (byte) ((original[1] & 0x80) | rtxPt);
    int rtxSeq = nextRtxSequence(rtxSsrc);
    Rtp.writeUint16(rtx, 2, rtxSeq);
    Rtp.writeUint32(rtx, 8, rtxSsrc);
    rtx[header] = original[2];
    rtx[header + 1] = original[3];
    System.arraycopy(original, header, rtx, header + 2, payloadEnd - header);
    sender.resendRtp(rtx);
  }
}
