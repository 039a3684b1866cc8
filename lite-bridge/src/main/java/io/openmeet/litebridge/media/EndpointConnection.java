package io.openmeet.litebridge.media;

import io.openmeet.transport.DtlsAssociation;
import io.openmeet.transport.DtlsFingerprint;
import io.openmeet.transport.SrtpSession;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.ice4j.util.Buffer;
import org.jitsi.utils.logging2.Logger;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * One endpoint on the bridge: the life cycle of its transport (ICE, then DTLS, then SRTP) and the
 * demultiplexing of what it sends (RFC 7983). The packet work is done by its parts: {@link
 * IncomingRtp}, {@link IncomingRtcp}, {@link RtpForwarder}, {@link NackResponder}, {@link
 * KeyframeRequester} and {@link ReceiverFeedback}.
 */
final class EndpointConnection implements EndpointTransport, EndpointIce.Events {

  private static final Logger LOGGER = new LoggerImpl(EndpointConnection.class.getName());

  private final ForwardingConference conference;
  private final String endpointId;
  private final Ice4jMediaEngine.Counters counters;
  private final int worker;
  private final Object lock = new Object();
  private final EndpointTimeline timeline;
  private final EndpointIce ice;
  private final SrtpSender srtpSender;
  private final NackResponder nacks;
  private final KeyframeRequester keyframes;
  private final ReceiverFeedback feedback;
  private final RtpForwarder forwarder;
  private final IncomingRtp incomingRtp;
  private final IncomingRtcp incomingRtcp;
  private final VideoProjections projections;
  private final BandwidthEstimator bandwidth = new BandwidthEstimator();
  private final TransportSequencer sequencer;

  private volatile TransportState state = TransportState.NEW;
  private volatile boolean audioForceMuted;
  private volatile boolean videoForceMuted;
  private volatile long lastActivityMillis = System.currentTimeMillis();

  /** The video sources forwarded to this endpoint; null while every video is. */
  private final AtomicReference<Set<String>> forwardedVideo = new AtomicReference<>();

  private volatile List<MediaSourceDesc> sources = List.of();
  private volatile NegotiatedFormats formats = NegotiatedFormats.NONE;
  private volatile SrtpSession srtp;
  // from the start: a browser's first ClientHello often comes before its remote transport (the
  // bridge answers ICE checks with its own credentials alone); kept, it needs no retransmission
  private final DtlsAssociation dtls;
  private volatile boolean earlyDtlsLogged;
  private RemoteTransport remote;
  private boolean dtlsStarted;
  private boolean iceConnected;

  EndpointConnection(ForwardingConference conference, String endpointId) {
    this.conference = conference;
    this.endpointId = endpointId;
    Ice4jMediaEngine engine = conference.engine();
    this.counters = engine.counters;
    this.worker = engine.workers().assign();
    this.timeline = new EndpointTimeline(endpointId);
    bandwidth.onEvent(timeline::log);
    this.ice = new EndpointIce(engine, endpointId, this);
    this.dtls = new DtlsAssociation(ice::send);
    this.sequencer = new TransportSequencer(this, bandwidth);
    this.srtpSender = new SrtpSender(this, ice, counters);
    this.nacks = new NackResponder(conference, srtpSender, counters);
    this.keyframes = new KeyframeRequester(conference, srtpSender, timeline);
    this.feedback = new ReceiverFeedback(conference, srtpSender);
    this.forwarder = new RtpForwarder(this, srtpSender, nacks, timeline);
    this.incomingRtp = new IncomingRtp(this, feedback, keyframes, timeline, counters);
    this.incomingRtcp = new IncomingRtcp(this, nacks, feedback, timeline, counters);
    this.projections = new VideoProjections(this);
  }

  ForwardingConference conference() {
    return conference;
  }

  @Override
  public String endpointId() {
    return endpointId;
  }

  @Override
  public LocalIce localIce() {
    return ice.localIce();
  }

  @Override
  public void setRemoteTransport(RemoteTransport remote) {
    if (remote == null) {
      throw new IllegalArgumentException("remote transport must not be null");
    }
    if (remote.ufrag() == null
        || remote.ufrag().isBlank()
        || remote.password() == null
        || remote.password().isBlank()) {
      throw new IllegalArgumentException("remote transport needs an ICE ufrag and pwd");
    }
    boolean startDtls = false;
    synchronized (lock) {
      if (state == TransportState.CLOSED || state == TransportState.FAILED) {
        return;
      }
      boolean first = this.remote == null;
      if (first || !remote.fingerprints().isEmpty()) {
        this.remote = remote;
      }
      if (first) {
        state = TransportState.CONNECTING;
        timeline.log("remote transport set, ICE checks start");
        ice.start(remote);
      } else {
        ice.addRemoteCandidates(remote.candidates());
        startDtls = iceConnected && !dtlsStarted;
      }
    }
    if (startDtls) {
      startDtls();
    }
  }

  @Override
  public void onIceCompleted() {
    synchronized (lock) {
      iceConnected = true;
    }
    timeline.log("ICE completed");
    startDtls();
  }

  @Override
  public void onIceFailed() {
    fail("ICE failed");
  }

  /** Starts the DTLS handshake once ICE is connected and the peer's fingerprint is known. */
  private void startDtls() {
    final boolean server;
    final List<DtlsFingerprint> fingerprints;
    synchronized (lock) {
      if (dtlsStarted || remote == null || state != TransportState.CONNECTING) {
        return;
      }
      dtlsStarted = true;
      fingerprints = remote.fingerprints();
      server = DtlsAssociation.isServerFor(fingerprints);
    }
    try {
      conference.engine().handshakes().execute(() -> runDtls(server, fingerprints));
    } catch (RejectedExecutionException e) {
      fail("media engine is shutting down");
    }
  }

  private void runDtls(boolean server, List<DtlsFingerprint> fingerprints) {
    DtlsAssociation.Established established;
    try {
      established = dtls.handshake(server, fingerprints, conference.engine().certificate());
    } catch (IOException | RuntimeException e) {
      if (state != TransportState.CLOSED) {
        counters.dtlsFailed.increment();
        fail("DTLS handshake failed: " + e.getMessage());
      }
      return;
    }
    SrtpSession session = established.srtpSession();
    synchronized (lock) {
      if (state != TransportState.CONNECTING) {
        session.close();
        return;
      }
      srtp = session;
      state = TransportState.CONNECTED;
      // in the same critical section, so nobody sees CONNECTED before forwarding includes us
      conference.refreshConnected();
    }
    timeline.log("DTLS done (" + established.profile() + "), forwarding to and from this endpoint");
    conference.requestKeyframesFor(this, forwardedVideo.get());
    established.serve(() -> state == TransportState.CONNECTED);
  }

  /**
   * A datagram from the peer, on the harvester's socket thread: DTLS goes to the handshake queue,
   * SRTP/SRTCP to this endpoint's media worker (RFC 7983 demultiplexing), anything else is dropped.
   */
  @Override
  public void onDatagram(Buffer buffer) {
    // taken on the socket thread, before the worker queue: transport-cc reports it to the sender
    long arrivalNanos = System.nanoTime();
    byte[] data = buffer.getBuffer();
    int off = buffer.getOffset();
    int len = buffer.getLength();
    lastActivityMillis = System.currentTimeMillis();
    if (Rtp.looksLikeDtls(data, off, len)) {
      if (state == TransportState.NEW && !earlyDtlsLogged) {
        earlyDtlsLogged = true;
        timeline.log("DTLS record before the remote transport, kept for the handshake");
      }
      dtls.offer(data, off, len);
    } else if (Rtp.looksLikeRtpOrRtcp(data, off, len) && srtp != null) {
      byte[] copy = new byte[len];
      System.arraycopy(data, off, copy, 0, len);
      conference.engine().workers().submit(worker, this, copy, arrivalNanos);
    } else {
      counters.packetsDropped.increment();
    }
  }

  /** Handles one SRTP or SRTCP packet, which arrived at {@code arrivalNanos}, on its worker. */
  void process(byte[] packet, long arrivalNanos) {
    int len = packet.length;
    counters.packetsReceived.increment();
    counters.bytesReceived.add(len);
    try {
      if (Rtp.isRtcp(packet, 0, len)) {
        incomingRtcp.onSrtcp(packet, 0, len);
      } else {
        incomingRtp.onSrtp(packet, 0, len, arrivalNanos);
      }
    } catch (RuntimeException e) {
      // a malformed packet must never break the worker for everyone else
      counters.packetsDropped.increment();
    }
  }

  SrtpSession srtp() {
    return srtp;
  }

  NegotiatedFormats formats() {
    return formats;
  }

  /** Whether video of {@code sourceName} (null: of no signalled source) is forwarded here. */
  boolean wantsVideo(String sourceName) {
    Set<String> sources = forwardedVideo.get();
    return sources == null || (sourceName != null && sources.contains(sourceName));
  }

  SrtpSender srtpSender() {
    return srtpSender;
  }

  RtpForwarder forwarder() {
    return forwarder;
  }

  /** The simulcast sources as this endpoint receives them (layer choice and projection). */
  VideoProjections projections() {
    return projections;
  }

  EndpointTimeline timeline() {
    return timeline;
  }

  /** The estimate of what the bridge can send to this endpoint (from its feedback). */
  BandwidthEstimator bandwidth() {
    return bandwidth;
  }

  /** Numbers what is sent to this endpoint for its transport-cc feedback. */
  TransportSequencer sequencer() {
    return sequencer;
  }

  /** Answers this endpoint's NACKs; its RTX numbering is shared with probing padding. */
  NackResponder nacks() {
    return nacks;
  }

  KeyframeRequester keyframes() {
    return keyframes;
  }

  ReceiverFeedback feedback() {
    return feedback;
  }

  /** The primary video SSRCs this endpoint sends: signalled ones (RTX excluded), then seen ones. */
  Set<Long> videoSsrcs() {
    return keyframes.videoSsrcs(sources);
  }

  void fail(String reason) {
    synchronized (lock) {
      if (state == TransportState.CLOSED || state == TransportState.FAILED) {
        return;
      }
      state = TransportState.FAILED;
      conference.refreshConnected();
    }
    LOGGER.info("endpoint " + endpointId + " failed: " + reason);
    try {
      conference.listener().transportFailed(endpointId, reason);
    } catch (RuntimeException e) {
      LOGGER.warn("transportFailed listener threw for " + endpointId, e);
    }
  }

  @Override
  public void setSources(List<MediaSourceDesc> sources) {
    this.sources = sources == null ? List.of() : List.copyOf(sources);
    timeline.log("sources set: " + this.sources.size());
    conference.reindexSources();
  }

  List<MediaSourceDesc> sources() {
    return sources;
  }

  @Override
  public void setMediaFormats(MediaFormats formats) {
    this.formats = formats == null ? NegotiatedFormats.NONE : NegotiatedFormats.of(formats);
  }

  @Override
  public void setForwardedVideo(Map<String, Integer> maxHeights) {
    Set<String> sources = Set.copyOf(maxHeights.keySet());
    Set<String> previous = forwardedVideo.getAndSet(sources);
    projections.setMaxHeights(maxHeights);
    if (previous != null && state == TransportState.CONNECTED) {
      Set<String> started = new HashSet<>(sources);
      started.removeAll(previous);
      if (!started.isEmpty()) {
        // what it gets of a source must start with a keyframe, as for a new receiver
        conference.requestKeyframesFor(this, started);
      }
    }
  }

  @Override
  public void setForceMute(boolean audio, boolean video) {
    boolean videoAllowedAgain = videoForceMuted && !video;
    if (audio != audioForceMuted || video != videoForceMuted) {
      timeline.log("force-mute audio " + audio + ", video " + video);
    }
    audioForceMuted = audio;
    videoForceMuted = video;
    if (videoAllowedAgain && state == TransportState.CONNECTED) {
      // its receivers lost frames while it was muted: they decode again from a keyframe at once
      for (long ssrc : videoSsrcs()) {
        keyframes.requestKeyframe(ssrc, "video force-mute cleared");
      }
    }
  }

  /** Whether what this endpoint sends of this media type is dropped (Colibri2 force-mute). */
  boolean forceMuted(boolean audio) {
    return audio ? audioForceMuted : videoForceMuted;
  }

  @Override
  public TransportState state() {
    return state;
  }

  @Override
  public Instant lastActivity() {
    return Instant.ofEpochMilli(lastActivityMillis);
  }

  InetSocketAddress selectedRemoteAddress() {
    return ice.selectedRemoteAddress();
  }

  @Override
  public void close() {
    closeQuietly();
  }

  void closeQuietly() {
    SrtpSession session;
    synchronized (lock) {
      if (state == TransportState.CLOSED) {
        return;
      }
      state = TransportState.CLOSED;
      session = srtp;
      srtp = null;
    }
    dtls.close();
    ice.free();
    conference.endpointClosed(this);
    if (session != null) {
      session.close();
    }
  }
}
