package io.openmeet.litebridge.media;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keyframe requests (PLI, FIR) to one video sender: receivers' requests routed to it, and the
 * bridge's own, which are throttled per SSRC.
 */
final class KeyframeRequester {

  /**
   * The bridge asks a sender for a keyframe of one SSRC at most this often; receivers' own PLI and
   * FIR are passed on regardless.
   */
  static final long KEYFRAME_REQUEST_MIN_INTERVAL_NANOS = 200_000_000L;

  private final ForwardingConference conference;
  private final SrtpSender sender;
  private final EndpointTimeline timeline;

  /** When a keyframe was last asked of this endpoint, per media SSRC (System.nanoTime). */
  private final Map<Long, Long> requestedNanos = new ConcurrentHashMap<>();

  /** SSRCs this endpoint sent video on (RTX excluded). */
  private final Set<Long> videoSsrcsSeen = ConcurrentHashMap.newKeySet();

  private final AtomicInteger firSequence = new AtomicInteger();

  KeyframeRequester(ForwardingConference conference, SrtpSender sender, EndpointTimeline timeline) {
    this.conference = conference;
    this.sender = sender;
    this.timeline = timeline;
  }

  /**
   * The bridge's own keyframe request (a PLI), skipped when one went out for the SSRC less than
   * {@link #KEYFRAME_REQUEST_MIN_INTERVAL_NANOS} ago. True if it was sent.
   */
  boolean requestKeyframe(long mediaSsrc, String why) {
    Long last = requestedNanos.get(mediaSsrc);
    if (last != null && System.nanoTime() - last < KEYFRAME_REQUEST_MIN_INTERVAL_NANOS) {
      return false;
    }
    send(mediaSsrc, false);
    timeline.log("PLI for ssrc " + mediaSsrc + " (" + why + ")");
    return true;
  }

  /** Asks this endpoint (the owner of {@code mediaSsrc}) for a keyframe, from {@code jvb-v0}. */
  void send(long mediaSsrc, boolean fir) {
    if (requestedNanos.size() < 256 || requestedNanos.containsKey(mediaSsrc)) {
      requestedNanos.put(mediaSsrc, System.nanoTime());
    }
    long feedbackSsrc = conference.feedbackVideoSsrc();
    sender.sendRtcp(
        fir
            ? Rtp.fir(feedbackSsrc, mediaSsrc, firSequence.incrementAndGet())
            : Rtp.pli(feedbackSsrc, mediaSsrc));
  }

  /** Notes a (non-RTX) video SSRC this endpoint sends; true the first time it is seen. */
  boolean videoSeen(long ssrc) {
    return !videoSsrcsSeen.contains(ssrc) && videoSsrcsSeen.size() < 64 && videoSsrcsSeen.add(ssrc);
  }

  /** The primary video SSRCs this endpoint sends: signalled ones (RTX excluded), then seen ones. */
  Set<Long> videoSsrcs(List<MediaSourceDesc> sources) {
    Set<Long> out = new HashSet<>();
    for (MediaSourceDesc source : sources) {
      if (!"video".equalsIgnoreCase(source.type())) {
        continue;
      }
      Set<Long> rtx = new HashSet<>();
      for (MediaSourceDesc.SsrcGroup group : source.groups()) {
        if ("FID".equalsIgnoreCase(group.semantics()) && group.ssrcs().size() == 2) {
          rtx.add(group.ssrcs().get(1));
        }
      }
      for (Long ssrc : source.ssrcs()) {
        if (!rtx.contains(ssrc)) {
          out.add(ssrc);
        }
      }
    }
    Map<Long, Long> rtxToPrimary = conference.sourceIndex().rtxToPrimary();
    for (Long ssrc : videoSsrcsSeen) {
      if (!rtxToPrimary.containsKey(ssrc)) {
        out.add(ssrc);
      }
    }
    return out;
  }
}
