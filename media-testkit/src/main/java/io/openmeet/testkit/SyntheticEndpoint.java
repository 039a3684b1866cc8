package io.openmeet.testkit;

import io.openmeet.litebridge.media.IceCandidate;
import io.openmeet.litebridge.media.LocalIce;
import io.openmeet.litebridge.media.MediaFormats;
import io.openmeet.litebridge.media.MediaSourceDesc;
import io.openmeet.litebridge.media.RemoteTransport;
import io.openmeet.transport.DtlsAssociation;
import io.openmeet.transport.DtlsCertificate;
import io.openmeet.transport.DtlsFingerprint;
import io.openmeet.transport.PacketBuffer;
import io.openmeet.transport.SrtpProfile;
import io.openmeet.transport.SrtpSession;
import java.beans.PropertyChangeEvent;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.RemoteCandidate;
import org.ice4j.socket.IceSocketWrapper;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * A WebRTC-like client in Java for driving a bridge without a browser: an ICE-controlled ice4j
 * agent on one loopback (or given) address, and DTLS-SRTP from media-transport (the bridge's own
 * code) with its own ECDSA certificate ({@code setup=active}, or passive on request). It sends
 * audio (with the ssrc-audio-level header extension) and VP8-like video, PLI/FIR/NACK, and records
 * what it receives.
 *
 * <p>Usage: create it, hand {@link #transportDescription()}, {@link #sources()} and {@link
 * #mediaFormats()} to the bridge, then {@link #connect(LocalIce, DtlsFingerprint)} with what the
 * bridge described, and {@link #awaitConnected(Duration)}.
 */
public final class SyntheticEndpoint implements AutoCloseable {

  /** Payload types and extension ids, as jicofo offers them. */
  public static final int OPUS_PT = 111;

  public static final int VP8_PT = 100;
  public static final int RTX_PT = 96;
  public static final int AUDIO_LEVEL_EXT_ID = 1;

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Longer than a browser would wait; the bridge's own limit is 20 s. */
  private static final int HANDSHAKE_TIMEOUT_MILLIS = 15_000;

  /**
   * Settings.
   *
   * @param bindAddress local address for the host candidate (127.0.0.1 in tests)
   * @param recordPackets keep every received packet (tests) or only count them (load)
   * @param srtpProfiles DTLS-SRTP profiles offered, most preferred first (RFC 5764 ids)
   * @param dtlsPassive signal setup=passive and be the DTLS server (browsers are active)
   * @param simulcastLayers video SSRCs in a SIM group, lowest first, each with an RTX (1: none)
   */
  public record Options(
      String bindAddress,
      boolean recordPackets,
      int[] srtpProfiles,
      boolean dtlsPassive,
      int simulcastLayers) {
    public Options {
      srtpProfiles = srtpProfiles.clone();
      if (simulcastLayers < 1) {
        throw new IllegalArgumentException("simulcastLayers must be at least 1");
      }
    }

    /** Without simulcast. */
    public Options(
        String bindAddress, boolean recordPackets, int[] srtpProfiles, boolean dtlsPassive) {
      this(bindAddress, recordPackets, srtpProfiles, dtlsPassive, 1);
    }

    /** Send video as {@code layers} simulcast layers (see {@link SimulcastSender}). */
    public Options withSimulcast(int layers) {
      return new Options(bindAddress, recordPackets, srtpProfiles, dtlsPassive, layers);
    }

    public static Options loopback() {
      return new Options("127.0.0.1", true, SrtpProfile.ids(), false);
    }

    public Options withRecordPackets(boolean record) {
      return new Options(bindAddress, record, srtpProfiles, dtlsPassive, simulcastLayers);
    }

    /** Offer only AES128_CM_HMAC_SHA1_80 (the other profile a browser may pick). */
    public Options withCmHmacOnly() {
      return new Options(
          bindAddress,
          recordPackets,
          new int[] {SrtpProfile.AES128_CM_HMAC_SHA1_80.id()},
          dtlsPassive,
          simulcastLayers);
    }

    /** Signal setup=passive and act as the DTLS server, so the bridge must be the client. */
    public Options withDtlsPassive() {
      return new Options(bindAddress, recordPackets, srtpProfiles, true, simulcastLayers);
    }
  }

  /**
   * One received RTP packet. {@code rtxOriginalSeq} is -1 unless it is an RTX packet; {@code
   * extensions} are its RFC 8285 header extension elements by id (one- or two-byte form).
   */
  public record ReceivedRtp(
      long ssrc,
      int seq,
      int payloadType,
      long timestamp,
      boolean marker,
      byte[] payload,
      int rtxOriginalSeq,
      long receivedNanos,
      Map<Integer, byte[]> extensions) {}

  /**
   * One received RTCP packet (of a compound). {@code rembBitrate} is -1 unless REMB; {@code packet}
   * is its decrypted bytes (e.g. to read transport-cc feedback).
   */
  public record ReceivedRtcp(
      int packetType, int fmt, long senderSsrc, long mediaSsrc, long rembBitrate, byte[] packet) {}

  /**
   * One received SR or RR (RFC 3550 6.4): the sender info is zero in an RR; {@code blocks} are its
   * report blocks.
   */
  public record ReceivedReport(
      int packetType,
      long senderSsrc,
      long ntpTimestamp,
      long rtpTimestamp,
      long packetCount,
      long octetCount,
      List<ReportBlock> blocks,
      long receivedNanos) {}

  /** One report block: LSR is the middle 32 bits of an NTP time, DLSR in 1/65536 s. */
  public record ReportBlock(
      long ssrc,
      int fractionLost,
      int cumulativeLost,
      long extendedHighestSeq,
      long jitter,
      long lastSr,
      long delaySinceLastSr) {}

  private final String id;
  private final Options options;
  private final DtlsCertificate certificate;
  private final Agent agent;
  private final IceMediaStream stream;
  private final Component component;
  private final LoopbackHarvester harvester;
  private final long audioSsrc;
  private final long videoSsrc;
  private final long rtxSsrc;
  private final long[] layerSsrcs;
  private final long[] layerRtxSsrcs;
  private final Map<Long, AtomicInteger> sequences = new ConcurrentHashMap<>();
  private final AtomicLong audioTimestamp = new AtomicLong(RANDOM.nextInt() & 0xFFFFFFFFL);
  private final AtomicLong videoTimestamp = new AtomicLong(RANDOM.nextInt() & 0xFFFFFFFFL);
  private final Map<Long, Map<Integer, byte[]>> sentPayloads = new ConcurrentHashMap<>();
  private final Queue<ReceivedRtp> receivedRtp = new ConcurrentLinkedQueue<>();
  private final Queue<ReceivedRtcp> receivedRtcp = new ConcurrentLinkedQueue<>();
  private final Queue<ReceivedReport> receivedReports = new ConcurrentLinkedQueue<>();
  private final Map<Long, LongAdder> receivedPerSsrc = new ConcurrentHashMap<>();
  private final LongAdder receivedPackets = new LongAdder();
  private final LongAdder receivedBytes = new LongAdder();
  private final LongAdder sentPackets = new LongAdder();
  private final LongAdder sentBytes = new LongAdder();
  private final LongAdder undecryptable = new LongAdder();
  private final Map<Long, LongAdder> undecryptablePerSsrc = new ConcurrentHashMap<>();
  private final CountDownLatch settled = new CountDownLatch(1);
  private final java.util.Set<Long> simulatedLosses = ConcurrentHashMap.newKeySet();
  private final DtlsAssociation dtls = new DtlsAssociation(this::sendRaw);
  private volatile SrtpSession srtp;
  private volatile String failure;
  private volatile IceSocketWrapper socket;
  private volatile InetSocketAddress remoteAddress;
  private volatile boolean closed;
  private volatile DtlsFingerprint bridgeFingerprint;
  private volatile int dtlsResendMillis = DtlsAssociation.DEFAULT_RESEND_MILLIS;
  private Thread receiver;

  private SyntheticEndpoint(String id, Options options) {
    this.id = id;
    this.options = options;
    this.certificate = DtlsCertificate.generate("synthetic-" + id);
    this.audioSsrc = randomSsrc();
    this.videoSsrc = randomSsrc();
    this.rtxSsrc = randomSsrc();
    this.layerSsrcs = new long[options.simulcastLayers()];
    this.layerRtxSsrcs = new long[options.simulcastLayers()];
    layerSsrcs[0] = videoSsrc;
    layerRtxSsrcs[0] = rtxSsrc;
    for (int i = 1; i < layerSsrcs.length; i++) {
      layerSsrcs[i] = randomSsrc();
      layerRtxSsrcs[i] = randomSsrc();
    }
    io.openmeet.litebridge.media.Ice4jMediaEngine.configureIce4j();
    this.agent = new Agent(new LoggerImpl(SyntheticEndpoint.class.getName()));
    try {
      this.harvester = new LoopbackHarvester(InetAddress.getByName(options.bindAddress()));
      agent.setUseDynamicPorts(false);
      agent.addCandidateHarvester(harvester);
      agent.setControlling(false);
      this.stream = agent.createMediaStream("synthetic-" + id);
      this.component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, false);
    } catch (IOException | RuntimeException e) {
      agent.free();
      throw new IllegalStateException("cannot set up the ICE agent of " + id, e);
    }
    agent.addStateChangeListener(this::onIceState);
  }

  /** Creates an endpoint and gathers its host candidate. */
  public static SyntheticEndpoint create(String id, Options options) {
    return new SyntheticEndpoint(id, options);
  }

  private static long randomSsrc() {
    long ssrc = 0;
    while (ssrc == 0) {
      ssrc = RANDOM.nextInt() & 0xFFFFFFFFL;
    }
    return ssrc;
  }

  public String id() {
    return id;
  }

  public long audioSsrc() {
    return audioSsrc;
  }

  public long videoSsrc() {
    return videoSsrc;
  }

  public long rtxSsrc() {
    return rtxSsrc;
  }

  /** The video SSRC of each simulcast layer, lowest first (the first is {@link #videoSsrc()}). */
  public long[] layerSsrcs() {
    return layerSsrcs.clone();
  }

  /** The RTX SSRC of each simulcast layer. */
  public long[] layerRtxSsrcs() {
    return layerRtxSsrcs.clone();
  }

  /** Our certificate's fingerprint (what a browser puts in its answer). */
  public String fingerprint() {
    return certificate.sha256Fingerprint();
  }

  /** ICE ufrag/pwd/candidates and the DTLS fingerprint with setup=active, for Colibri2. */
  public RemoteTransport transportDescription() {
    List<IceCandidate> candidates = new ArrayList<>();
    for (LocalCandidate c : component.getLocalCandidates()) {
      TransportAddress a = c.getTransportAddress();
      candidates.add(
          new IceCandidate(
              c.getFoundation(),
              Component.RTP,
              "udp",
              c.getPriority(),
              a.getHostAddress(),
              a.getPort(),
              c.getType().toString(),
              0,
              null,
              0));
    }
    return new RemoteTransport(
        agent.getLocalUfrag(),
        agent.getLocalPassword(),
        candidates,
        List.of(
            new DtlsFingerprint(
                "sha-256",
                certificate.sha256Fingerprint(),
                options.dtlsPassive() ? "passive" : "active")));
  }

  /**
   * Our sources: audio {@code <id>-a0}, video {@code <id>-v0} with an FID group for RTX; with
   * simulcast, the video's layers in a SIM group (lowest first) and an FID group per layer, as the
   * web app signals them.
   */
  public List<MediaSourceDesc> sources() {
    if (layerSsrcs.length > 1) {
      List<Long> ssrcs = new ArrayList<>();
      List<MediaSourceDesc.SsrcGroup> groups = new ArrayList<>();
      List<Long> layers = new ArrayList<>();
      for (int i = 0; i < layerSsrcs.length; i++) {
        ssrcs.add(layerSsrcs[i]);
        layers.add(layerSsrcs[i]);
      }
      for (int i = 0; i < layerSsrcs.length; i++) {
        ssrcs.add(layerRtxSsrcs[i]);
      }
      groups.add(new MediaSourceDesc.SsrcGroup("SIM", layers));
      for (int i = 0; i < layerSsrcs.length; i++) {
        groups.add(new MediaSourceDesc.SsrcGroup("FID", List.of(layerSsrcs[i], layerRtxSsrcs[i])));
      }
      return List.of(
          new MediaSourceDesc("audio", id + "-a0", List.of(audioSsrc), List.of()),
          new MediaSourceDesc("video", id + "-v0", ssrcs, groups));
    }
    return List.of(
        new MediaSourceDesc("audio", id + "-a0", List.of(audioSsrc), List.of()),
        new MediaSourceDesc(
            "video",
            id + "-v0",
            List.of(videoSsrc, rtxSsrc),
            List.of(new MediaSourceDesc.SsrcGroup("FID", List.of(videoSsrc, rtxSsrc)))));
  }

  /** opus 111, VP8 100, rtx 96 (apt 100), audio level as extension 1. */
  public static MediaFormats mediaFormats() {
    return new MediaFormats(
        List.of(
            new MediaFormats.PayloadType("audio", OPUS_PT, "opus", 48000, 2),
            new MediaFormats.PayloadType("video", VP8_PT, "VP8", 90000, 1),
            new MediaFormats.PayloadType("video", RTX_PT, "rtx", 90000, 1)),
        Map.of(RTX_PT, VP8_PT),
        Map.of(AUDIO_LEVEL_EXT_ID, "urn:ietf:params:rtp-hdrext:ssrc-audio-level"));
  }

  /** Starts ICE towards the bridge, then the DTLS handshake. Returns at once. */
  public void connect(LocalIce bridgeIce, DtlsFingerprint bridgeFingerprint) {
    startIce(bridgeIce, bridgeFingerprint);
  }

  /**
   * Connects as Chromium does: the DTLS handshake starts as soon as one of our own checks is
   * answered, before the ICE-controlling bridge has nominated a pair (and possibly before the
   * bridge knows our credentials), and a flight that gets no answer is first sent again after
   * {@code dtlsResendMillis}. Returns at once.
   */
  public void connectEarly(
      LocalIce bridgeIce, DtlsFingerprint bridgeFingerprint, int dtlsResendMillis) {
    this.dtlsResendMillis = dtlsResendMillis;
    stream.addPairChangeListener(
        event -> {
          if (IceMediaStream.PROPERTY_PAIR_VALIDATED.equals(event.getPropertyName())
              && event.getSource() instanceof CandidatePair pair) {
            startDtls(pair);
          }
        });
    startIce(bridgeIce, bridgeFingerprint);
  }

  private void startIce(LocalIce bridgeIce, DtlsFingerprint bridgeFingerprint) {
    this.bridgeFingerprint = bridgeFingerprint;
    stream.setRemoteUfrag(bridgeIce.ufrag());
    stream.setRemotePassword(bridgeIce.password());
    List<RemoteCandidate> remotes = new ArrayList<>();
    for (IceCandidate c : bridgeIce.candidates()) {
      if (c.component() != Component.RTP || !"udp".equalsIgnoreCase(c.protocol())) {
        continue;
      }
      if (!"host".equalsIgnoreCase(c.type())) {
        continue; // on one machine the host candidate is the one that works
      }
      remotes.add(
          new RemoteCandidate(
              new TransportAddress(c.ip(), c.port(), Transport.UDP),
              component,
              CandidateType.parse(c.type().toLowerCase(Locale.ROOT)),
              c.foundation(),
              c.priority(),
              null));
    }
    component.addRemoteCandidates(remotes);
    agent.startConnectivityEstablishment();
  }

  /** Waits until DTLS-SRTP is up (true) or ICE/DTLS failed or time ran out (false). */
  public boolean awaitConnected(Duration timeout) throws InterruptedException {
    settled.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    return srtp != null;
  }

  /** Why connecting failed, or null. */
  public String failure() {
    return failure;
  }

  public boolean isConnected() {
    return srtp != null && !closed;
  }

  private void onIceState(PropertyChangeEvent event) {
    if (event.getNewValue() == IceProcessingState.COMPLETED) {
      CandidatePair pair = component.getSelectedPair();
      if (pair == null) {
        fail("ICE completed without a selected pair");
        return;
      }
      startDtls(pair);
    } else if (event.getNewValue() == IceProcessingState.FAILED) {
      fail("ICE failed");
    }
  }

  /** Starts receiving and the DTLS handshake on {@code pair}; once (later calls do nothing). */
  private synchronized void startDtls(CandidatePair pair) {
    if (socket != null) {
      return;
    }
    remoteAddress = pair.getRemoteCandidate().getTransportAddress();
    socket = harvester.candidate().getCandidateIceSocketWrapper();
    receiver = new Thread(this::receiveLoop, "synthetic-rx-" + id);
    receiver.setDaemon(true);
    receiver.start();
    Thread handshake = new Thread(this::handshake, "synthetic-dtls-" + id);
    handshake.setDaemon(true);
    handshake.start();
  }

  private void fail(String reason) {
    if (failure == null) {
      failure = reason;
    }
    settled.countDown();
  }

  private void handshake() {
    try {
      DtlsAssociation.Established established =
          dtls.handshake(
              options.dtlsPassive(),
              List.of(bridgeFingerprint),
              certificate,
              options.srtpProfiles(),
              HANDSHAKE_TIMEOUT_MILLIS,
              dtlsResendMillis);
      srtp = established.srtpSession();
      settled.countDown();
      established.serve(() -> !closed);
    } catch (IOException | RuntimeException e) {
      fail("DTLS failed: " + e);
    }
  }

  private void receiveLoop() {
    byte[] buf = new byte[2048];
    while (!closed) {
      DatagramPacket packet = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(packet);
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      int len = packet.getLength();
      int first = buf[0] & 0xFF;
      if (first >= 20 && first <= 63) {
        dtls.offer(buf, 0, len);
      } else if (len >= 12 && (first & 0xC0) == 0x80) {
        int pt = buf[1] & 0xFF;
        if (!simulatedLosses.isEmpty() && (pt < 192 || pt > 223)) {
          long key = (u32(buf, 8) << 16) | (((buf[2] & 0xFF) << 8) | (buf[3] & 0xFF));
          if (simulatedLosses.remove(key)) {
            continue;
          }
        }
        SrtpSession s = srtp;
        if (s == null) {
          continue;
        }
        PacketBuffer p = new PacketBuffer(buf, 0, len);
        if (pt >= 192 && pt <= 223) {
          if (s.unprotectRtcp(p)) {
            onRtcp(buf, p.getLength());
          } else {
            undecryptable.increment();
          }
        } else if (s.unprotectRtp(p)) {
          onRtp(buf, p.getLength());
        } else {
          undecryptable.increment();
          undecryptablePerSsrc.computeIfAbsent(u32(buf, 8), x -> new LongAdder()).increment();
        }
      }
    }
  }

  private void onRtp(byte[] b, int len) {
    receivedPackets.increment();
    receivedBytes.add(len);
    long ssrc = u32(b, 8);
    receivedPerSsrc.computeIfAbsent(ssrc, s -> new LongAdder()).increment();
    if (!options.recordPackets()) {
      return;
    }
    int cc = b[0] & 0x0F;
    int header = 12 + 4 * cc;
    if ((b[0] & 0x10) != 0 && len >= header + 4) {
      header += 4 + 4 * (((b[header + 2] & 0xFF) << 8) | (b[header + 3] & 0xFF));
    }
    if (header > len) {
      return;
    }
    int pt = b[1] & 0x7F;
    int seq = ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    int osn = -1;
    int payloadStart = header;
    if (pt == RTX_PT && len >= header + 2) {
      osn = ((b[header] & 0xFF) << 8) | (b[header + 1] & 0xFF);
      payloadStart += 2;
    }
    byte[] payload = new byte[len - payloadStart];
    System.arraycopy(b, payloadStart, payload, 0, payload.length);
    receivedRtp.add(
        new ReceivedRtp(
            ssrc,
            seq,
            pt,
            u32(b, 4),
            (b[1] & 0x80) != 0,
            payload,
            osn,
            System.nanoTime(),
            extensions(b, header)));
  }

  private void onRtcp(byte[] b, int len) {
    int pos = 0;
    while (pos + 8 <= len) {
      int length = ((((b[pos + 2] & 0xFF) << 8) | (b[pos + 3] & 0xFF)) + 1) * 4;
      if (pos + length > len) {
        return;
      }
      int type = b[pos + 1] & 0xFF;
      int fmt = b[pos] & 0x1F;
      long sender = u32(b, pos + 4);
      long media = length >= 12 ? u32(b, pos + 8) : 0;
      long remb = -1;
      if (type == 206 && fmt == 15 && length >= 20 && b[pos + 12] == 'R' && b[pos + 13] == 'E') {
        int exp = (b[pos + 17] & 0xFF) >>> 2;
        long mantissa =
            ((b[pos + 17] & 0x03L) << 16) | ((b[pos + 18] & 0xFFL) << 8) | (b[pos + 19] & 0xFFL);
        remb = mantissa << exp;
      }
      if (type == 206 && fmt == 4 && length >= 20) {
        media = u32(b, pos + 12); // FIR names the SSRC in its FCI
      }
      receivedRtcp.add(
          new ReceivedRtcp(
              type, fmt, sender, media, remb, Arrays.copyOfRange(b, pos, pos + length)));
      if (type == 200 || type == 201) {
        receivedReports.add(report(b, pos, length));
      }
      pos += length;
    }
  }

  private static ReceivedReport report(byte[] b, int pos, int length) {
    int type = b[pos + 1] & 0xFF;
    int first = pos + (type == 200 ? 28 : 8);
    List<ReportBlock> blocks = new ArrayList<>();
    for (int i = 0; i < (b[pos] & 0x1F) && first + 24 * (i + 1) <= pos + length; i++) {
      int o = first + 24 * i;
      int lost = (int) (u32(b, o + 4) & 0xFFFFFF);
      blocks.add(
          new ReportBlock(
              u32(b, o),
              b[o + 4] & 0xFF,
              (lost << 8) >> 8,
              u32(b, o + 8),
              u32(b, o + 12),
              u32(b, o + 16),
              u32(b, o + 20)));
    }
    return type == 200
        ? new ReceivedReport(
            type,
            u32(b, pos + 4),
            (u32(b, pos + 8) << 32) | u32(b, pos + 12),
            u32(b, pos + 16),
            u32(b, pos + 20),
            u32(b, pos + 24),
            List.copyOf(blocks),
            System.nanoTime())
        : new ReceivedReport(
            type, u32(b, pos + 4), 0, 0, 0, 0, List.copyOf(blocks), System.nanoTime());
  }

  /** The header extension elements of a plain RTP packet whose header ends at {@code header}. */
  static Map<Integer, byte[]> extensions(byte[] b, int header) {
    if ((b[0] & 0x10) == 0) {
      return Map.of();
    }
    int start = 12 + 4 * (b[0] & 0x0F);
    int profile = ((b[start] & 0xFF) << 8) | (b[start + 1] & 0xFF);
    boolean oneByte = profile == 0xBEDE;
    Map<Integer, byte[]> out = new java.util.TreeMap<>();
    int pos = start + 4;
    while (pos < header) {
      int id;
      int len;
      if (oneByte) {
        int first = b[pos] & 0xFF;
        if (first == 0) {
          pos++;
          continue;
        }
        id = first >>> 4;
        len = (first & 0x0F) + 1;
        pos++;
        if (id == 15) {
          break;
        }
      } else {
        id = b[pos] & 0xFF;
        if (id == 0) {
          pos++;
          continue;
        }
        len = b[pos + 1] & 0xFF;
        pos += 2;
      }
      if (pos + len > header) {
        break;
      }
      byte[] data = new byte[len];
      System.arraycopy(b, pos, data, 0, len);
      out.put(id, data);
      pos += len;
    }
    return out;
  }

  private static long u32(byte[] b, int o) {
    return ((b[o] & 0xFFL) << 24)
        | ((b[o + 1] & 0xFFL) << 16)
        | ((b[o + 2] & 0xFFL) << 8)
        | (b[o + 3] & 0xFFL);
  }

  private static void put32(byte[] b, int o, long v) {
    b[o] = (byte) (v >>> 24);
    b[o + 1] = (byte) (v >>> 16);
    b[o + 2] = (byte) (v >>> 8);
    b[o + 3] = (byte) v;
  }

  private int nextSeq(long ssrc) {
    return sequences
            .computeIfAbsent(ssrc, s -> new AtomicInteger(RANDOM.nextInt(0x8000)))
            .getAndIncrement()
        & 0xFFFF;
  }

  /** The sequence number the next video packet will carry. */
  public int nextVideoSequence() {
    return sequences
            .computeIfAbsent(videoSsrc, s -> new AtomicInteger(RANDOM.nextInt(0x8000)))
            .get()
        & 0xFFFF;
  }

  /** The deterministic payload byte pattern for (ssrc, seq). */
  public static byte[] payloadFor(long ssrc, int seq, int size) {
    byte[] p = new byte[size];
    for (int i = 0; i < size; i++) {
      p[i] = (byte) (ssrc * 13 + seq * 31 + i * 7);
    }
    return p;
  }

  /**
   * Sends one 20 ms opus-like packet with the audio level (RFC 6464: 0 = loudest, 127 = silence).
   * Returns its sequence number.
   */
  public int sendAudio(int level) {
    int seq = nextSeq(audioSsrc);
    byte[] payload = payloadFor(audioSsrc, seq, 60);
    byte[] p = new byte[12 + 8 + payload.length];
    p[0] = (byte) 0x90; // V=2, X=1
    p[1] = (byte) OPUS_PT;
    p[2] = (byte) (seq >>> 8);
    p[3] = (byte) seq;
    put32(p, 4, audioTimestamp.getAndAdd(960));
    put32(p, 8, audioSsrc);
    p[12] = (byte) 0xBE;
    p[13] = (byte) 0xDE;
    p[14] = 0;
    p[15] = 1; // one 32-bit word of extensions
    p[16] = (byte) (AUDIO_LEVEL_EXT_ID << 4); // length-1 = 0
    p[17] = (byte) (0x80 | (level & 0x7F)); // voice activity + level
    System.arraycopy(payload, 0, p, 20, payload.length);
    remember(audioSsrc, seq, payload);
    sendRtp(p);
    return seq;
  }

  /**
   * Sends one VP8-like packet (payload descriptor S=1, then a keyframe or delta byte and the
   * pattern) that ends a frame. Returns its sequence number.
   */
  public int sendVideo(int payloadSize, boolean keyframe) {
    return sendVideo(payloadSize, keyframe, Map.of());
  }

  /**
   * Like {@link #sendVideo(int, boolean)}, with RFC 8285 one-byte header extension elements (id
   * 1..14 → 1..16 bytes of data), e.g. the MID a browser stamps on what it sends.
   */
  public int sendVideo(int payloadSize, boolean keyframe, Map<Integer, byte[]> extensions) {
    int seq = nextSeq(videoSsrc);
    byte[] payload = payloadFor(videoSsrc, seq, Math.max(3, payloadSize));
    payload[0] = 0x10; // VP8 descriptor: S=1, partition 0
    payload[1] = (byte) (keyframe ? 0x00 : 0x01); // P bit 0 = keyframe
    byte[] block = oneByteExtensionBlock(extensions);
    byte[] p = new byte[12 + block.length + payload.length];
    p[0] = (byte) (block.length == 0 ? 0x80 : 0x90);
    p[1] = (byte) (0x80 | VP8_PT); // marker: one packet per frame
    p[2] = (byte) (seq >>> 8);
    p[3] = (byte) seq;
    put32(p, 4, videoTimestamp.getAndAdd(3000));
    put32(p, 8, videoSsrc);
    System.arraycopy(block, 0, p, 12, block.length);
    System.arraycopy(payload, 0, p, 12 + block.length, payload.length);
    remember(videoSsrc, seq, payload);
    sendRtp(p);
    return seq;
  }

  /**
   * Sends one video packet on {@code ssrc} (one of ours) with the next sequence number of that
   * SSRC: PT 100, the given timestamp, marker and payload (e.g. a VP8 payload descriptor and
   * frame). Returns the sequence number.
   */
  public int sendVideoPacket(long ssrc, long timestamp, boolean marker, byte[] payload) {
    int seq = nextSeq(ssrc);
    byte[] p = new byte[12 + payload.length];
    p[0] = (byte) 0x80;
    p[1] = (byte) ((marker ? 0x80 : 0) | VP8_PT);
    p[2] = (byte) (seq >>> 8);
    p[3] = (byte) seq;
    put32(p, 4, timestamp);
    put32(p, 8, ssrc);
    System.arraycopy(payload, 0, p, 12, payload.length);
    remember(ssrc, seq, payload);
    sendRtp(p);
    return seq;
  }

  /** How many PLIs and FIRs for {@code mediaSsrc} arrived so far. */
  public long keyframeRequests(long mediaSsrc) {
    return receivedRtcp.stream()
        .filter(r -> r.packetType() == 206 && (r.fmt() == 1 || r.fmt() == 4))
        .filter(r -> r.mediaSsrc() == mediaSsrc)
        .count();
  }

  /**
   * Sends one padding-only packet on the RTX SSRC, as Chromium probes its uplink: no payload,
   * {@code paddingSize} (1..255) bytes of RTP padding, and the given one-byte header extension
   * elements (e.g. a transport-wide sequence number). Returns its RTX sequence number.
   */
  public int sendRtxPadding(int paddingSize, Map<Integer, byte[]> extensions) {
    if (paddingSize < 1 || paddingSize > 255) {
      throw new IllegalArgumentException("padding must be 1..255 bytes: " + paddingSize);
    }
    int seq = nextSeq(rtxSsrc);
    byte[] block = oneByteExtensionBlock(extensions);
    byte[] p = new byte[12 + block.length + paddingSize];
    p[0] = (byte) (0xA0 | (block.length == 0 ? 0 : 0x10)); // V=2, P=1
    p[1] = (byte) RTX_PT;
    p[2] = (byte) (seq >>> 8);
    p[3] = (byte) seq;
    put32(p, 4, videoTimestamp.get());
    put32(p, 8, rtxSsrc);
    System.arraycopy(block, 0, p, 12, block.length);
    p[p.length - 1] = (byte) paddingSize;
    sendRtp(p);
    return seq;
  }

  /** 0xBEDE, length, the elements, zero padding to 32 bits; empty for no elements. */
  private static byte[] oneByteExtensionBlock(Map<Integer, byte[]> extensions) {
    if (extensions.isEmpty()) {
      return new byte[0];
    }
    int size = 0;
    for (Map.Entry<Integer, byte[]> e : extensions.entrySet()) {
      int len = e.getValue().length;
      if (e.getKey() < 1 || e.getKey() > 14 || len < 1 || len > 16) {
        throw new IllegalArgumentException("not a one-byte extension element: id " + e.getKey());
      }
      size += 1 + len;
    }
    int padded = (size + 3) & ~3;
    byte[] block = new byte[4 + padded];
    block[0] = (byte) 0xBE;
    block[1] = (byte) 0xDE;
    block[2] = (byte) ((padded / 4) >>> 8);
    block[3] = (byte) (padded / 4);
    int pos = 4;
    for (Map.Entry<Integer, byte[]> e : new java.util.TreeMap<>(extensions).entrySet()) {
      byte[] data = e.getValue();
      block[pos++] = (byte) ((e.getKey() << 4) | (data.length - 1));
      System.arraycopy(data, 0, block, pos, data.length);
      pos += data.length;
    }
    return block;
  }

  private void remember(long ssrc, int seq, byte[] payload) {
    if (options.recordPackets()) {
      Map<Integer, byte[]> bySeq =
          sentPayloads.computeIfAbsent(ssrc, s -> new ConcurrentHashMap<>());
      if (bySeq.size() > 8192) {
        bySeq.clear();
      }
      bySeq.put(seq, payload);
    }
  }

  /** The payload we sent with (ssrc, seq), if recording. */
  public byte[] sentPayload(long ssrc, int seq) {
    Map<Integer, byte[]> bySeq = sentPayloads.get(ssrc);
    return bySeq == null ? null : bySeq.get(seq);
  }

  /**
   * A sender report (RFC 3550 6.4.1, no report blocks) for one of our sources, with the given NTP
   * and RTP timestamps and our counts so far.
   */
  public void sendSenderReport(long ssrc, long ntpTimestamp, long rtpTimestamp) {
    byte[] p = new byte[28];
    p[0] = (byte) 0x80;
    p[1] = (byte) 200;
    p[3] = 6;
    put32(p, 4, ssrc);
    put32(p, 8, ntpTimestamp >>> 32);
    put32(p, 12, ntpTimestamp);
    put32(p, 16, rtpTimestamp);
    put32(p, 20, sentPackets.sum());
    put32(p, 24, sentBytes.sum());
    sendRtcp(p);
  }

  /** Asks the bridge for a keyframe of a source we receive. */
  public void sendPli(long mediaSsrc) {
    byte[] p = new byte[12];
    p[0] = (byte) 0x81;
    p[1] = (byte) 206;
    p[3] = 2;
    put32(p, 4, videoSsrc);
    put32(p, 8, mediaSsrc);
    sendRtcp(p);
  }

  /** A FIR (RFC 5104) for a source we receive. */
  public void sendFir(long mediaSsrc, int sequence) {
    byte[] p = new byte[20];
    p[0] = (byte) 0x84;
    p[1] = (byte) 206;
    p[3] = 4;
    put32(p, 4, videoSsrc);
    put32(p, 12, mediaSsrc);
    p[16] = (byte) sequence;
    sendRtcp(p);
  }

  /** A generic NACK for the given sequence numbers of a source we receive (one FCI each). */
  public void sendNack(long mediaSsrc, int... seqs) {
    byte[] p = new byte[12 + 4 * seqs.length];
    p[0] = (byte) 0x81;
    p[1] = (byte) 205;
    p[2] = (byte) ((p.length / 4 - 1) >>> 8);
    p[3] = (byte) (p.length / 4 - 1);
    put32(p, 4, videoSsrc);
    put32(p, 8, mediaSsrc);
    for (int i = 0; i < seqs.length; i++) {
      p[12 + 4 * i] = (byte) (seqs[i] >>> 8);
      p[13 + 4 * i] = (byte) seqs[i];
    }
    sendRtcp(p);
  }

  private void sendRtp(byte[] plain) {
    sendProtectedRtp(plain);
  }

  private void sendRtcp(byte[] plain) {
    sendProtectedRtcp(plain);
  }

  /**
   * Encrypts {@code plain} as SRTP with this endpoint's keys and sends it, whatever it holds (for
   * robustness tests: malformed RTP that passes the bridge's SRTP check). False when SRTP refused
   * to protect it (too short to carry an RTP header).
   */
  public boolean sendProtectedRtp(byte[] plain) {
    SrtpSession s = srtp;
    if (s == null) {
      throw new IllegalStateException(id + " is not connected");
    }
    PacketBuffer p = PacketBuffer.copyOf(plain, 0, plain.length);
    if (!s.protectRtp(p)) {
      return false;
    }
    sendRaw(p.getBuffer(), p.getOffset(), p.getLength());
    return true;
  }

  /** Like {@link #sendProtectedRtp(byte[])} for SRTCP. */
  public boolean sendProtectedRtcp(byte[] plain) {
    SrtpSession s = srtp;
    if (s == null) {
      throw new IllegalStateException(id + " is not connected");
    }
    PacketBuffer p = PacketBuffer.copyOf(plain, 0, plain.length);
    if (!s.protectRtcp(p)) {
      return false;
    }
    sendRaw(p.getBuffer(), p.getOffset(), p.getLength());
    return true;
  }

  /** Sends raw bytes on the selected ICE pair (e.g. garbage, for robustness tests). */
  public void sendRaw(byte[] data, int off, int len) {
    IceSocketWrapper s = socket;
    if (s == null || closed) {
      return;
    }
    try {
      s.send(new DatagramPacket(data, off, len, remoteAddress));
      sentPackets.increment();
      sentBytes.add(len);
    } catch (IOException e) {
      // UDP: a failed send is a lost packet
    }
  }

  /** The local address of our host candidate. */
  public InetSocketAddress localAddress() {
    return harvester.candidate().getTransportAddress();
  }

  /** Every recorded RTP packet received so far (when recording). */
  public List<ReceivedRtp> receivedRtp() {
    return List.copyOf(receivedRtp);
  }

  /** Recorded RTP packets with the given SSRC. */
  public List<ReceivedRtp> receivedRtp(long ssrc) {
    List<ReceivedRtp> out = new ArrayList<>();
    for (ReceivedRtp r : receivedRtp) {
      if (r.ssrc() == ssrc) {
        out.add(r);
      }
    }
    return out;
  }

  /** Every SR and RR received so far. */
  public List<ReceivedReport> receivedReports() {
    return List.copyOf(receivedReports);
  }

  /** Every RTCP packet received so far (each packet of a compound on its own). */
  public List<ReceivedRtcp> receivedRtcp() {
    return List.copyOf(receivedRtcp);
  }

  /** RTP packets received with the given SSRC (counted even when not recording). */
  public long receivedCount(long ssrc) {
    LongAdder a = receivedPerSsrc.get(ssrc);
    return a == null ? 0 : a.sum();
  }

  public long receivedPackets() {
    return receivedPackets.sum();
  }

  public long receivedBytes() {
    return receivedBytes.sum();
  }

  public long sentPackets() {
    return sentPackets.sum();
  }

  public long sentBytes() {
    return sentBytes.sum();
  }

  /**
   * RTP packets on {@code ssrc} that failed SRTP: authentication, or the replay check (a duplicate,
   * or one older than the replay window).
   */
  public long undecryptablePackets(long ssrc) {
    LongAdder n = undecryptablePerSsrc.get(ssrc);
    return n == null ? 0 : n.sum();
  }

  /** Packets that failed SRTP authentication. */
  public long undecryptablePackets() {
    return undecryptable.sum();
  }

  /**
   * Makes the next arrival of RTP packet (ssrc, seq) vanish before decryption, as if the network
   * lost it (to exercise NACK without SRTP replay protection rejecting the resend).
   */
  public void simulateLoss(long ssrc, int seq) {
    simulatedLosses.add((ssrc << 16) | (seq & 0xFFFF));
  }

  /** Forgets what was received (between test phases). */
  public void clearReceived() {
    receivedRtp.clear();
    receivedRtcp.clear();
    receivedReports.clear();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    settled.countDown();
    dtls.close();
    agent.free();
    Thread r = receiver;
    if (r != null) {
      r.interrupt();
    }
  }

  @Override
  public String toString() {
    return "SyntheticEndpoint[" + id + "]";
  }

  static InetAddress address(String host) {
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(host, e);
    }
  }
}
