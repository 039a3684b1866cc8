package io.openmeet.focus.colibri;

import io.openmeet.focus.sdp.MediaSource;
import io.openmeet.focus.sdp.TransportDescription;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The bridge side of every conference this node owns: which bridge hosts it and its endpoints
 * there. Conferences depend on this interface, not on Colibri2. Calls block on the network.
 */
public interface ColibriSessionManager {

  /**
   * Creates an endpoint (and the conference on the bridge, on first use), choosing a bridge for a
   * new conference; bridges that fail are reported and the next one is tried.
   *
   * @param statsId a label for the bridge's statistics (e.g. the display name)
   * @throws NoBridgeException when no bridge has room
   * @throws BridgeFailedException when every bridge tried failed
   * @throws ColibriRejectedException when the bridge refused the request itself
   */
  ColibriAllocation allocate(Conference conference, String endpointId, String statsId)
      throws ColibriException;

  /**
   * Allocates endpoints of a conference that was admitted before and moves (its bridge went away,
   * or lost it): each gets an endpoint on the conference's bridge, placed anew when it has none.
   *
   * @param statsIds the endpoints, each with its statistics label, in order
   * @return per endpoint, its allocation or why it failed, in the same order
   */
  Map<String, Moved> allocateAll(Conference conference, Map<String, String> statsIds);

  /**
   * One endpoint's outcome of {@link #allocateAll}: exactly one of the two is set.
   *
   * @param allocation what the bridge allocated
   * @param failure why it could not be allocated
   */
  record Moved(ColibriAllocation allocation, ColibriException failure) {
    public Moved {
      if ((allocation == null) == (failure == null)) {
        throw new IllegalArgumentException("exactly one of allocation and failure");
      }
    }

    static Moved of(ColibriAllocation allocation) {
      return new Moved(allocation, null);
    }

    static Moved failed(ColibriException failure) {
      return new Moved(null, failure);
    }
  }

  /**
   * Sends the participant's transport (from its answer) and its sources, which replace the
   * endpoint's previous sources. Does not wait for the bridge: the request is on the connection, in
   * order with the conference's other requests, when this returns (the bridge applies them in that
   * order), and the future completes when the bridge answered, exceptionally with a {@link
   * ColibriException} ({@link ConferenceNotFoundException} at once when the conference has no
   * bridge here).
   */
  CompletableFuture<Void> update(
      String meetingId,
      String endpointId,
      TransportDescription transport,
      List<MediaSource> sources);

  /**
   * Sends candidates a participant trickled after its answer (its ICE ufrag and pwd, the
   * candidates, no fingerprints and no sources: the endpoint's sources stay as they are); like
   * {@link #update}, without waiting for the bridge.
   */
  CompletableFuture<Void> addCandidates(
      String meetingId, String endpointId, TransportDescription transport);

  /**
   * Sets an endpoint's Colibri2 force-mute: while set, the bridge drops the audio (or video) the
   * endpoint sends. Waits for the bridge's answer; an endpoint the bridge does not have is ignored
   * (JVB answers a force-mute of an unknown endpoint with a result).
   *
   * @throws ConferenceNotFoundException when the conference has no bridge (any more)
   * @throws BridgeFailedException when the bridge did not answer
   */
  void forceMute(String meetingId, String endpointId, boolean audio, boolean video)
      throws ColibriException;

  /**
   * Expires one endpoint; the conference too when it was the last. Never fails, and does not wait
   * for the bridge: requests sent after it still reach the bridge after it.
   */
  void expire(String meetingId, String endpointId);

  /** Expires the whole conference on its bridge. Never fails, and does not wait for the bridge. */
  void expireConference(String meetingId);

  /**
   * Forgets a bridge that is gone: its conferences are dropped here and reported to listeners,
   * which re-invite their participants (the next {@link #allocate} places them elsewhere).
   *
   * @return the endpoints that were on it, by meeting id
   */
  Map<String, Set<String>> removeBridge(String bridgeId);

  /**
   * Continues a conference another node created on {@code bridgeId} with these endpoints on it:
   * later requests go there without {@code create}. Nothing is sent.
   *
   * @return false when this node does not know that bridge as usable (it is gone or unhealthy): the
   *     conference then starts on another bridge with its next allocation
   */
  default boolean adopt(Conference conference, String bridgeId, Set<String> endpointIds) {
    return false;
  }

  /** The bridge hosting a conference, empty when none yet. */
  Optional<String> bridgeOf(String meetingId);

  void addListener(Listener listener);

  /**
   * A conference as the bridge knows it.
   *
   * @param meetingId Colibri2 meeting id, unique per conference session
   * @param name the room's bare JID (Colibri2 {@code name}), e.g. {@code
   *     room@conference.meet.local}
   * @param region the preferred region for its bridge
   */
  record Conference(String meetingId, String name, Optional<String> region) {}

  /** Events from the bridge side; must not block. */
  interface Listener {
    /**
     * A bridge went away, or can no longer serve a conference that moved to another bridge, with
     * these endpoints on it, by meeting id; they need new allocations (and offers).
     */
    void bridgeRemoved(String bridgeId, Map<String, Set<String>> endpointsByMeeting);
  }
}
