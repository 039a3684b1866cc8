package io.openmeet.litebridge.conference;

import io.openmeet.litebridge.media.MediaConference;
import io.openmeet.litebridge.media.MediaSourceDesc;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** One Colibri2 conference (keyed by meeting-id) and its endpoints. */
public final class Conference {
  private final String meetingId;
  private final String name;
  private final MediaConference media;
  private final Clock clock;
  private final Instant created;
  private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
  private final Consumer<Endpoint> onEndpointExpired;
  private volatile Instant emptySince;
  private volatile boolean expired;

  Conference(
      String meetingId,
      String name,
      MediaConference media,
      Clock clock,
      Consumer<Endpoint> onEndpointExpired) {
    this.meetingId = meetingId;
    this.name = name;
    this.media = media;
    this.clock = clock;
    this.created = clock.instant();
    this.emptySince = created;
    this.onEndpointExpired = onEndpointExpired;
  }

  public String meetingId() {
    return meetingId;
  }

  /** The conference's bare JID as the focus named it, or null. */
  public String name() {
    return name;
  }

  public Instant created() {
    return created;
  }

  public MediaConference media() {
    return media;
  }

  /** The bridge's feedback sources (jvb-a0, jvb-v0) for this conference. */
  public List<MediaSourceDesc> feedbackSources() {
    return media.feedbackSources();
  }

  public Optional<Endpoint> endpoint(String id) {
    return Optional.ofNullable(endpoints.get(id));
  }

  public Collection<Endpoint> endpoints() {
    return List.copyOf(endpoints.values());
  }

  public int endpointCount() {
    return endpoints.size();
  }

  public boolean isExpired() {
    return expired;
  }

  /**
   * Creates an endpoint with its media transport.
   *
   * @throws IllegalStateException if the id is taken (callers check first)
   */
  synchronized Endpoint createEndpoint(String id, String statsId) {
    if (expired) {
      throw new IllegalStateException("conference expired: " + meetingId);
    }
    if (endpoints.containsKey(id)) {
      throw new IllegalStateException("endpoint exists: " + id);
    }
    Endpoint endpoint = new Endpoint(id, statsId, media.createEndpoint(id), clock);
    endpoints.put(id, endpoint);
    emptySince = null;
    return endpoint;
  }

  /** Expires one endpoint; returns false if it was not there. */
  synchronized boolean expireEndpoint(String id) {
    Endpoint endpoint = endpoints.remove(id);
    if (endpoint == null) {
      return false;
    }
    endpoint.expire();
    if (endpoints.isEmpty()) {
      emptySince = clock.instant();
    }
    onEndpointExpired.accept(endpoint);
    return true;
  }

  /** When the conference last became empty, or null while it has endpoints. */
  Instant emptySince() {
    return emptySince;
  }

  synchronized void expire() {
    if (expired) {
      return;
    }
    expired = true;
    for (String id : List.copyOf(endpoints.keySet())) {
      expireEndpoint(id);
    }
    media.close();
  }
}
