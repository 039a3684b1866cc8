package io.openmeet.roomapi.rest;

import io.openmeet.roomapi.entity.CallLog;
import io.openmeet.roomapi.entity.Participant;
import io.openmeet.roomapi.rest.CallModels.CallDetailsView;
import io.openmeet.roomapi.rest.CallModels.CallView;
import io.openmeet.roomapi.rest.CallModels.DayView;
import io.openmeet.roomapi.rest.CallModels.ParticipantView;
import io.openmeet.roomapi.rest.CallModels.StatsView;
import io.openmeet.roomapi.security.CallerResolver;
import io.openmeet.roomapi.service.ApiException;
import io.openmeet.roomapi.service.CallHistoryService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Arrays;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Call history and statistics. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "calls")
public class CallResource {

  private final CallHistoryService history;
  private final CallerResolver callers;

  CallResource(CallHistoryService history, CallerResolver callers) {
    this.history = history;
    this.callers = callers;
  }

  @GET
  @Path("/calls/{id}")
  @Operation(
      summary = "One call with its participants",
      description = "Same callers as the room's calls.")
  public CallDetailsView call(@PathParam("id") String id) {
    var details = history.call(id, callers.current());
    return new CallDetailsView(
        view(details.call()), details.participants().stream().map(CallResource::view).toList());
  }

  @GET
  @Path("/stats")
  @RolesAllowed(CallerResolver.ADMIN_ROLE)
  @Operation(
      summary = "Usage statistics (admin)",
      description =
          "Active rooms; calls, minutes and average duration of ended calls; calls and minutes per"
              + " UTC day. Query: days (1..366, default 30).")
  public StatsView stats(@QueryParam("days") String days) {
    int d = parseDays(days);
    var s = history.stats(d);
    return new StatsView(
        s.activeRooms(),
        s.since(),
        s.calls(),
        s.minutes(),
        s.averageDurationSeconds(),
        s.days().stream().map(x -> new DayView(x.day(), x.calls(), x.minutes())).toList());
  }

  private static int parseDays(String days) {
    if (days == null || days.isEmpty()) {
      return 30;
    }
    try {
      int d = Integer.parseInt(days);
      if (d >= 1 && d <= 366) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiException.invalid("days", "must be a whole number from 1 to 366");
  }

  static CallView view(CallLog c) {
    List<String> bridges =
        c.bridges == null || c.bridges.isBlank()
            ? List.of()
            : Arrays.stream(c.bridges.split(",")).map(String::strip).toList();
    return new CallView(
        c.id,
        c.roomId,
        c.startedAt,
        c.endedAt,
        c.durationSeconds,
        c.peakParticipants,
        c.totalParticipants,
        c.region,
        bridges);
  }

  static ParticipantView view(Participant p) {
    return new ParticipantView(
        p.id,
        p.userId,
        p.displayName,
        p.joinedAt,
        p.leftAt,
        p.audioEnabled,
        p.videoEnabled,
        p.leaveReason);
  }
}
