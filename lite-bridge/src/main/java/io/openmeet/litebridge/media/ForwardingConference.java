package io.openmeet.litebridge.media;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One conference's endpoints and the forwarding between them. */
final class ForwardingConference implements MediaConference {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Ice4jMediaEngine engine;
  private final String meetingId;
  private final Listener listener;
  private final long feedbackAudioSsrc;
  private final long feedbackVideoSsrc;
  private final Map<String, EndpointConnection> endpoints = new ConcurrentHashMap<>();
  private volatile boolean closed;

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
      connection.close();
      throw new IllegalStateException(
          "endpoint " + endpointId + " already exists in conference " + meetingId);
    }
    return connection;
  }

  void endpointClosed(EndpointConnection connection) {
    endpoints.remove(connection.endpointId(), connection);
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
    for (EndpointConnection connection : List.copyOf(endpoints.values())) {
      connection.close();
    }
    engine.conferenceClosed(this);
  }
}
