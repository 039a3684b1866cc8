package io.openmeet.roomapi.rest;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

/** JSON bodies of the call-history endpoints. */
public final class CallModels {

  private CallModels() {}

  /** One call (conference session) of a room. */
  public record CallView(
      UUID id,
      UUID roomId,
      Instant startedAt,
      Instant endedAt,
      Integer durationSeconds,
      int peakParticipants,
      int totalParticipants,
      String region,
      List<String> bridges) {}

  /** One join of a user or guest. */
  public record ParticipantView(
      UUID id,
      UUID userId,
      String displayName,
      Instant joinedAt,
      Instant leftAt,
      boolean audioEnabled,
      boolean videoEnabled,
      String leaveReason) {}

  /** A call with its participants. */
  public record CallDetailsView(CallView call, List<ParticipantView> participants) {}

  /** Calls and minutes of one UTC day. */
  public record DayView(LocalDate day, long calls, double minutes) {}

  /** GET /api/stats. */
  public record StatsView(
      long activeRooms,
      Instant since,
      long calls,
      double minutes,
      double averageDurationSeconds,
      List<DayView> days) {}
}
