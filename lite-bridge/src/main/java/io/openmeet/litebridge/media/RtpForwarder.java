package io.openmeet.litebridge.media;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The send side of forwarding to one receiver: other endpoints' packets with the header extensions
 * this receiver negotiated (see {@link HeaderExtensions}), remembered for its NACKs, encrypted and
 * sent.
 */
final class RtpForwarder {

  private final EndpointConnection receiver;
  private final SrtpSender sender;
  private final NackResponder nacks;
  private final EndpointTimeline timeline;

  /** Forwarded SSRCs whose first packet, and first keyframe, to this receiver was logged. */
  private final Set<Long> firstForwarded = ConcurrentHashMap.newKeySet();

  private final Set<Long> firstKeyframeForwarded = ConcurrentHashMap.newKeySet();

  RtpForwarder(
      EndpointConnection receiver,
      SrtpSender sender,
      NackResponder nacks,
      EndpointTimeline timeline) {
    this.receiver = receiver;
    this.sender = sender;
    this.nacks = nacks;
    this.timeline = timeline;
  }

  /** Forwards one of {@code from}'s decrypted packets to this receiver. */
  void forward(
      byte[] plain, NegotiatedFormats senderFormats, String from, boolean audio, boolean key) {
    forward(plain, senderFormats, from, audio, key, false);
  }

  /**
   * Forwards a packet; {@code projected}: a simulcast layer on its source's primary SSRC (see
   * {@link HeaderExtensions#rewrite(byte[], HeaderExtensions, HeaderExtensions, boolean)}).
   */
  void forward(
      byte[] plain,
      NegotiatedFormats senderFormats,
      String from,
      boolean audio,
      boolean key,
      boolean projected) {
    byte[] out =
        HeaderExtensions.rewrite(
            plain, senderFormats.extensions(), receiver.formats().extensions(), projected);
    if (sender.ready()) {
      nacks.remember(out);
      sender.sendRtp(out);
    }
    long ssrc = Rtp.ssrc(plain, 0);
    if (!firstForwarded.contains(ssrc) && firstForwarded.size() < 256 && firstForwarded.add(ssrc)) {
      timeline.log(
          "first "
              + (audio ? "audio" : "video")
              + " packet of "
              + from
              + " (ssrc "
              + ssrc
              + ") forwarded here"
              + (key ? ", a keyframe" : ""));
    }
    if (key
        && !firstKeyframeForwarded.contains(ssrc)
        && firstKeyframeForwarded.size() < 256
        && firstKeyframeForwarded.add(ssrc)) {
      timeline.log("first keyframe of " + from + " (ssrc " + ssrc + ") forwarded here");
    }
  }
}
