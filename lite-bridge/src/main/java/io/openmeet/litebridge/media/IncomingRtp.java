package io.openmeet.litebridge.media;

import io.openmeet.transport.PacketBuffer;
import io.openmeet.transport.SrtpSession;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * RTP from one endpoint, on its media worker: SRTP decryption, classification (audio or video, by
 * signalled SSRC, then payload type), receive statistics, the audio level for dominant-speaker
 * detection, and the fan-out to the other connected endpoints.
 */
final class IncomingRtp {

  private final EndpointConnection endpoint;
  private final ForwardingConference conference;
  private final ReceiverFeedback feedback;
  private final KeyframeRequester keyframes;
  private final EndpointTimeline timeline;
  private final Ice4jMediaEngine.Counters counters;
  private final AtomicInteger undecryptable = new AtomicInteger();
  private final AtomicInteger foreignSsrc = new AtomicInteger();
  private final AtomicInteger unsignalled = new AtomicInteger();
  private final AtomicInteger strayJumps = new AtomicInteger();
  private volatile long lastVideoNanos;

  IncomingRtp(
      EndpointConnection endpoint,
      ReceiverFeedback feedback,
      KeyframeRequester keyframes,
      EndpointTimeline timeline,
      Ice4jMediaEngine.Counters counters) {
    this.endpoint = endpoint;
    this.conference = endpoint.conference();
    this.feedback = feedback;
    this.keyframes = keyframes;
    this.timeline = timeline;
    this.counters = counters;
  }

  void onSrtp(byte[] data, int off, int len, long arrivalNanos) {
    SrtpSession session = endpoint.srtp();
    if (session == null || endpoint.state() != TransportState.CONNECTED) {
      counters.packetsDropped.increment();
      return;
    }
    PacketBuffer packet = new PacketBuffer(data, off, len);
    if (!session.unprotectRtp(packet)) {
      counters.packetsDropped.increment();
      int n = undecryptable.incrementAndGet();
      if (Integer.bitCount(n) == 1) {
        timeline.log(n + " RTP packet(s) from here failed SRTP so far");
      }
      return;
    }
    int plainLength = packet.getLength();
    if (Rtp.headerLength(data, off, plainLength) < 0) {
      counters.packetsDropped.increment();
      return;
    }
    long ssrc = Rtp.ssrc(data, off);
    ForwardingConference.SourceIndex index = conference.sourceIndex();
    EndpointConnection signalledOwner = index.owners().get(ssrc);
    if (signalledOwner != null && signalledOwner != endpoint) {
      // another endpoint's SSRC: forwarding it would splice this sender into their stream
      counters.packetsDropped.increment();
      int n = foreignSsrc.incrementAndGet();
      if (Integer.bitCount(n) == 1) {
        timeline.log(n + " RTP packet(s) from here carried another endpoint's SSRC " + ssrc);
      }
      return;
    }
    byte[] plain = new byte[plainLength];
    System.arraycopy(data, off, plain, 0, plainLength);
    counters.rtpReceived.increment();

    int pt = Rtp.payloadType(plain, 0);
    String type = index.types().get(ssrc);
    if (type == null) {
      Long primary = index.rtxToPrimary().get(ssrc);
      type = primary == null ? null : index.types().get(primary);
    }
    NegotiatedFormats f = endpoint.formats();
    if (type == null) {
      type = f.mediaTypeByPayloadType().getOrDefault(pt, "video");
    }
    boolean audio = "audio".equals(type);
    boolean inSequence =
        feedback.received(
            plain,
            f.clockRateByPayloadType().getOrDefault(pt, 0),
            audio,
            arrivalNanos,
            f.transportCcExtensionId());
    if (endpoint.forceMuted(audio)) {
      // force-muted (as JVB: after receive statistics and transport-cc, before anything else, so
      // the audio level does not count for the dominant speaker either)
      return;
    }
    if (f.rtxPayloadTypes().contains(pt)) {
      // a sender's RTX is only ever probing padding (the bridge answers receivers' NACKs itself,
      // on the same RTX SSRC with its own sequence numbers, which a second numbering would break)
      return;
    }
    if (!inSequence) {
      counters.packetsDropped.increment();
      int n = strayJumps.incrementAndGet();
      if (Integer.bitCount(n) == 1) {
        timeline.log(n + " RTP packet(s) from here jumped out of their sequence and were dropped");
      }
      return;
    }
    if (signalledOwner == null) {
      // counted in transport-cc above (Chromium probes on SSRC 0), but nobody was told of it
      counters.packetsDropped.increment();
      int n = unsignalled.incrementAndGet();
      if (Integer.bitCount(n) == 1) {
        timeline.log(n + " RTP packet(s) from here on an SSRC never signalled, e.g. " + ssrc);
      }
      return;
    }

    boolean keyframe = false;
    if (!audio) {
      long now = System.nanoTime();
      long previous = lastVideoNanos;
      lastVideoNanos = now;
      if (previous != 0 && now - previous > 250_000_000L) {
        timeline.log("video from here resumes after " + (now - previous) / 1_000_000 + " ms");
      }
      keyframe = f.vp8PayloadTypes().contains(pt) && Rtp.isVp8KeyframeStart(plain, 0, plainLength);
      if (!f.rtxPayloadTypes().contains(pt) && keyframes.videoSeen(ssrc)) {
        timeline.log("first video packet received, ssrc " + ssrc + (keyframe ? " (keyframe)" : ""));
      }
    }

    if (audio && f.audioLevelExtensionId() > 0) {
      int level = Rtp.audioLevel(plain, 0, plainLength, f.audioLevelExtensionId());
      if (level >= 0) {
        conference.audioLevel(endpoint.endpointId(), level);
      }
    }

    SimulcastSource simulcast = audio ? null : index.simulcastBySsrc().get(ssrc);
    if (simulcast != null && simulcast.owner() == endpoint) {
      forwardLayer(simulcast, plain, f, pt, keyframe);
      return;
    }
    String source = audio ? null : index.sourceNames().get(ssrc);
    for (EndpointConnection receiver : conference.connected()) {
      if (receiver != endpoint && (audio || receiver.wantsVideo(source))) {
        receiver.forwarder().forward(plain, f, endpoint.endpointId(), audio, keyframe);
      }
    }
  }

  /** A packet of one simulcast layer: each receiver gets it only if that is its layer. */
  private void forwardLayer(
      SimulcastSource source, byte[] plain, NegotiatedFormats f, int pt, boolean keyframe) {
    int layer = source.layerOf(Rtp.ssrc(plain, 0));
    Vp8Payload vp8 =
        f.vp8PayloadTypes().contains(pt) ? Vp8Payload.parse(plain, 0, plain.length) : null;
    long now = System.nanoTime();
    if (source.packetArrived(layer, plain.length, vp8, now)) {
      // before forwarding: the keyframe that starts a layer can then be switched to at once
      conference.layersChanged(source);
    }
    for (EndpointConnection receiver : conference.connected()) {
      if (receiver != endpoint) {
        receiver.projections().forward(source, layer, plain, f, vp8, keyframe, now);
      }
    }
  }
}
