package io.openmeet.litebridge.conference;

import io.openmeet.litebridge.allocation.AllocationConfig;
import io.openmeet.litebridge.allocation.ConferenceAllocation;
import io.openmeet.litebridge.media.MediaConference;
import io.openmeet.litebridge.media.MediaEngine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bridge's conferences keyed by meeting-id, with idle-endpoint and empty-conference expiry
 * driven by an injected {@link Clock} (so expiry is testable without sleeping) and the graceful
 * shutdown state that refuses new conferences.
 */
public final class Conferences {

  /** Events for the layers above (bridge channel, shutdown). */
  public interface Listener {
    default void endpointExpired(Conference conference, Endpoint endpoint) {}

    default void conferenceExpired(Conference conference) {}

    default void dominantSpeakerChanged(
        Conference conference, String endpointId, List<String> previousSpeakers) {}

    /** The video sources forwarded to an endpoint changed (rank order). */
    default void forwardedSourcesChanged(
        Conference conference, String endpointId, List<String> sources) {}

    /** The largest height any receiver gets one of an endpoint's video sources at changed. */
    default void senderSourceConstraintsChanged(
        Conference conference, String endpointId, String sourceName, int maxHeight) {}
  }

  /** Thrown when a create names a meeting-id that already has a conference. */
  public static final class ConferenceExistsException extends Exception {
    private static final long serialVersionUID = 1L;

    ConferenceExistsException(String meetingId) {
      super("Conference already exists for ID: " + meetingId);
    }
  }

  /** Thrown when a create arrives during graceful shutdown. */
  public static final class GracefulShutdownException extends Exception {
    private static final long serialVersionUID = 1L;

    GracefulShutdownException() {
      super("In graceful shutdown");
    }
  }

  private final MediaEngine engine;
  private final Clock clock;
  private final Duration endpointTimeout;
  private final Duration emptyConferenceTimeout;
  private final AllocationConfig allocationConfig;
  private final Listener listener;
  private final Map<String, Conference> byMeetingId = new ConcurrentHashMap<>();
  private volatile boolean gracefulShutdown;

  private final AtomicLong totalConferencesCreated = new AtomicLong();
  private final AtomicLong totalConferencesCompleted = new AtomicLong();
  private final AtomicLong totalParticipants = new AtomicLong();
  private final AtomicLong totalConferenceMillis = new AtomicLong();
  private final AtomicLong totalDominantSpeakerChanges = new AtomicLong();

  /** Conferences with JVB's allocation defaults (no video before a receiver's constraints). */
  public Conferences(
      MediaEngine engine,
      Clock clock,
      Duration endpointTimeout,
      Duration emptyConferenceTimeout,
      Listener listener) {
    this(
        engine,
        clock,
        endpointTimeout,
        emptyConferenceTimeout,
        AllocationConfig.JVB_DEFAULTS,
        listener);
  }

  public Conferences(
      MediaEngine engine,
      Clock clock,
      Duration endpointTimeout,
      Duration emptyConferenceTimeout,
      AllocationConfig allocationConfig,
      Listener listener) {
    this.engine = engine;
    this.clock = clock;
    this.endpointTimeout = endpointTimeout;
    this.emptyConferenceTimeout = emptyConferenceTimeout;
    this.allocationConfig = allocationConfig;
    this.listener = listener;
  }

  /** Creates a conference; refused when the meeting-id exists or during graceful shutdown. */
  public synchronized Conference create(String meetingId, String name)
      throws ConferenceExistsException, GracefulShutdownException {
    if (byMeetingId.containsKey(meetingId)) {
      throw new ConferenceExistsException(meetingId);
    }
    if (gracefulShutdown) {
      throw new GracefulShutdownException();
    }
    Conference[] self = new Conference[1];
    MediaConference media =
        engine.createConference(
            meetingId,
            new MediaConference.Listener() {
              @Override
              public void dominantSpeakerChanged(String endpointId, List<String> previous) {
                totalDominantSpeakerChanges.incrementAndGet();
                Conference c = self[0];
                if (c != null) {
                  c.allocation().dominantSpeakerChanged(endpointId);
                }
                listener.dominantSpeakerChanged(c, endpointId, previous);
              }

              @Override
              public void transportFailed(String endpointId, String reason) {
                Conference c = self[0];
                if (c != null) {
                  c.expireEndpoint(endpointId);
                }
              }
            });
    Conference conference =
        new Conference(
            meetingId,
            name,
            media,
            clock,
            allocationConfig,
            new ConferenceAllocation.Listener() {
              @Override
              public void forwardedSourcesChanged(String receiverId, List<String> sources) {
                listener.forwardedSourcesChanged(self[0], receiverId, sources);
              }

              @Override
              public void senderConstraintChanged(String senderId, String source, int maxHeight) {
                listener.senderSourceConstraintsChanged(self[0], senderId, source, maxHeight);
              }
            },
            endpoint -> listener.endpointExpired(self[0], endpoint));
    self[0] = conference;
    byMeetingId.put(meetingId, conference);
    totalConferencesCreated.incrementAndGet();
    return conference;
  }

  public Optional<Conference> get(String meetingId) {
    return Optional.ofNullable(byMeetingId.get(meetingId));
  }

  public Collection<Conference> all() {
    return List.copyOf(byMeetingId.values());
  }

  /** Creates an endpoint in a conference and counts it. */
  public Endpoint createEndpoint(Conference conference, String id, String statsId) {
    Endpoint endpoint = conference.createEndpoint(id, statsId);
    totalParticipants.incrementAndGet();
    return endpoint;
  }

  /** Expires an endpoint; an empty conference then lingers until the empty-conference timeout. */
  public boolean expireEndpoint(Conference conference, String endpointId) {
    return conference.expireEndpoint(endpointId);
  }

  /** Expires a conference and all its endpoints. */
  public synchronized void expire(Conference conference) {
    if (byMeetingId.remove(conference.meetingId(), conference)) {
      conference.expire();
      totalConferencesCompleted.incrementAndGet();
      totalConferenceMillis.addAndGet(
          Duration.between(conference.created(), clock.instant()).toMillis());
      listener.conferenceExpired(conference);
    }
  }

  /**
   * Expires endpoints idle for longer than the endpoint timeout and conferences empty for longer
   * than the empty-conference timeout. Runs periodically; tests call it after moving the clock.
   * Runs beside Colibri2 requests (which find an expired conference or endpoint gone, as if the
   * sweep had come first).
   */
  public synchronized void expireIdle() {
    Instant now = clock.instant();
    for (Conference conference : all()) {
      for (Endpoint endpoint : conference.endpoints()) {
        if (Duration.between(endpoint.lastActivity(), now).compareTo(endpointTimeout) > 0) {
          conference.expireEndpoint(endpoint.id());
        }
      }
      Instant emptySince = conference.emptySince();
      if (emptySince != null
          && Duration.between(emptySince, now).compareTo(emptyConferenceTimeout) > 0) {
        expire(conference);
      }
    }
  }

  /** Enters graceful shutdown: no new conferences; existing ones carry on. */
  public void startGracefulShutdown() {
    gracefulShutdown = true;
  }

  public boolean isGracefulShutdown() {
    return gracefulShutdown;
  }

  /** Expires everything (bridge shutdown). */
  public synchronized void expireAll() {
    all().forEach(this::expire);
  }

  public int conferenceCount() {
    return byMeetingId.size();
  }

  public int endpointCount() {
    return byMeetingId.values().stream().mapToInt(Conference::endpointCount).sum();
  }

  public int largestConference() {
    return byMeetingId.values().stream().mapToInt(Conference::endpointCount).max().orElse(0);
  }

  public long totalConferencesCreated() {
    return totalConferencesCreated.get();
  }

  public long totalConferencesCompleted() {
    return totalConferencesCompleted.get();
  }

  public long totalParticipants() {
    return totalParticipants.get();
  }

  public long totalConferenceSeconds() {
    return totalConferenceMillis.get() / 1000;
  }

  public long totalDominantSpeakerChanges() {
    return totalDominantSpeakerChanges.get();
  }
}
