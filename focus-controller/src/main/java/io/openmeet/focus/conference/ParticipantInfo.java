package io.openmeet.focus.conference;

/**
 * A participant as the others see it.
 *
 * @param audioForceMuted a moderator muted its audio at the bridge (it cannot unmute until allowed)
 * @param videoForceMuted the same for its video
 * @param handRaisedAt 0 while its hand is down, else when it was raised (epoch ms; orders hands)
 */
public record ParticipantInfo(
    String participantId,
    String displayName,
    boolean moderator,
    boolean audio,
    boolean video,
    boolean screen,
    boolean audioForceMuted,
    boolean videoForceMuted,
    long handRaisedAt) {

  /** A participant nobody has moderated and whose hand is down. */
  public ParticipantInfo(
      String participantId,
      String displayName,
      boolean moderator,
      boolean audio,
      boolean video,
      boolean screen) {
    this(participantId, displayName, moderator, audio, video, screen, false, false, 0);
  }

  /** The same participant with another media state. */
  public ParticipantInfo withMedia(boolean audio, boolean video, boolean screen) {
    return new ParticipantInfo(
        participantId,
        displayName,
        moderator,
        audio,
        video,
        screen,
        audioForceMuted,
        videoForceMuted,
        handRaisedAt);
  }

  /** The same participant with another force-mute state. */
  public ParticipantInfo withForceMute(boolean audio, boolean video) {
    return new ParticipantInfo(
        participantId,
        displayName,
        moderator,
        this.audio && !audio,
        this.video && !video,
        screen,
        audio,
        video,
        handRaisedAt);
  }

  /** The same participant with its hand raised at {@code raisedAt} (0: lowered). */
  public ParticipantInfo withHand(long raisedAt) {
    return new ParticipantInfo(
        participantId,
        displayName,
        moderator,
        audio,
        video,
        screen,
        audioForceMuted,
        videoForceMuted,
        raisedAt);
  }
}
