package io.openmeet.focus.conference;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openmeet.focus.sdp.MediaSource;
import io.openmeet.focus.sdp.TransportDescription;
import io.openmeet.focus.sdp.UnifiedPlanOffer;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * What a node needs to continue a conference another node ran (conference takeover): its bridge
 * conference and, per member, the join it was admitted with, its endpoint on the bridge, its
 * sources and the m-line layout of the offers its browser already has. The owner mirrors it to
 * Redis (JSON, fenced by its lease) whenever it changes.
 *
 * @param format the document's format; a node refuses others
 * @param callId the Colibri2 meeting id, also the call record's id
 * @param region the room's region as the first join asked for it; null for any
 * @param bridgeId the bridge hosting the conference when it was written; null when none yet
 * @param p2pSessions how many P2P sessions the conference has started (their ids count on)
 * @param p2p the P2P session of its two members; null when none (absent in older snapshots)
 */
record ConferenceSnapshot(
    int format,
    String callId,
    String roomId,
    String roomName,
    String region,
    String bridgeId,
    long lastHandRaisedAt,
    int peak,
    int total,
    List<MemberSnapshot> members,
    int p2pSessions,
    P2pSnapshot p2p) {

  /** The format this code writes and reads. */
  static final int FORMAT = 1;

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  ConferenceSnapshot {
    members = List.copyOf(members);
  }

  /**
   * The direct connection of the conference's two members, as mirrored.
   *
   * @param connected the members whose browsers said the direct connection is up
   * @param bridgeReleased their bridge endpoints were released (both members are off the bridge)
   */
  record P2pSnapshot(
      String id,
      String initiatorId,
      String responderId,
      List<String> connected,
      boolean bridgeReleased) {

    P2pSnapshot {
      connected = connected == null ? List.of() : List.copyOf(connected);
    }
  }

  /**
   * One member as mirrored.
   *
   * @param userId the registered user's id; null for a guest
   * @param channelUrl the colibri-ws URL of its endpoint; null when the bridge offered none
   * @param endpointBridgeId the bridge its endpoint is on
   * @param offBridge in a P2P session: it has no bridge endpoint
   */
  record MemberSnapshot(
      String id,
      String rowId,
      String subject,
      String userId,
      String displayName,
      boolean moderator,
      boolean p2p,
      int maxParticipants,
      boolean audio,
      boolean video,
      boolean screen,
      boolean everAudio,
      boolean everVideo,
      boolean audioForceMuted,
      boolean videoForceMuted,
      long handRaisedAt,
      boolean offBridge,
      List<MediaSource> sources,
      TransportDescription transport,
      List<MediaSource> feedbackSources,
      String channelUrl,
      String endpointBridgeId,
      UnifiedPlanOffer.Layout offer) {}

  String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new IllegalStateException("a conference snapshot could not be written as JSON", e);
    }
  }

  /** The snapshot in {@code json}; empty (and logged by the caller) when unreadable. */
  static Optional<ConferenceSnapshot> fromJson(String json) {
    try {
      ConferenceSnapshot s = JSON.readValue(json, ConferenceSnapshot.class);
      return s.format() == FORMAT ? Optional.of(s) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
