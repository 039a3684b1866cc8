package io.openmeet.focus.conference;

import io.openmeet.focus.text.HumanText;
import java.util.Optional;
import java.util.UUID;

/**
 * A verified request to join a room's conference.
 *
 * @param roomId the room (its conference is keyed by it)
 * @param roomName the room's slug, used for the Colibri2 conference name
 * @param maxParticipants the room's capacity, enforced atomically with the join
 * @param region the room's region, preferred when choosing a bridge; empty for any
 * @param userId the token subject when it is a registered user, empty for guests
 * @param displayName the participant's name, normalised by {@link HumanText#DISPLAY_NAME}
 * @param moderator whether the token grants moderator rights
 * @param audio whether the participant starts with the microphone on
 * @param video whether the participant starts with the camera on
 * @param p2p whether the room allows a direct (peer-to-peer) call while it has two participants
 */
public record JoinRequest(
    UUID roomId,
    String roomName,
    int maxParticipants,
    Optional<String> region,
    Optional<UUID> userId,
    String subject,
    String displayName,
    boolean moderator,
    boolean audio,
    boolean video,
    boolean p2p) {

  /** A request for a room without peer-to-peer calls. */
  public JoinRequest(
      UUID roomId,
      String roomName,
      int maxParticipants,
      Optional<String> region,
      Optional<UUID> userId,
      String subject,
      String displayName,
      boolean moderator,
      boolean audio,
      boolean video) {
    this(
        roomId,
        roomName,
        maxParticipants,
        region,
        userId,
        subject,
        displayName,
        moderator,
        audio,
        video,
        false);
  }

  /**
   * The display name becomes a Colibri2 {@code stats-id} and other participants' labels, so it is
   * held to {@link HumanText#DISPLAY_NAME} here again, whoever built the request.
   *
   * @throws io.openmeet.focus.text.InvalidTextException when the name breaks that policy
   */
  public JoinRequest {
    displayName = HumanText.DISPLAY_NAME.normalize("displayName", displayName);
  }
}
