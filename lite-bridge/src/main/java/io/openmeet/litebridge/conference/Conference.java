package io.openmeet.litebridge.conference;

import io.openmeet.litebridge.allocation.AllocationConfig;
import io.openmeet.litebridge.allocation.ConferenceAllocation;
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

/**
 * One Colibri2 conference (keyed by meeting-id), its endpoints, and the video allocation between
 * them (which applies itself to the endpoints' media transports).
 */
public final class Conference {
  private final String meetingId;
  private final String name;
  private final MediaConference media;
  private final Clock clock;
  private final Instant created;
  private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
  private final Consumer<Endpoint> onEndpointExpired;
  private final ConferenceAllocation allocation;
  private volatile Instant emptySince;
  private volatile boolean expired;

  /**
   * @param allocationEvents told about allocation changes after they were applied to the media
   *     transports (for the bridge channel)
   */
  Conference(
      String meetingId,
      String name,
      MediaConference media,
      Clock clock,
      AllocationConfig allocationConfig,
      ConferenceAllocation.Listener allocationEvents,
      Consumer<Endpoint> onEndpointExpired) {
    this.meetingId = meetingId;
    this.name = name;
    this.media = media;
    this.clock = clock;
    this.created = clock.instant();
    this.emptySince = created;
    this.onEndpointExpired = onEndpointExpired;
    this.allocation =
        new ConferenceAllocation(
            allocationConfig,
            new ConferenceAllocation.Listener() {
              @Override
              public void receiverAllocationChanged(
                  String receiverId, Map<String, Integer> maxHeights) {
                Endpoint receiver = endpoints.get(receiverId);
                if (receiver != null) {
                  receiver.transport().setForwardedVideo(maxHeights);
                }
              }

              @Override
              public void forwardedSourcesChanged(String receiverId, List<String> sources) {
                allocationEvents.forwardedSourcesChanged(receiverId, sources);
              }

              @Override
              public void senderConstraintChanged(String senderId, String source, int maxHeight) {
                allocationEvents.senderConstraintChanged(senderId, source, maxHeight);
              }
            });
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

  /** Which video each endpoint gets; fed by Colibri2, the bridge channel and the media plane. */
  public ConferenceAllocation allocation() {
    return allocation;
  }

  /**
   * Replaces the sources an endpoint sends (Colibri2 `<sources>`), for forwarding and allocation.
   */
  public void setSources(Endpoint endpoint, List<MediaSourceDesc> sources) {
    endpoint.transport().setSources(sources);
    allocation.videoSourcesChanged(
        endpoint.id(),
        sources.stream()
            .filter(s -> "video".equalsIgnoreCase(s.type()) && s.name() != null)
            .map(MediaSourceDesc::name)
            .toList());
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
    // before its first ReceiverVideoConstraints: what initial-max-height-px allows (JVB: nothing)
    allocation.endpointAdded(id);
    return endpoint;
  }

  /** Expires one endpoint; returns false if it was not there. */
  synchronized boolean expireEndpoint(String id) {
    Endpoint endpoint = endpoints.remove(id);
    if (endpoint == null) {
      return false;
    }
    endpoint.expire();
    if (!expired) {
      allocation.endpointRemoved(id);
    }
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
