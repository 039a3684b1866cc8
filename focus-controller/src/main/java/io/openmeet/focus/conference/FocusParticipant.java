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

  /**
   * A moderator mutes another participant's audio or video at the bridge ({@code muted}), or allows
   * it to unmute again.
   *
   * @throws FocusException NOT_MODERATOR, UNKNOWN_PARTICIPANT
   */
  default void forceMute(String participantId, Moderation.Media media, boolean muted)
      throws FocusException {
    throw new FocusException(FocusException.Reason.INTERNAL, "moderation is not supported here");
  }

  /** Raises or lowers this participant's own hand (asking to speak). */
  default void raiseHand(boolean raised) {}

  /**
   * A moderator lowers another participant's hand.
   *
   * @throws FocusException NOT_MODERATOR, UNKNOWN_PARTICIPANT
   */
  default void lowerHand(String participantId) throws FocusException {
    throw new FocusException(FocusException.Reason.INTERNAL, "moderation is not supported here");
  }

  /**
   * A moderator ends the meeting for everyone: all are removed (reason {@code meeting-ended}), the
   * bridge conference is expired. The room stays.
   *
   * @throws FocusException NOT_MODERATOR
   */
  default void endMeeting() throws FocusException {
    throw new FocusException(FocusException.Reason.INTERNAL, "moderation is not supported here");
  }

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
