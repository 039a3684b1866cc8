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

  /**
   * Ends the room's conference wherever it runs (the room was closed): every participant is told
   * ({@code participant-left}, reason {@code room-closed}) and removed, and the bridge conference
   * is expired. Nothing happens when the room has no conference. Returns without waiting for the
   * participants to be told.
   *
   * @throws OwnedByAnotherNodeException from a node-local focus, when another node hosts the room
   * @throws FocusException INTERNAL when the node hosting the room could not be told
   */
  void closeRoom(java.util.UUID roomId) throws FocusException;

  /**
   * Continues a participant's session (its socket reconnected, on this node or another one, with a
   * resume token redeemed from Redis): it gets `joined` and an offer through {@code events}, and
   * keeps its id and its bridge endpoint. Where the conference's node is gone, the conference is
   * taken over first.
   *
   * @param subject the join token's subject; only the participant's own may resume it
   * @throws FocusException UNEXPECTED when the participant is no longer in the conference
   */
  /**
   * The node shuts down: the conferences it runs are handed to whichever node their participants
   * resume on (their media goes on), and its sessions are told to reconnect elsewhere.
   */
  default void handOver() {}

  default FocusParticipant resume(
      java.util.UUID roomId, String participantId, String subject, ParticipantEvents events)
      throws FocusException {
    throw new FocusException(
        FocusException.Reason.UNEXPECTED, "this node cannot resume sessions; join again");
  }
}
