package io.openmeet.focus.conference;

import io.openmeet.focus.sdp.MediaSource;
import io.openmeet.focus.sdp.TransportDescription;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * The bridge side of one conference, as the conference uses it: endpoints created, updated and
 * expired on the bridge that hosts it (Colibri2 in production). Allocations and force-mutes wait
 * for the bridge; updates and candidates only put the request on its way.
 */
public interface ConferenceBridge {

  /**
   * Creates the endpoint (and the bridge conference on first use).
   *
   * @throws FocusException NO_BRIDGE when no bridge can take it
   */
  Allocation allocate(String endpointId, String statsId) throws FocusException;

  /**
   * Gives endpoints of this conference, which must move (their bridge went away, or lost them), new
   * endpoints at once; by default one after another.
   *
   * @param statsIds the endpoints, each with its statistics label, in order
   * @return per endpoint, its allocation or why it failed, in the same order
   */
  default Map<String, Moved> allocateAll(Map<String, String> statsIds) {
    Map<String, Moved> out = new LinkedHashMap<>();
    for (var e : statsIds.entrySet()) {
      try {
        out.put(e.getKey(), new Moved(allocate(e.getKey(), e.getValue()), null));
      } catch (FocusException failed) {
        out.put(e.getKey(), new Moved(null, failed));
      }
    }
    return out;
  }

  /**
   * One endpoint's outcome of {@link #allocateAll}: exactly one of the two is set.
   *
   * @param allocation the new endpoint
   * @param failure why it could not be allocated
   */
  record Moved(Allocation allocation, FocusException failure) {
    public Moved {
      if ((allocation == null) == (failure == null)) {
        throw new IllegalArgumentException("exactly one of allocation and failure");
      }
    }
  }

  /**
   * Sends the participant's transport and its current sources (they replace the previous ones)
   * without waiting for the bridge: the request is on its way, in order with the conference's other
   * requests, when this returns; the stage completes when the bridge answered, exceptionally with a
   * {@link FocusException} (UNEXPECTED: the bridge does not know the endpoint or the conference any
   * more).
   */
  CompletionStage<Void> update(
      String endpointId, TransportDescription transport, List<MediaSource> sources);

  /**
   * Adds candidates the participant trickled after its answer: {@code transport} holds that
   * answer's ICE ufrag and pwd and the new candidates (no fingerprints). The bridge adds them to
   * its connectivity checks; once its ICE has completed it ignores them. Like {@link #update}, does
   * not wait for the bridge.
   */
  CompletionStage<Void> addCandidates(String endpointId, TransportDescription transport);

  /**
   * Sets the endpoint's force-mute on the bridge (Colibri2 {@code force-mute}): the bridge drops
   * the audio (video) it sends while set. Harmless when the endpoint is already gone.
   */
  default void forceMute(String endpointId, boolean audio, boolean video) throws FocusException {
    throw new FocusException(
        FocusException.Reason.INTERNAL, "this bridge cannot force-mute; the mute is not enforced");
  }

  /** Expires one endpoint; harmless when it is already gone. */
  void expire(String endpointId);

  /** Expires the whole conference on the bridge. */
  void close();

  /**
   * What the bridge allocated for an endpoint.
   *
   * @param transport the bridge's ICE credentials, candidates and DTLS fingerprint (setup actpass)
   * @param feedbackSources the bridge's own sources for this conference
   * @param bridgeChannelUrl the colibri-ws URL for this endpoint, when the bridge offers one
   * @param bridgeId the bridge that hosts the conference
   */
  record Allocation(
      TransportDescription transport,
      List<MediaSource> feedbackSources,
      Optional<String> bridgeChannelUrl,
      String bridgeId) {
    public Allocation {
      feedbackSources = List.copyOf(feedbackSources);
    }
  }

  /** Opens the bridge side of a conference; nothing is sent until the first allocation. */
  interface Factory {
    /**
     * @param meetingId the Colibri2 meeting id (unique per conference session)
     * @param roomName the room's slug, used for the conference's name
     * @param region the room's preferred region
     */
    ConferenceBridge open(String meetingId, String roomName, Optional<String> region);

    /**
     * Continues a conference that another node started on bridge {@code bridgeId}, with these
     * endpoints on it (conference take-over): requests go to that bridge, without creating
     * anything. When this node cannot reach that bridge, the conference's first request places it
     * on another one, and the caller moves its participants there.
     *
     * @return the bridge side, and whether it continues on {@code bridgeId}
     */
    default Adopted adopt(
        String meetingId,
        String roomName,
        Optional<String> region,
        String bridgeId,
        java.util.Set<String> endpointIds) {
      return new Adopted(open(meetingId, roomName, region), false);
    }
  }

  /** An adopted conference: its bridge side, and whether it is still on the bridge it was on. */
  record Adopted(ConferenceBridge bridge, boolean onSameBridge) {}
}
