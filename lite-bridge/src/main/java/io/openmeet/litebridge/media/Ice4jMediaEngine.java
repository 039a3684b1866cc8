package io.openmeet.litebridge.media;

import com.typesafe.config.ConfigFactory;
import io.openmeet.transport.DtlsCertificate;
import io.openmeet.transport.DtlsFingerprint;
import io.openmeet.transport.SrtpSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.harvest.AbstractUdpListener;
import org.ice4j.ice.harvest.MappingCandidateHarvesters;
import org.ice4j.ice.harvest.SinglePortUdpHarvester;

/**
 * The media plane on ice4j (one UDP port, {@link SinglePortUdpHarvester} per bind address),
 * BouncyCastle DTLS 1.2 and jitsi-srtp.
 *
 * <p>Port 0 binds an ephemeral port (tests); {@link #port()} tells which one.
 */
public final class Ice4jMediaEngine implements MediaEngine {

  static {
    configureIce4j();
  }

  private final MediaConfig config;
  private final List<SinglePortUdpHarvester> harvesters;
  private final int port;
  private final DtlsCertificate certificate;
  private final Set<ForwardingConference> conferences = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timer;
  private final ExecutorService handshakes;
  final Counters counters = new Counters();
  private final MediaWorkers workers;
  private volatile boolean closed;

  public Ice4jMediaEngine(MediaConfig config) {
    if (config.bindAddresses().isEmpty()) {
      throw new IllegalArgumentException(
          "MediaConfig.bindAddresses must name at least one address");
    }
    if (config.port() < 0 || config.port() > 65535) {
      throw new IllegalArgumentException("MediaConfig.port out of range: " + config.port());
    }
    this.config = config;
    this.certificate = DtlsCertificate.generate("lite-bridge");
    List<SinglePortUdpHarvester> bound = new ArrayList<>();
    int actualPort = config.port();
    try {
      for (String address : config.bindAddresses()) {
        SinglePortUdpHarvester harvester =
            new SinglePortUdpHarvester(new TransportAddress(address, actualPort, Transport.UDP));
        bound.add(harvester);
        if (actualPort == 0) {
          actualPort = harvester.getLocalAddress().getPort();
        }
      }
    } catch (IOException e) {
      bound.forEach(AbstractUdpListener::close);
      throw new UncheckedIOException(
          "cannot bind the media port " + config.port() + " on " + config.bindAddresses(), e);
    }
    this.harvesters = List.copyOf(bound);
    this.port = actualPort;
    this.timer = Executors.newSingleThreadScheduledExecutor(daemon("media-timer"));
    this.handshakes = Executors.newCachedThreadPool(daemon("media-dtls"));
    this.workers =
        new MediaWorkers(Runtime.getRuntime().availableProcessors(), counters.packetsDropped);
    timer.scheduleAtFixedRate(counters::sample, 1, 1, TimeUnit.SECONDS);
    handshakes.execute(SrtpSession::warmUp);
    // the first Agent initialises ice4j's mapping harvesters (hundreds of ms); not on a join's path
    handshakes.execute(MappingCandidateHarvesters::initialize);
  }

  /**
   * Sets ice4j's process-wide switches before the first Agent exists: the push API for the
   * single-port harvester, and no cloud metadata (AWS) lookups.
   */
  public static void configureIce4j() {
    System.setProperty("ice4j.harvest.mapping.aws.enabled", "false");
    System.setProperty("ice4j.harvest.mapping.aws.force", "false");
    System.setProperty("org.ice4j.ice.harvest.DISABLE_AWS_HARVESTER", "true");
    System.setProperty("ice4j.harvest.use-ipv6", "false");
    // bursts from many endpoints land on one socket; the kernel caps this at net.core.rmem_max
    System.setProperty("ice4j.harvest.udp.receive-buffer-size", String.valueOf(4 * 1024 * 1024));
    // ice4j reads these through Typesafe Config, which caches the system properties the first time
    // anything loads a configuration (BridgeConfig does, earlier): without this the AWS harvester
    // stayed on and probed the EC2 metadata address when the first endpoint was created.
    ConfigFactory.invalidateCaches();
    AbstractUdpListener.USE_PUSH_API = true;
  }

  /** The UDP port the harvesters are bound to (the configured one, or the ephemeral one for 0). */
  public int port() {
    return port;
  }

  List<SinglePortUdpHarvester> harvesters() {
    return harvesters;
  }

  MediaConfig config() {
    return config;
  }

  DtlsCertificate certificate() {
    return certificate;
  }

  ScheduledExecutorService timer() {
    return timer;
  }

  ExecutorService handshakes() {
    return handshakes;
  }

  MediaWorkers workers() {
    return workers;
  }

  @Override
  public DtlsFingerprint localFingerprint() {
    return new DtlsFingerprint("sha-256", certificate.sha256Fingerprint(), "actpass");
  }

  @Override
  public MediaConference createConference(String meetingId, MediaConference.Listener listener) {
    if (closed) {
      throw new IllegalStateException("the media engine is closed");
    }
    ForwardingConference conference = new ForwardingConference(this, meetingId, listener);
    conferences.add(conference);
    return conference;
  }

  void conferenceClosed(ForwardingConference conference) {
    conferences.remove(conference);
  }

  @Override
  public MediaStats stats() {
    return counters.snapshot();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (ForwardingConference conference : List.copyOf(conferences)) {
      conference.close();
    }
    timer.shutdownNow();
    handshakes.shutdownNow();
    workers.close();
    harvesters.forEach(AbstractUdpListener::close);
  }

  /** Media packets dropped: undecryptable, malformed, garbage, or unsendable. */
  public long droppedPackets() {
    return counters.packetsDropped.sum();
  }

  /** RTP packets that arrived from endpoints and decrypted. */
  public long rtpPacketsReceived() {
    return counters.rtpReceived.sum();
  }

  /** RTP packets forwarded (encrypted and handed to the socket), retransmissions excluded. */
  public long rtpPacketsForwarded() {
    return counters.rtpForwarded.sum();
  }

  /** Packets resent in answer to NACKs (plain or RTX). */
  public long retransmissions() {
    return counters.retransmissions.sum();
  }

  /** The local addresses the harvesters listen on. */
  public List<InetSocketAddress> localAddresses() {
    return harvesters.stream().map(h -> (InetSocketAddress) h.getLocalAddress()).toList();
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Engine-wide counters; rates are sampled once a second. */
  static final class Counters {
    final LongAdder packetsReceived = new LongAdder();
    final LongAdder packetsSent = new LongAdder();
    final LongAdder bytesReceived = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    final LongAdder iceSucceeded = new LongAdder();
    final LongAdder iceFailed = new LongAdder();
    final LongAdder dtlsFailed = new LongAdder();
    final LongAdder packetsDropped = new LongAdder();
    final LongAdder retransmissions = new LongAdder();
    final LongAdder rtpReceived = new LongAdder();
    final LongAdder rtpForwarded = new LongAdder();

    private long lastSampleNanos = System.nanoTime();
    private long lastPacketsReceived;
    private long lastPacketsSent;
    private long lastBytesReceived;
    private long lastBytesSent;
    private final AtomicLong packetRateDownload = new AtomicLong();
    private final AtomicLong packetRateUpload = new AtomicLong();
    private final AtomicLong bitRateDownloadKbps = new AtomicLong();
    private final AtomicLong bitRateUploadKbps = new AtomicLong();

    synchronized void sample() {
      long now = System.nanoTime();
      double seconds = (now - lastSampleNanos) / 1e9;
      if (seconds <= 0) {
        return;
      }
      long pr = packetsReceived.sum();
      long ps = packetsSent.sum();
      long br = bytesReceived.sum();
      long bs = bytesSent.sum();
      packetRateDownload.set(Math.round((pr - lastPacketsReceived) / seconds));
      packetRateUpload.set(Math.round((ps - lastPacketsSent) / seconds));
      bitRateDownloadKbps.set(Math.round((br - lastBytesReceived) * 8 / seconds / 1000));
      bitRateUploadKbps.set(Math.round((bs - lastBytesSent) * 8 / seconds / 1000));
      lastPacketsReceived = pr;
      lastPacketsSent = ps;
      lastBytesReceived = br;
      lastBytesSent = bs;
      lastSampleNanos = now;
    }

    MediaStats snapshot() {
      return new MediaStats(
          packetRateDownload.get(),
          packetRateUpload.get(),
          bitRateDownloadKbps.get(),
          bitRateUploadKbps.get(),
          packetsReceived.sum(),
          packetsSent.sum(),
          bytesReceived.sum(),
          bytesSent.sum(),
          iceSucceeded.sum(),
          iceFailed.sum(),
          dtlsFailed.sum(),
          packetsDropped.sum());
    }
  }
}
