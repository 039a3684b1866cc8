package io.openmeet.focus.conference;

/** A participant in a conference, as its own signalling session drives it. */
public interface FocusParticipant {

  /** The participant id (also its Colibri2 endpoint id). */
  String id();

  /**
   * The participant's SDP answer to the last offer. @throws FocusException INVALID_SDP, UNEXPECTED
   */
  void answer(String sdp) throws FocusException;

  /** A trickled candidate from the browser (empty = end of candidates). */
  void iceCandidate(String candidate, String sdpMid) throws FocusException;

  /** The participant's microphone, camera and screen-share state; relayed to the others. */
  void mediaState(boolean audio, boolean video, boolean screen);

  /** A chat line to everyone in the room. */
  void chat(String text);

  /** Moderator actions. @throws FocusException NOT_MODERATOR, UNKNOWN_PARTICIPANT */
  void mute(String participantId) throws FocusException;

  /** Removes another participant. @throws FocusException NOT_MODERATOR, UNKNOWN_PARTICIPANT */
  void kick(String participantId) throws FocusException;

  /** Asks for a new offer with fresh ICE credentials after an ICE failure. */
  void iceRestart() throws FocusException;

  /**
   * Sends the current offer again on the same bridge transport (a signalling session resumed on a
   * new socket: the media path never stopped, and an offer in flight may have been lost).
   */
  default void offerAgain() throws FocusException {
    iceRestart();
  }

  /** Leaves the conference; idempotent. */
  void leave(LeaveReason reason);
}
