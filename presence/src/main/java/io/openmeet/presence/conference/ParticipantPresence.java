package io.openmeet.presence.conference;

import java.util.Set;

/**
 * Who is in which room right now, shared by every node (rebuilt from the live sessions if lost).
 */
public interface ParticipantPresence {

  /** Records a participant in a room. */
  void joined(Participant participant);

  /** Removes a participant from its room. */
  void left(String roomId, String participantId, String userId);

  /**
   * Records a participant while {@code fence} is its conference's current lease.
   *
   * @return false, writing nothing, when another node holds the conference now
   */
  default boolean joined(Participant participant, ConferenceLeases.Lease fence) {
    joined(participant);
    return true;
  }

  /**
   * Removes a participant while {@code fence} is its conference's current lease.
   *
   * @return false, writing nothing, when another node holds the conference now
   */
  default boolean left(
      String roomId, String participantId, String userId, ConferenceLeases.Lease fence) {
    left(roomId, participantId, userId);
    return true;
  }

  /** The participant ids present in a room. */
  Set<String> participants(String roomId);

  /** Number of participants present in a room. */
  int count(String roomId);

  /**
   * A participant's presence record.
   *
   * @param userId the token's subject: a registered user's id or a guest's generated id
   * @param nodeId the control-plane node holding the participant's socket
   */
  record Participant(
      String roomId, String participantId, String userId, String displayName, String nodeId) {}
}
