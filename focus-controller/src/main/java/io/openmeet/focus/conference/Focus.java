package io.openmeet.focus.conference;

/**
 * The focus as the signalling layer sees it: participants join a room's conference and then act
 * through their {@link FocusParticipant}. Access checks on the token happen before; capacity is
 * enforced here, atomically with the join.
 */
public interface Focus {

  /**
   * Adds a participant to the room's conference (creating it on the first join) and sends it its
   * first offer through {@code events}.
   *
   * @throws FocusException ROOM_FULL, NO_BRIDGE or INTERNAL
   */
  FocusParticipant join(JoinRequest request, ParticipantEvents events) throws FocusException;
}
