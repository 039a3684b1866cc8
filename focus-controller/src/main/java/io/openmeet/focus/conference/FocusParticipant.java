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

  /**
   * Relays the participant's P2P offer or answer ({@code kind} {@code offer} or {@code answer}) to
   * its peer. @throws FocusException NO_P2P_SESSION when it is not in that session, INVALID_SDP
   */
  default void p2pDescription(String sessionId, String kind, String sdp) throws FocusException {
    throw new FocusException(
        FocusException.Reason.NO_P2P_SESSION, "peer-to-peer is not available here");
  }

  /** Relays a trickled P2P candidate to the peer. @throws FocusException NO_P2P_SESSION */
  default void p2pCandidate(
      String sessionId, String candidate, String sdpMid, Integer sdpMLineIndex)
      throws FocusException {
    throw new FocusException(
        FocusException.Reason.NO_P2P_SESSION, "peer-to-peer is not available here");
  }

  /**
   * Tells the peer whether the participant wants its video over P2P ({@code false}: audio only).
   *
   * @throws FocusException NO_P2P_SESSION
   */
  default void p2pVideo(String sessionId, boolean receive) throws FocusException {
    throw new FocusException(
        FocusException.Reason.NO_P2P_SESSION, "peer-to-peer is not available here");
  }

  /**
   * How the participant's P2P connection went: {@code connected} (media flows directly) or not
   * (failed or timed out: the pair falls back to the bridge). @throws FocusException NO_P2P_SESSION
   */
  default void p2pState(String sessionId, boolean connected) throws FocusException {
    throw new FocusException(
        FocusException.Reason.NO_P2P_SESSION, "peer-to-peer is not available here");
  }
}
