package io.openmeet.litebridge.media;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jitsi.utils.dsi.DominantSpeakerIdentification;
import org.jitsi.utils.logging2.Logger;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * One conference's endpoints and the forwarding between them: RTP fan-out, keyframe-request routing
 * by SSRC owner, and dominant speaker detection.
 */
final class ForwardingConference implements MediaConference {

  private static final Logger LOGGER = new LoggerImpl(ForwardingConference.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int PREVIOUS_SPEAKERS = 4;

  private final Ice4jMediaEngine engine;
  private final String meetingId;
  private final Listener listener;
  private final long feedbackAudioSsrc;
  private final long feedbackVideoSsrc;
  private final Map<String, EndpointConnection> endpoints = new ConcurrentHashMap<>();
  private final DominantSpeakerIdentification<String> speakers;
  private final LinkedList<String> speakerHistory = new LinkedList<>();
  private final ScheduledFuture<?> reports;
  private final ScheduledFuture<?> transportCcFlush;
  private final ScheduledFuture<?> layerCheck;
  private final ScheduledFuture<?> probing;
  private volatile EndpointConnection[] connected = new EndpointConnection[0];
  private volatile SourceIndex sourceIndex = SourceIndex.EMPTY;
  private volatile boolean closed;

  /**
   * Which endpoint owns which SSRC, its media type, the RTX (FID) pairs, the source name of every
   * signalled SSRC, and each video source's owner and primary SSRCs.
   */
  record SourceIndex(
      Map<Long, EndpointConnection> owners,
      Map<Long, String> types,
      Map<Long, Long> rtxToPrimary,
      Map<Long, Long> primaryToRtx,
      Map<Long, String> sourceNames,
      Map<String, VideoSource> videoSources,
      Map<String, SimulcastSource> simulcast,
      Map<Long, SimulcastSource> simulcastBySsrc) {
    static final SourceIndex EMPTY =
        new SourceIndex(
            Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
  }

  /** A signalled video source: who sends it and its SSRCs without the RTX ones. */
  record VideoSource(EndpointConnection owner, List<Long> primarySsrcs) {}

  ForwardingConference(Ice4jMediaEngine engine, String meetingId, Listener listener) {
    this.engine = engine;
    this.meetingId = meetingId;
    this.listener = listener;
    this.feedbackAudioSsrc = randomSsrc();
    long video = randomSsrc();
    while (video == feedbackAudioSsrc) {
      video = randomSsrc();
    }
    this.feedbackVideoSsrc = video;
    this.speakers = new DominantSpeakerIdentification<>(Clock.systemUTC(), engine.timer());
    speakers.addActiveSpeakerChangedListener(this::onDominantSpeaker);
    this.reports =
        engine.timer().scheduleAtFixedRate(this::sendReports, 500, 1000, TimeUnit.MILLISECONDS);
    // transport-cc normally goes out on the packet path; this reports the last packets of a
    // sender that went quiet, so they do not stay "in flight" for its congestion controller
    long flush = TransportCcGenerator.INTERVAL_NANOS / 2;
    this.transportCcFlush =
        engine
            .timer()
            .scheduleAtFixedRate(this::flushTransportCc, flush, flush, TimeUnit.NANOSECONDS);
    // a simulcast layer that stops sends nothing to notice it by: look for silence
    this.layerCheck =
        engine.timer().scheduleAtFixedRate(this::checkLayers, 250, 250, TimeUnit.MILLISECONDS);
    long probe = VideoProjections.PROBE_PERIOD_NANOS;
    this.probing =
        engine.timer().scheduleAtFixedRate(this::probe, probe, probe, TimeUnit.NANOSECONDS);
  }

  static long randomSsrc() {
    long ssrc = 0;
    while (ssrc == 0) {
      ssrc = RANDOM.nextInt() & 0xFFFFFFFFL;
    }
    return ssrc;
  }

  String meetingId() {
    return meetingId;
  }

  Ice4jMediaEngine engine() {
    return engine;
  }

  Listener listener() {
    return listener;
  }

  long feedbackAudioSsrc() {
    return feedbackAudioSsrc;
  }

  long feedbackVideoSsrc() {
    return feedbackVideoSsrc;
  }

  Collection<EndpointConnection> endpoints() {
    return endpoints.values();
  }

  EndpointConnection[] connected() {
    return connected;
  }

  SourceIndex sourceIndex() {
    return sourceIndex;
  }

  @Override
  public EndpointTransport createEndpoint(String endpointId) {
    if (closed) {
      throw new IllegalStateException("conference " + meetingId + " is closed");
    }
    if (endpointId == null || endpointId.isBlank()) {
      throw new IllegalArgumentException("endpointId must not be blank");
    }
    EndpointConnection connection = new EndpointConnection(this, endpointId);
    EndpointConnection previous = endpoints.putIfAbsent(endpointId, connection);
    if (previous != null) {
      connection.closeQuietly();
      throw new IllegalStateException(
          "endpoint " + endpointId + " already exists in conference " + meetingId);
    }
    return connection;
  }

  /** Recomputes the array of endpoints that may receive media (CONNECTED). */
  synchronized void refreshConnected() {
    List<EndpointConnection> list = new ArrayList<>();
    for (EndpointConnection e : endpoints.values()) {
      if (e.state() == TransportState.CONNECTED) {
        list.add(e);
      }
    }
    connected = list.toArray(new EndpointConnection[0]);
  }

  /** Rebuilds the SSRC index after an endpoint's sources changed or it left. */
  synchronized void reindexSources() {
    Map<Long, EndpointConnection> owners = new HashMap<>();
    Map<Long, String> types = new HashMap<>();
    Map<Long, Long> rtxToPrimary = new HashMap<>();
    Map<Long, Long> primaryToRtx = new HashMap<>();
    Map<Long, String> sourceNames = new HashMap<>();
    Map<String, VideoSource> videoSources = new HashMap<>();
    Map<String, SimulcastSource> simulcast = new HashMap<>();
    Map<Long, SimulcastSource> simulcastBySsrc = new HashMap<>();
    SourceIndex previous = sourceIndex;
    for (EndpointConnection e : endpoints.values()) {
      for (MediaSourceDesc source : e.sources()) {
        Set<Long> rtxOfSource = new HashSet<>();
        for (Long ssrc : source.ssrcs()) {
          owners.put(ssrc, e);
          types.put(ssrc, source.type());
          putName(sourceNames, ssrc, source.name());
        }
        for (MediaSourceDesc.SsrcGroup group : source.groups()) {
          group.ssrcs().forEach(ssrc -> putName(sourceNames, ssrc, source.name()));
          if ("FID".equalsIgnoreCase(group.semantics()) && group.ssrcs().size() == 2) {
            long primary = group.ssrcs().get(0);
            long rtx = group.ssrcs().get(1);
            rtxToPrimary.put(rtx, primary);
            primaryToRtx.put(primary, rtx);
            owners.put(primary, e);
            owners.put(rtx, e);
            rtxOfSource.add(rtx);
          }
        }
        if ("video".equalsIgnoreCase(source.type()) && source.name() != null) {
          List<Long> primaries =
              source.ssrcs().stream().filter(ssrc -> !rtxOfSource.contains(ssrc)).toList();
          videoSources.put(source.name(), new VideoSource(e, primaries));
          long[] layers = simulcastLayers(source);
          if (layers != null && !simulcast.containsKey(source.name())) {
            SimulcastSource known = previous.simulcast().get(source.name());
            SimulcastSource sim =
                known != null && known.sameAs(source.name(), e, layers)
                    ? known
                    : new SimulcastSource(source.name(), e, layers);
            simulcast.put(source.name(), sim);
            for (long ssrc : layers) {
              simulcastBySsrc.put(ssrc, sim);
            }
          }
        }
      }
    }
    sourceIndex =
        new SourceIndex(
            Map.copyOf(owners),
            Map.copyOf(types),
            Map.copyOf(rtxToPrimary),
            Map.copyOf(primaryToRtx),
            Map.copyOf(sourceNames),
            Map.copyOf(videoSources),
            Map.copyOf(simulcast),
            Map.copyOf(simulcastBySsrc));
    for (EndpointConnection e : endpoints.values()) {
      e.projections().sourcesChanged(sourceIndex.simulcast());
    }
  }

  /**
   * The layers of a video source with a SIM group (its SSRCs in the group's order, lowest first),
   * or null: a source without one, or whose group names SSRCs the source does not list, is
   * forwarded as one stream.
   */
  private static long[] simulcastLayers(MediaSourceDesc source) {
    for (MediaSourceDesc.SsrcGroup group : source.groups()) {
      if ("SIM".equalsIgnoreCase(group.semantics())
          && group.ssrcs().size() >= 2
          && source.ssrcs().containsAll(group.ssrcs())
          && group.ssrcs().stream().distinct().count() == group.ssrcs().size()) {
        return group.ssrcs().stream().mapToLong(Long::longValue).toArray();
      }
    }
    return null;
  }

  /**
   * Periodically: simulcast layers that went quiet are marked stopped, and every receiver chooses
   * its layers again (layer bitrates and its bandwidth estimate move all the time).
   */
  private void checkLayers() {
    long now = System.nanoTime();
    for (SimulcastSource source : sourceIndex.simulcast().values()) {
      try {
        source.refresh(now);
      } catch (RuntimeException e) {
        LOGGER.warn("layer check of " + source.name() + " failed", e);
      }
    }
    if (sourceIndex.simulcast().isEmpty()) {
      return;
    }
    for (EndpointConnection receiver : connected) {
      try {
        receiver.projections().reallocate();
      } catch (RuntimeException e) {
        LOGGER.warn("layer allocation for " + receiver.endpointId() + " failed", e);
      }
    }
  }

  private void probe() {
    if (sourceIndex.simulcast().isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    for (EndpointConnection receiver : connected) {
      try {
        receiver.projections().probe(now);
      } catch (RuntimeException e) {
        LOGGER.warn("probing " + receiver.endpointId() + " failed", e);
      }
    }
  }

  /** A simulcast source's layers changed (one started or stopped, or showed another size). */
  void layersChanged(SimulcastSource source) {
    for (EndpointConnection receiver : endpoints.values()) {
      receiver.projections().reselect(source);
    }
  }

  private static void putName(Map<Long, String> names, long ssrc, String name) {
    if (name != null) {
      names.put(ssrc, name);
    }
  }

  /** Remembers who sends an SSRC that was not signalled, for keyframe routing. */
  /** The endpoint that signalled {@code ssrc}, null when nobody did. */
  EndpointConnection ownerOf(long ssrc) {
    return sourceIndex.owners().get(ssrc);
  }

  /** Routes a PLI or FIR from {@code requester} to the owner of {@code mediaSsrc}. */
  void requestKeyframe(EndpointConnection requester, long mediaSsrc, boolean fir) {
    long primary = sourceIndex.rtxToPrimary().getOrDefault(mediaSsrc, mediaSsrc);
    SimulcastSource simulcast = sourceIndex.simulcastBySsrc().get(primary);
    if (simulcast != null && simulcast.owner() != requester) {
      // a receiver knows the source by its primary SSRC: it means the layer it gets
      primary = requester.projections().keyframeSsrc(simulcast);
      if (primary < 0) {
        return;
      }
    }
    EndpointConnection owner = ownerOf(primary);
    if (owner == null || owner == requester || owner.state() != TransportState.CONNECTED) {
      return;
    }
    owner.keyframes().send(primary, fir);
  }

  /**
   * {@code receiver} can now take video of {@code sources} (its DTLS just completed, or these
   * sources started being forwarded to it; null: of every source): their senders are asked for a
   * keyframe of each video SSRC, so the receiver can start decoding at once instead of waiting for
   * the encoder's next periodic keyframe.
   */
  void requestKeyframesFor(EndpointConnection receiver, Set<String> sources) {
    String why = "video for " + receiver.endpointId();
    // simulcast layers are asked for by the receiver's projections, only the layer it will get
    Map<Long, SimulcastSource> simulcast = sourceIndex.simulcastBySsrc();
    if (sources == null) {
      for (EndpointConnection sender : connected) {
        if (sender != receiver) {
          for (long ssrc : sender.videoSsrcs()) {
            if (!simulcast.containsKey(ssrc)) {
              sender.keyframes().requestKeyframe(ssrc, why);
            }
          }
        }
      }
      return;
    }
    Map<String, VideoSource> videoSources = sourceIndex.videoSources();
    for (String name : sources) {
      VideoSource source = videoSources.get(name);
      if (source != null
          && !sourceIndex.simulcast().containsKey(name)
          && source.owner() != receiver
          && source.owner().state() == TransportState.CONNECTED) {
        for (long ssrc : source.primarySsrcs()) {
          source.owner().keyframes().requestKeyframe(ssrc, why);
        }
      }
    }
  }

  void audioLevel(String endpointId, int rfc6464Level) {
    // DominantSpeakerIdentification wants "higher is louder"; RFC 6464 carries -dBov
    speakers.levelChanged(endpointId, 127 - rfc6464Level);
  }

  private void onDominantSpeaker(String endpointId) {
    if (endpointId == null || closed) {
      return;
    }
    List<String> previous;
    synchronized (speakerHistory) {
      previous = List.copyOf(speakerHistory);
      speakerHistory.remove(endpointId);
      speakerHistory.addFirst(endpointId);
      while (speakerHistory.size() > PREVIOUS_SPEAKERS + 1) {
        speakerHistory.removeLast();
      }
    }
    List<String> previousSpeakers = new ArrayList<>(previous);
    previousSpeakers.remove(endpointId);
    try {
      listener.dominantSpeakerChanged(endpointId, List.copyOf(previousSpeakers));
    } catch (RuntimeException e) {
      LOGGER.warn("dominantSpeakerChanged listener threw", e);
    }
  }

  private void sendReports() {
    for (EndpointConnection e : connected) {
      try {
        e.feedback().send();
      } catch (RuntimeException ex) {
        LOGGER.warn("RTCP feedback to " + e.endpointId() + " failed", ex);
      }
    }
  }

  private void flushTransportCc() {
    long now = System.nanoTime();
    for (EndpointConnection e : connected) {
      try {
        e.feedback().sendTransportCcIfDue(now);
      } catch (RuntimeException ex) {
        LOGGER.warn("transport-cc feedback to " + e.endpointId() + " failed", ex);
      }
    }
  }

  void endpointClosed(EndpointConnection connection) {
    endpoints.remove(connection.endpointId(), connection);
    refreshConnected();
    reindexSources();
  }

  @Override
  public List<MediaSourceDesc> feedbackSources() {
    return List.of(
        new MediaSourceDesc("audio", "jvb-a0", List.of(feedbackAudioSsrc), List.of()),
        new MediaSourceDesc("video", "jvb-v0", List.of(feedbackVideoSsrc), List.of()));
  }

  @Override
  public void close() {
    closed = true;
    reports.cancel(false);
    transportCcFlush.cancel(false);
    layerCheck.cancel(false);
    probing.cancel(false);
    for (EndpointConnection connection : List.copyOf(endpoints.values())) {
      connection.close();
    }
    engine.conferenceClosed(this);
  }
}
