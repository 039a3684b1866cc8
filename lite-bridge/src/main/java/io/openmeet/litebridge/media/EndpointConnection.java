package io.openmeet.litebridge.media;

import java.beans.PropertyChangeEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.NominationStrategy;
import org.ice4j.ice.RemoteCandidate;
import org.ice4j.util.Buffer;
import org.jitsi.utils.logging2.Logger;
import org.jitsi.utils.logging2.LoggerImpl;

/** One endpoint's ICE agent, DTLS session and SRTP contexts on the bridge. */
final class EndpointConnection implements EndpointTransport {

  private static final Logger LOGGER = new LoggerImpl(EndpointConnection.class.getName());

  private final ForwardingConference conference;
  private final String endpointId;
  private final Agent agent;
  private final IceMediaStream stream;
  private final Component component;
  private final LocalIce localIce;
  private final Object lock = new Object();
  private final Object rtcpLock = new Object();
  private final Ice4jMediaEngine.Counters counters;
  private final int worker;
  private volatile TransportState state = TransportState.NEW;
  private volatile long lastActivityMillis = System.currentTimeMillis();
  private volatile boolean receiveVideo = true;
  private volatile List<MediaSourceDesc> sources = List.of();
  private volatile Formats formats = Formats.NONE;
  private volatile SrtpSession srtp;
  private RemoteTransport remote;
  private BridgeDtls.QueueTransport dtls;
  private boolean dtlsStarted;
  private boolean iceConnected;

  /** Received-stream statistics per SSRC, for receiver reports and REMB. */
  private final Map<Long, ReceiveStats> receiveStats = new ConcurrentHashMap<>();

  /** Packets sent to this endpoint, for answering its NACKs. */
  private final Map<Long, SendCache> sendCaches = new ConcurrentHashMap<>();

  /** RTX sequence numbers per RTX SSRC sent to this endpoint. */
  private final Map<Long, AtomicInteger> rtxSequences = new ConcurrentHashMap<>();

  /** SSRCs this endpoint sent video on (RTX excluded), for keyframe requests. */
  private final Set<Long> videoSsrcsSeen = ConcurrentHashMap.newKeySet();

  /** When a keyframe was last asked of this endpoint, per media SSRC (System.nanoTime). */
  private final Map<Long, Long> keyframeRequestedNanos = new ConcurrentHashMap<>();

  /** Forwarded SSRCs whose first packet, and first keyframe, to this endpoint was logged. */
  private final Set<Long> firstForwarded = ConcurrentHashMap.newKeySet();

  private final Set<Long> firstKeyframeForwarded = ConcurrentHashMap.newKeySet();
  private final long createdNanos = System.nanoTime();
  private volatile long lastVideoNanos;
  private final AtomicInteger undecryptable = new AtomicInteger();

  private final AtomicInteger firSequence = new AtomicInteger();
  private final AtomicLong videoBytesInInterval = new AtomicLong();
  private long lastFeedbackNanos = System.nanoTime();
  private long estimateBps = INITIAL_ESTIMATE_BPS;

  /**
   * The bridge asks a sender for a keyframe of one SSRC at most this often; receivers' own PLI and
   * FIR are passed on regardless.
   */
  static final long KEYFRAME_REQUEST_MIN_INTERVAL_NANOS = 200_000_000L;

  /** Start, floor and ceiling of the REMB estimate sent to a video sender (bits/s). */
  static final long INITIAL_ESTIMATE_BPS = 1_000_000;

  static final long MAX_ESTIMATE_BPS = 20_000_000;

  EndpointConnection(ForwardingConference conference, String endpointId) {
    this.conference = conference;
    this.endpointId = endpointId;
    Ice4jMediaEngine engine = conference.engine();
    this.counters = engine.counters;
    this.worker = engine.workers().assign();
    Logger logger = LOGGER.createChildLogger(EndpointConnection.class.getName());
    logger.addContext("endpoint", endpointId);
    this.agent = new Agent(logger);
    try {
      agent.setUseDynamicPorts(false);
      engine.harvesters().forEach(agent::addCandidateHarvester);
      agent.setControlling(true);
      agent.setPerformConsentFreshness(true);
      agent.setNominationStrategy(NominationStrategy.NOMINATE_FIRST_HOST_OR_REFLEXIVE_VALID);
      this.stream = agent.createMediaStream("stream-" + endpointId);
      this.component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, false);
    } catch (IOException e) {
      agent.free();
      throw new UncheckedIOException("cannot create the ICE agent for " + endpointId, e);
    } catch (RuntimeException e) {
      agent.free();
      throw e;
    }
    component.setBufferCallback(this::onBuffer);
    agent.addStateChangeListener(this::onIceStateChange);
    this.localIce = describe(agent, component, engine.config());
  }

  /** What the endpoint negotiated, pre-digested for the packet path. */
  record Formats(
      Map<Integer, String> mediaTypeByPayloadType,
      Map<Integer, Integer> rtxByApt,
      int audioLevelExtensionId,
      HeaderExtensions extensions,
      Set<Integer> vp8PayloadTypes,
      Set<Integer> rtxPayloadTypes,
      Map<Integer, Integer> clockRateByPayloadType) {
    static final Formats NONE =
        new Formats(Map.of(), Map.of(), -1, HeaderExtensions.NONE, Set.of(), Set.of(), Map.of());

    static Formats of(MediaFormats formats) {
      Map<Integer, String> types = new HashMap<>();
      Set<Integer> vp8 = new HashSet<>();
      Map<Integer, Integer> clockRates = new HashMap<>();
      for (MediaFormats.PayloadType pt : formats.payloadTypes()) {
        types.put(pt.id(), pt.mediaType() == null ? "" : pt.mediaType().toLowerCase(Locale.ROOT));
        if (pt.clockRate() > 0) {
          clockRates.put(pt.id(), pt.clockRate());
        }
        if ("vp8".equalsIgnoreCase(pt.name())) {
          vp8.add(pt.id());
        }
      }
      Map<Integer, Integer> rtxByApt = new HashMap<>();
      formats.rtxPayloadTypes().forEach((rtx, apt) -> rtxByApt.put(apt, rtx));
      int audioLevel = -1;
      for (Map.Entry<Integer, String> ext : formats.headerExtensions().entrySet()) {
        if (AUDIO_LEVEL_URI.equals(ext.getValue())) {
          audioLevel = ext.getKey();
        }
      }
      return new Formats(
          Map.copyOf(types),
          Map.copyOf(rtxByApt),
          audioLevel,
          new HeaderExtensions(formats.headerExtensions()),
          Set.copyOf(vp8),
          Set.copyOf(formats.rtxPayloadTypes().keySet()),
          Map.copyOf(clockRates));
    }
  }

  static final String AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

  private static LocalIce describe(Agent agent, Component component, MediaConfig config) {
    List<IceCandidate> candidates = new ArrayList<>();
    IceCandidate firstHost = null;
    for (LocalCandidate c : component.getLocalCandidates()) {
      TransportAddress address = c.getTransportAddress();
      TransportAddress related = c.getRelatedAddress();
      IceCandidate candidate =
          new IceCandidate(
              c.getFoundation(),
              component.getComponentID(),
              address.getTransport().toString().toLowerCase(Locale.ROOT),
              c.getPriority(),
              address.getHostAddress(),
              address.getPort(),
              c.getType().toString(),
              agent.getGeneration(),
              related == null ? null : related.getHostAddress(),
              related == null ? 0 : related.getPort());
      candidates.add(candidate);
      if (firstHost == null && c.getType() == CandidateType.HOST_CANDIDATE) {
        firstHost = candidate;
      }
    }
    if (firstHost != null) {
      int index = 0;
      for (String publicAddress : config.publicAddresses()) {
        // a static NAT mapping: the public address with the same port, one step below host
        candidates.add(
            new IceCandidate(
                String.valueOf(100 + index++),
                firstHost.component(),
                "udp",
                Math.max(1, firstHost.priority() - (1L << 24) * 26),
                publicAddress,
                firstHost.port(),
                "srflx",
                firstHost.generation(),
                firstHost.ip(),
                firstHost.port()));
      }
    }
    return new LocalIce(agent.getLocalUfrag(), agent.getLocalPassword(), candidates);
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
    return localIce;
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
        stream.setRemoteUfrag(remote.ufrag());
        stream.setRemotePassword(remote.password());
        dtls = new BridgeDtls.QueueTransport(this::sendRaw);
      }
      List<RemoteCandidate> candidates = new ArrayList<>();
      for (IceCandidate c : remote.candidates()) {
        RemoteCandidate rc = toRemoteCandidate(c);
        if (rc != null) {
          candidates.add(rc);
        }
      }
      if (first) {
        component.addRemoteCandidates(candidates);
        state = TransportState.CONNECTING;
        timeline("remote transport set, ICE checks start");
        agent.startConnectivityEstablishment();
      } else {
        candidates.forEach(component::addUpdateRemoteCandidates);
        component.updateRemoteCandidates();
        startDtls = iceConnected && !dtlsStarted;
      }
    }
    if (startDtls) {
      startDtls();
    }
  }

  private RemoteCandidate toRemoteCandidate(IceCandidate c) {
    if (c.component() != Component.RTP
        || c.protocol() == null
        || !c.protocol().equalsIgnoreCase("udp")
        || c.ip() == null
        || c.port() <= 0
        || c.port() > 65535) {
      return null;
    }
    CandidateType type;
    try {
      type = CandidateType.parse(c.type() == null ? "host" : c.type());
    } catch (IllegalArgumentException e) {
      return null;
    }
    RemoteCandidate related = null;
    if (c.relatedAddress() != null && c.relatedPort() > 0) {
      related =
          new RemoteCandidate(
              new TransportAddress(c.relatedAddress(), c.relatedPort(), Transport.UDP),
              component,
              CandidateType.HOST_CANDIDATE,
              c.foundation(),
              c.priority(),
              null);
    }
    return new RemoteCandidate(
        new TransportAddress(c.ip(), c.port(), Transport.UDP),
        component,
        type,
        c.foundation(),
        c.priority(),
        related);
  }

  private void onIceStateChange(PropertyChangeEvent event) {
    Object value = event.getNewValue();
    if (value == IceProcessingState.COMPLETED) {
      counters.iceSucceeded.increment();
      synchronized (lock) {
        iceConnected = true;
      }
      timeline("ICE completed");
      startDtls();
    } else if (value == IceProcessingState.FAILED) {
      counters.iceFailed.increment();
      fail("ICE failed");
    }
  }

  /** Starts the DTLS handshake once ICE is connected and the peer's fingerprint is known. */
  private void startDtls() {
    final boolean server;
    final List<DtlsFingerprint> fingerprints;
    final BridgeDtls.QueueTransport transport;
    synchronized (lock) {
      if (dtlsStarted || remote == null || state != TransportState.CONNECTING) {
        return;
      }
      dtlsStarted = true;
      fingerprints = remote.fingerprints();
      transport = dtls;
      server = isDtlsServer(fingerprints);
    }
    try {
      conference.engine().handshakes().execute(() -> runDtls(server, fingerprints, transport));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      fail("media engine is shutting down");
    }
  }

  /** The peer's setup: active makes the bridge the server; passive or actpass the client. */
  static boolean isDtlsServer(List<DtlsFingerprint> fingerprints) {
    for (DtlsFingerprint f : fingerprints) {
      if (f.setup() != null && f.setup().equalsIgnoreCase("active")) {
        return true;
      }
    }
    for (DtlsFingerprint f : fingerprints) {
      if (f.setup() != null
          && (f.setup().equalsIgnoreCase("passive") || f.setup().equalsIgnoreCase("actpass"))) {
        return false;
      }
    }
    return true;
  }

  private void runDtls(
      boolean server, List<DtlsFingerprint> fingerprints, BridgeDtls.QueueTransport transport) {
    BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
    DtlsCertificate certificate = conference.engine().certificate();
    DTLSTransport session;
    BridgeDtls.Keys keys;
    try {
      if (server) {
        BridgeDtls.Server tlsServer = new BridgeDtls.Server(crypto, certificate, fingerprints);
        session = new DTLSServerProtocol().accept(tlsServer, transport);
        keys = tlsServer.keys();
      } else {
        BridgeDtls.Client tlsClient = new BridgeDtls.Client(crypto, certificate, fingerprints);
        session = new DTLSClientProtocol().connect(tlsClient, transport);
        keys = tlsClient.keys();
      }
    } catch (IOException | RuntimeException e) {
      if (state != TransportState.CLOSED) {
        counters.dtlsFailed.increment();
        fail("DTLS handshake failed: " + e.getMessage());
      }
      return;
    }
    SrtpSession session1 = new SrtpSession(keys.profile(), keys.keyingMaterial(), server);
    synchronized (lock) {
      if (state != TransportState.CONNECTING) {
        session1.close();
        return;
      }
      srtp = session1;
      state = TransportState.CONNECTED;
      // in the same critical section, so nobody sees CONNECTED before forwarding includes us
      conference.refreshConnected();
    }
    timeline("DTLS done (" + keys.profile() + "), forwarding to and from this endpoint");
    if (receiveVideo) {
      conference.requestKeyframesFor(this);
    }
    // keep serving the DTLS association: retransmitted flights and close_notify
    byte[] buf = new byte[2048];
    while (state == TransportState.CONNECTED) {
      try {
        session.receive(buf, 0, buf.length, 1000);
      } catch (IOException e) {
        break;
      }
    }
  }

  /**
   * The ice4j push-API callback, on the harvester's socket thread: DTLS goes to the handshake
   * queue, SRTP/SRTCP to this endpoint's media worker (RFC 7983 demultiplexing), anything else is
   * dropped.
   */
  private void onBuffer(Buffer buffer) {
    byte[] data = buffer.getBuffer();
    int off = buffer.getOffset();
    int len = buffer.getLength();
    lastActivityMillis = System.currentTimeMillis();
    if (Rtp.looksLikeDtls(data, off, len)) {
      BridgeDtls.QueueTransport transport = dtls;
      if (transport != null) {
        transport.offer(data, off, len);
      }
    } else if (Rtp.looksLikeRtpOrRtcp(data, off, len) && srtp != null) {
      byte[] copy = new byte[len];
      System.arraycopy(data, off, copy, 0, len);
      conference.engine().workers().submit(worker, this, copy);
    } else {
      counters.packetsDropped.increment();
    }
  }

  /** Handles one SRTP or SRTCP packet on this endpoint's media worker. */
  void process(byte[] packet) {
    int len = packet.length;
    counters.packetsReceived.increment();
    counters.bytesReceived.add(len);
    try {
      if (Rtp.isRtcp(packet, 0, len)) {
        onSrtcp(packet, 0, len);
      } else {
        onSrtp(packet, 0, len);
      }
    } catch (RuntimeException e) {
      // a malformed packet must never break the worker for everyone else
      counters.packetsDropped.increment();
    }
  }

  private void onSrtp(byte[] data, int off, int len) {
    SrtpSession session = srtp;
    if (session == null || state != TransportState.CONNECTED) {
      counters.packetsDropped.increment();
      return;
    }
    PacketBuffer packet = new PacketBuffer(data, off, len);
    if (!session.unprotectRtp(packet)) {
      counters.packetsDropped.increment();
      int n = undecryptable.incrementAndGet();
      if (Integer.bitCount(n) == 1) {
        timeline(n + " RTP packet(s) from here failed SRTP so far");
      }
      return;
    }
    int plainLength = packet.getLength();
    if (Rtp.headerLength(data, off, plainLength) < 0) {
      counters.packetsDropped.increment();
      return;
    }
    byte[] plain = new byte[plainLength];
    System.arraycopy(data, off, plain, 0, plainLength);
    counters.rtpReceived.increment();

    long ssrc = Rtp.ssrc(plain, 0);
    int pt = Rtp.payloadType(plain, 0);
    ForwardingConference.SourceIndex index = conference.sourceIndex();
    if (index.owners().get(ssrc) != this) {
      conference.learnOwner(ssrc, this);
    }
    String type = index.types().get(ssrc);
    if (type == null) {
      Long primary = index.rtxToPrimary().get(ssrc);
      type = primary == null ? null : index.types().get(primary);
    }
    Formats f = formats;
    if (type == null) {
      type = f.mediaTypeByPayloadType().getOrDefault(pt, "video");
    }
    boolean audio = "audio".equals(type);

    ReceiveStats stats = receiveStats.get(ssrc);
    if (stats == null && receiveStats.size() < 64) {
      stats = receiveStats.computeIfAbsent(ssrc, s -> new ReceiveStats());
    }
    if (stats != null) {
      stats.received(
          Rtp.sequenceNumber(plain, 0),
          Rtp.timestamp(plain, 0),
          f.clockRateByPayloadType().getOrDefault(pt, 0),
          System.nanoTime(),
          audio);
    }
    if (!audio) {
      videoBytesInInterval.addAndGet(plainLength);
    }

    boolean keyframe = false;
    if (!audio) {
      long now = System.nanoTime();
      long previous = lastVideoNanos;
      lastVideoNanos = now;
      if (previous != 0 && now - previous > 250_000_000L) {
        timeline("video from here resumes after " + (now - previous) / 1_000_000 + " ms");
      }
      keyframe = f.vp8PayloadTypes().contains(pt) && Rtp.isVp8KeyframeStart(plain, 0, plainLength);
      if (!f.rtxPayloadTypes().contains(pt)
          && !videoSsrcsSeen.contains(ssrc)
          && videoSsrcsSeen.size() < 64) {
        videoSsrcsSeen.add(ssrc);
        timeline("first video packet received, ssrc " + ssrc + (keyframe ? " (keyframe)" : ""));
      }
    }

    if (audio && f.audioLevelExtensionId() > 0) {
      int level = Rtp.audioLevel(plain, 0, plainLength, f.audioLevelExtensionId());
      if (level >= 0) {
        conference.audioLevel(endpointId, level);
      }
    }

    for (EndpointConnection receiver : conference.connected()) {
      if (receiver != this && (audio || receiver.receiveVideo)) {
        receiver.forward(plain, f, this, audio, keyframe);
      }
    }
  }

  private void onSrtcp(byte[] data, int off, int len) {
    SrtpSession session = srtp;
    if (session == null || state != TransportState.CONNECTED) {
      counters.packetsDropped.increment();
      return;
    }
    PacketBuffer packet = new PacketBuffer(data, off, len);
    if (!session.unprotectRtcp(packet)) {
      counters.packetsDropped.increment();
      return;
    }
    int end = off + packet.getLength();
    int pos = off;
    while (pos + 8 <= end) {
      if ((data[pos] & 0xC0) != 0x80) {
        return;
      }
      int length = Rtp.rtcpPacketLength(data, pos);
      if (pos + length > end) {
        return;
      }
      int type = data[pos + 1] & 0xFF;
      int fmt = data[pos] & 0x1F;
      if (type == Rtp.RTCP_PSFB && fmt == Rtp.FMT_PLI && length >= 12) {
        timeline("sent a PLI for ssrc " + Rtp.readUint32(data, pos + 8));
        conference.requestKeyframe(this, Rtp.readUint32(data, pos + 8), false);
      } else if (type == Rtp.RTCP_PSFB && fmt == Rtp.FMT_FIR && length >= 20) {
        for (int fci = pos + 12; fci + 8 <= pos + length; fci += 8) {
          timeline("sent a FIR for ssrc " + Rtp.readUint32(data, fci));
          conference.requestKeyframe(this, Rtp.readUint32(data, fci), true);
        }
      } else if (type == Rtp.RTCP_RTPFB && fmt == Rtp.FMT_NACK && length >= 16) {
        long mediaSsrc = Rtp.readUint32(data, pos + 8);
        for (int fci = pos + 12; fci + 4 <= pos + length; fci += 4) {
          int pid = ((data[fci] & 0xFF) << 8) | (data[fci + 1] & 0xFF);
          int blp = ((data[fci + 2] & 0xFF) << 8) | (data[fci + 3] & 0xFF);
          retransmit(mediaSsrc, pid);
          for (int bit = 0; bit < 16; bit++) {
            if ((blp & (1 << bit)) != 0) {
              retransmit(mediaSsrc, (pid + bit + 1) & 0xFFFF);
            }
          }
        }
      } else if (type == Rtp.RTCP_SR && length >= 28) {
        // our next RR to this sender carries LSR/DLSR for it, so it can measure the round trip
        ReceiveStats source = receiveStats.get(Rtp.readUint32(data, pos + 4));
        if (source != null) {
          source.senderReport(Rtp.readUint32(data, pos + 10), System.nanoTime());
        }
        // sender reports carry the NTP/RTP mapping receivers need for lip sync
        byte[] sr = new byte[length];
        System.arraycopy(data, pos, sr, 0, length);
        for (EndpointConnection receiver : conference.connected()) {
          if (receiver != this) {
            receiver.sendRtcp(sr);
          }
        }
      }
      // RR, SDES, BYE, REMB, transport-cc and the rest end here
      pos += length;
    }
  }

  /**
   * Forwards one of {@code sender}'s packets to this endpoint, with the header extensions this
   * endpoint negotiated (see {@link HeaderExtensions}).
   */
  void forward(
      byte[] plain, Formats senderFormats, EndpointConnection sender, boolean audio, boolean key) {
    sendRtp(HeaderExtensions.rewrite(plain, senderFormats.extensions(), formats.extensions()));
    long ssrc = Rtp.ssrc(plain, 0);
    if (!firstForwarded.contains(ssrc) && firstForwarded.size() < 256 && firstForwarded.add(ssrc)) {
      timeline(
          "first "
              + (audio ? "audio" : "video")
              + " packet of "
              + sender.endpointId
              + " (ssrc "
              + ssrc
              + ") forwarded here"
              + (key ? ", a keyframe" : ""));
    }
    if (key
        && !firstKeyframeForwarded.contains(ssrc)
        && firstKeyframeForwarded.size() < 256
        && firstKeyframeForwarded.add(ssrc)) {
      timeline("first keyframe of " + sender.endpointId + " (ssrc " + ssrc + ") forwarded here");
    }
  }

  /** Encrypts and sends one forwarded RTP packet; remembers it for NACKs. */
  void sendRtp(byte[] plain) {
    SrtpSession session = srtp;
    if (session == null) {
      return;
    }
    long ssrc = Rtp.ssrc(plain, 0);
    SendCache cache = sendCaches.get(ssrc);
    if (cache == null && sendCaches.size() < 256) {
      cache = sendCaches.computeIfAbsent(ssrc, s -> new SendCache());
    }
    if (cache != null) {
      cache.put(plain);
    }
    PacketBuffer packet = PacketBuffer.copyOf(plain, 0, plain.length);
    if (session.protectRtp(packet)) {
      sendRaw(packet.getBuffer(), packet.getOffset(), packet.getLength());
      counters.rtpForwarded.increment();
    } else {
      counters.packetsDropped.increment();
    }
  }

  /** Encrypts and sends an RTCP (compound) packet. */
  void sendRtcp(byte[] plain) {
    SrtpSession session = srtp;
    if (session == null) {
      return;
    }
    PacketBuffer packet = PacketBuffer.copyOf(plain, 0, plain.length);
    // several threads send RTCP to one endpoint (receivers' workers routing their PLIs, the DTLS
    // thread asking for keyframes for a newcomer, the report timer); an SRTCP context is not
    // thread-safe, and its index must go out in order
    synchronized (rtcpLock) {
      if (session.protectRtcp(packet)) {
        sendRaw(packet.getBuffer(), packet.getOffset(), packet.getLength());
      }
    }
  }

  private void retransmit(long mediaSsrc, int sequence) {
    SendCache cache = sendCaches.get(mediaSsrc);
    byte[] original = cache == null ? null : cache.get(sequence);
    if (original == null) {
      return;
    }
    counters.retransmissions.increment();
    Integer rtxPt = formats.rtxByApt().get(Rtp.payloadType(original, 0));
    Long rtxSsrc = conference.sourceIndex().primaryToRtx().get(mediaSsrc);
    if (rtxPt == null || rtxSsrc == null) {
      sendRtpAgain(original);
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
    int rtxSeq =
        rtxSequences.computeIfAbsent(rtxSsrc, s -> new AtomicInteger()).getAndIncrement() & 0xFFFF;
    Rtp.writeUint16(rtx, 2, rtxSeq);
    Rtp.writeUint32(rtx, 8, rtxSsrc);
    rtx[header] = original[2];
    rtx[header + 1] = original[3];
    System.arraycopy(original, header, rtx, header + 2, payloadEnd - header);
    PacketBuffer packet = PacketBuffer.copyOf(rtx, 0, rtx.length);
    SrtpSession session = srtp;
    if (session != null && session.protectRtp(packet)) {
      sendRaw(packet.getBuffer(), packet.getOffset(), packet.getLength());
    }
  }

  private void sendRtpAgain(byte[] original) {
    SrtpSession session = srtp;
    PacketBuffer packet = PacketBuffer.copyOf(original, 0, original.length);
    if (session != null && session.protectRtp(packet)) {
      sendRaw(packet.getBuffer(), packet.getOffset(), packet.getLength());
    }
  }

  /**
   * The bridge's own keyframe request to this endpoint (a PLI), skipped when one went out for the
   * SSRC less than {@link #KEYFRAME_REQUEST_MIN_INTERVAL_NANOS} ago. True if it was sent.
   */
  boolean requestKeyframe(long mediaSsrc, String why) {
    Long last = keyframeRequestedNanos.get(mediaSsrc);
    if (last != null && System.nanoTime() - last < KEYFRAME_REQUEST_MIN_INTERVAL_NANOS) {
      return false;
    }
    sendKeyframeRequest(mediaSsrc, false);
    timeline("PLI for ssrc " + mediaSsrc + " (" + why + ")");
    return true;
  }

  /** The primary video SSRCs this endpoint sends: signalled ones (RTX excluded), then seen ones. */
  Set<Long> videoSsrcs() {
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

  /** Asks this endpoint (the owner of {@code mediaSsrc}) for a keyframe. */
  void sendKeyframeRequest(long mediaSsrc, boolean fir) {
    if (keyframeRequestedNanos.size() < 256 || keyframeRequestedNanos.containsKey(mediaSsrc)) {
      keyframeRequestedNanos.put(mediaSsrc, System.nanoTime());
    }
    long sender = conference.feedbackVideoSsrc();
    sendRtcp(
        fir
            ? Rtp.fir(sender, mediaSsrc, firSequence.incrementAndGet())
            : Rtp.pli(sender, mediaSsrc));
  }

  /**
   * Once a second: a receiver report for every SSRC received from this endpoint and, if it sends
   * video, a REMB estimate that grows with what actually arrives so the sender ramps up.
   */
  void sendReceiverFeedback() {
    if (srtp == null) {
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
    sendRtcp(compound);
  }

  private void sendRaw(byte[] data, int off, int len) {
    try {
      component.send(data, off, len);
      counters.packetsSent.increment();
      counters.bytesSent.add(len);
    } catch (IOException | RuntimeException e) {
      counters.packetsDropped.increment();
    }
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
    timeline("sources set: " + this.sources.size());
    conference.reindexSources();
  }

  List<MediaSourceDesc> sources() {
    return sources;
  }

  @Override
  public void setMediaFormats(MediaFormats formats) {
    this.formats = formats == null ? Formats.NONE : Formats.of(formats);
  }

  @Override
  public void setReceiveVideo(boolean receiveVideo) {
    boolean resumed = receiveVideo && !this.receiveVideo;
    this.receiveVideo = receiveVideo;
    if (resumed && state == TransportState.CONNECTED) {
      // the video it gets next must start with a keyframe, like for a new receiver
      conference.requestKeyframesFor(this);
    }
  }

  @Override
  public TransportState state() {
    return state;
  }

  @Override
  public Instant lastActivity() {
    return Instant.ofEpochMilli(lastActivityMillis);
  }

  private void timeline(String event) {
    if (LOGGER.isInfoEnabled()) {
      LOGGER.info(
          java.time.LocalTime.now()
              + " endpoint "
              + endpointId
              + " +"
              + (System.nanoTime() - createdNanos) / 1_000_000
              + " ms: "
              + event);
    }
  }

  InetSocketAddress selectedRemoteAddress() {
    var pair = component.getSelectedPair();
    return pair == null ? null : pair.getRemoteCandidate().getTransportAddress();
  }

  @Override
  public void close() {
    closeQuietly();
  }

  void closeQuietly() {
    BridgeDtls.QueueTransport transport;
    SrtpSession session;
    synchronized (lock) {
      if (state == TransportState.CLOSED) {
        return;
      }
      state = TransportState.CLOSED;
      transport = dtls;
      session = srtp;
      srtp = null;
    }
    if (transport != null) {
      transport.close();
    }
    agent.free();
    conference.endpointClosed(this);
    if (session != null) {
      session.close();
    }
  }

  /**
   * RFC 3550 A.1/A.3 sequence accounting, A.8 interarrival jitter and the last SR for one received
   * SSRC.
   */
  static final class ReceiveStats {
    private boolean audio;
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
     */
    synchronized void received(
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
        baseSeq = seq;
        maxSeq = seq;
      } else {
        int delta = (seq - maxSeq) & 0xFFFF;
        if (delta > 0 && delta < 0x8000) {
          if (seq < maxSeq) {
            cycles += 0x10000;
          }
          maxSeq = seq;
        }
      }
      received++;
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

  /** The last {@value #SIZE} packets of one SSRC sent to this endpoint, by sequence number. */
  static final class SendCache {
    static final int SIZE = 1024;
    private final byte[][] packets = new byte[SIZE][];

    synchronized void put(byte[] plain) {
      packets[Rtp.sequenceNumber(plain, 0) & (SIZE - 1)] = plain;
    }

    synchronized byte[] get(int sequence) {
      byte[] p = packets[sequence & (SIZE - 1)];
      return p != null && Rtp.sequenceNumber(p, 0) == sequence ? p : null;
    }
  }
}
