package io.openmeet.focus.conference;

import java.util.List;

/** What the focus tells one participant's signalling session. Implementations must not block. */
public interface ParticipantEvents {

  /** The participant is in: its id and the others already there. */
  void joined(String participantId, List<ParticipantInfo> others);

  /** A new SDP offer (the server always offers); {@code bridgeChannelUrl} may be null. */
  void offer(String sdp, String bridgeChannelUrl);

  /** Someone else joined. */
  void participantJoined(ParticipantInfo participant);

  /** Someone else left. */
  void participantLeft(String participantId, LeaveReason reason);

  /** Someone's microphone, camera or screen share changed. */
  void mediaState(String participantId, boolean audio, boolean video, boolean screen);

  /** A chat line. */
  void chat(String fromParticipantId, String displayName, String text, long timestampMillis);

  /** A moderator muted this participant. */
  void muted(String byParticipantId);

  /**
   * A moderator force-muted a participant's audio or video at the bridge, or allowed it again; sent
   * to everyone, the participant included. {@code audio} and {@code video} are the whole new state.
   */
  default void forceMuted(
      String participantId, boolean audio, boolean video, String byParticipantId) {}

  /**
   * A participant raised its hand ({@code raisedAt} > 0, when: hands are ordered by it) or it was
   * lowered (0), by itself or by a moderator ({@code byParticipantId}); sent to everyone.
   */
  default void handRaised(String participantId, long raisedAt, String byParticipantId) {}

  /** This participant was removed; the session should close after telling the browser. */
  void removed(LeaveReason reason);

  /**
   * The node that ran this participant's conference stopped hosting it (its lease was lost or
   * handed over) without the participant leaving: its media goes on, and its session should
   * continue with whichever node hosts the conference now (resume), or close so that the browser
   * reconnects.
   */
  void conferenceMoved();

  /**
   * The room has two participants: connect directly to {@code peerId} in P2P session {@code
   * sessionId}; the initiator sends the P2P offer. The bridge connection stays until {@link
   * #p2pActive}.
   */
  default void p2pStart(String sessionId, String peerId, boolean initiator) {}

  /**
   * Both ends reported the P2P connection up: the bridge endpoint is gone, media flows only
   * directly.
   */
  default void p2pActive(String sessionId) {}

  /**
   * The P2P session ends ({@code reason}: {@code participants} when the room no longer has two,
   * {@code failed} when it did not connect); media moves to the bridge (a new offer follows when
   * the bridge endpoint had been released). Close the P2P connection once the bridge's media flows.
   */
  default void p2pStop(String sessionId, String reason) {}

  /** The peer's P2P offer or answer ({@code kind} is {@code offer} or {@code answer}). */
  default void p2pDescription(String sessionId, String from, String kind, String sdp) {}

  /** Whether the peer wants our video over P2P ({@code false}: it is audio only). */
  default void p2pVideo(String sessionId, String from, boolean receive) {}

  /** The peer's trickled P2P candidate (empty = end of candidates). */
  default void p2pCandidate(
      String sessionId, String from, String candidate, String sdpMid, Integer sdpMLineIndex) {}
}
