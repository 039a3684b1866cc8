package io.openmeet.litebridge;

import io.openmeet.litebridge.media.EndpointTransport;
import io.openmeet.litebridge.media.IceCandidate;
import io.openmeet.litebridge.media.LocalIce;
import io.openmeet.litebridge.media.MediaConference;
import io.openmeet.litebridge.media.MediaEngine;
import io.openmeet.litebridge.media.MediaFormats;
import io.openmeet.litebridge.media.MediaSourceDesc;
import io.openmeet.litebridge.media.MediaStats;
import io.openmeet.litebridge.media.RemoteTransport;
import io.openmeet.litebridge.media.TransportState;
import io.openmeet.transport.DtlsFingerprint;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test double of the media seam (no packets move): it records what the Colibri2 and bridge-channel
 * layers ask of the media plane so tests can assert it, and lets tests fire media events (dominant
 * speaker, transport failure). Never used by the product, which runs the real media engine.
 */
final class RecordingMediaEngine implements MediaEngine {
  private static final SecureRandom RANDOM = new SecureRandom();

  final Map<String, RecordingConference> conferences = new ConcurrentHashMap<>();
  final DtlsFingerprint fingerprint = new DtlsFingerprint("sha-256", hexPairs(32), "actpass");
  volatile MediaStats stats = new MediaStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  volatile boolean closed;

  /** Runs before every endpoint is created (tests make one slow with it). */
  volatile java.util.function.Consumer<String> beforeCreateEndpoint = id -> {};

  @Override
  public DtlsFingerprint localFingerprint() {
    return fingerprint;
  }

  @Override
  public MediaConference createConference(String meetingId, MediaConference.Listener listener) {
    RecordingConference c = new RecordingConference(listener, this);
    conferences.put(meetingId, c);
    return c;
  }

  @Override
  public MediaStats stats() {
    return stats;
  }

  @Override
  public void close() {
    closed = true;
  }

  static final class RecordingConference implements MediaConference {
    final MediaConference.Listener listener;
    final Map<String, RecordingTransport> endpoints = new ConcurrentHashMap<>();
    final List<MediaSourceDesc> feedback =
        List.of(
            new MediaSourceDesc("audio", "jvb-a0", List.of(ssrc()), List.of()),
            new MediaSourceDesc("video", "jvb-v0", List.of(ssrc()), List.of()));
    volatile boolean closed;
    private final RecordingMediaEngine engine;

    RecordingConference(MediaConference.Listener listener, RecordingMediaEngine engine) {
      this.listener = listener;
      this.engine = engine;
    }

    @Override
    public EndpointTransport createEndpoint(String endpointId) {
      engine.beforeCreateEndpoint.accept(endpointId);
      RecordingTransport t = new RecordingTransport(endpointId);
      endpoints.put(endpointId, t);
      return t;
    }

    @Override
    public List<MediaSourceDesc> feedbackSources() {
      return feedback;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  static final class RecordingTransport implements EndpointTransport {
    final String id;
    final LocalIce ice =
        new LocalIce(
            hexPairs(5).replace(":", "").toLowerCase(),
            hexPairs(12).replace(":", "").toLowerCase(),
            List.of(
                new IceCandidate(
                    "1", 1, "udp", 2130706431L, "127.0.0.1", 10000, "host", 0, null, 0)));
    volatile RemoteTransport remote;
    volatile List<MediaSourceDesc> sources;
    volatile MediaFormats formats;

    /** The forwarded video sources last set; null until the first call. */
    volatile Set<String> forwardedVideo;

    /** Their heights, as last set; null until the first call. */
    volatile java.util.Map<String, Integer> forwardedHeights;

    volatile Instant lastActivity;
    volatile boolean closed;

    /** The force-mute last set: {audio, video}; null until the first call. */
    volatile boolean[] forceMute;

    RecordingTransport(String id) {
      this.id = id;
    }

    @Override
    public String endpointId() {
      return id;
    }

    @Override
    public LocalIce localIce() {
      return ice;
    }

    @Override
    public void setRemoteTransport(RemoteTransport remote) {
      this.remote = remote;
    }

    @Override
    public void setSources(List<MediaSourceDesc> sources) {
      this.sources = sources;
    }

    @Override
    public void setMediaFormats(MediaFormats formats) {
      this.formats = formats;
    }

    @Override
    public void setForwardedVideo(java.util.Map<String, Integer> maxHeights) {
      this.forwardedHeights = java.util.Map.copyOf(maxHeights);
      this.forwardedVideo = Set.copyOf(maxHeights.keySet());
    }

    @Override
    public void setForceMute(boolean audio, boolean video) {
      this.forceMute = new boolean[] {audio, video};
    }

    @Override
    public TransportState state() {
      return closed ? TransportState.CLOSED : TransportState.NEW;
    }

    @Override
    public Instant lastActivity() {
      return lastActivity;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private static long ssrc() {
    return RANDOM.nextLong(1, 0xFFFFFFFFL);
  }

  private static String hexPairs(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.ofDelimiter(":").withUpperCase().formatHex(b);
  }
}
