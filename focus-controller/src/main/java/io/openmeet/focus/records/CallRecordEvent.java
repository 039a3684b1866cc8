package io.openmeet.focus.records;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A fact about a call that must reach the call history (Postgres). Ids are chosen by the focus, so
 * writing an event twice is harmless and retries are safe.
 */
public sealed interface CallRecordEvent {

  /** The call's id (one call per conference session). */
  UUID callId();

  /** A conference session started in a room. */
  record CallStarted(UUID callId, UUID roomId, String region, Instant startedAt)
      implements CallRecordEvent {}

  /** Someone joined; `userId` is null for guests. */
  record ParticipantJoined(
      UUID callId,
      UUID participantRowId,
      UUID userId,
      String displayName,
      Instant joinedAt,
      boolean audioEnabled,
      boolean videoEnabled)
      implements CallRecordEvent {}

  /** Someone left; `reason` is leave, disconnected, timeout, kicked or call-ended. */
  record ParticipantLeft(
      UUID callId,
      UUID participantRowId,
      Instant leftAt,
      String reason,
      boolean audioEnabled,
      boolean videoEnabled)
      implements CallRecordEvent {}

  /**
   * The conference session ended; `bridges` are the ids of the bridges it used, in order (empty in
   * events journaled before the field existed).
   */
  record CallEnded(
      UUID callId,
      Instant endedAt,
      int peakParticipants,
      int totalParticipants,
      List<String> bridges)
      implements CallRecordEvent {

    public CallEnded {
      bridges = bridges == null ? List.of() : List.copyOf(bridges);
    }
  }
}
