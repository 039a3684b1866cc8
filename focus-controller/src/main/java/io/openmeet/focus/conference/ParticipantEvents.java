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
}
