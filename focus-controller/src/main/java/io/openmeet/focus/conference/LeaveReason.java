package io.openmeet.focus.conference;

import java.util.Locale;

/** Why a participant left; recorded in call history and sent to the others. */
public enum LeaveReason {
  /** The participant sent `leave`. */
  LEAVE,
  /** The socket closed without `leave`. */
  DISCONNECTED,
  /** No ping within the timeout. */
  TIMEOUT,
  /** A moderator removed the participant. */
  KICKED,
  /** The room was closed. */
  ROOM_CLOSED,
  /** A moderator ended the meeting for everyone (the room stays). */
  MEETING_ENDED;

  /** The wire and database form, e.g. `room-closed`. */
  public String code() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
