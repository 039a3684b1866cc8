package io.openmeet.roomapi.service;

import io.openmeet.roomapi.entity.CallLog;
import io.openmeet.roomapi.entity.Participant;
import io.openmeet.roomapi.entity.Room;
import io.openmeet.roomapi.repository.CallLogRepository;
import io.openmeet.roomapi.repository.ParticipantRepository;
import io.openmeet.roomapi.repository.RoomRepository;
import io.openmeet.roomapi.security.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Reads the call history: calls of a room, one call with its participants, and statistics. */
@ApplicationScoped
public class CallHistoryService {

  private final CallLogRepository calls;
  private final ParticipantRepository participants;
  private final RoomRepository rooms;
  private final EntityManager em;

  CallHistoryService(
      CallLogRepository calls,
      ParticipantRepository participants,
      RoomRepository rooms,
      EntityManager em) {
    this.calls = calls;
    this.participants = participants;
    this.rooms = rooms;
    this.em = em;
  }

  /** A call and the people who joined it. */
  public record CallDetails(CallLog call, List<Participant> participants) {}

  /** Calls and minutes of one UTC day. */
  public record DayStats(LocalDate day, long calls, double minutes) {}

  /** What GET /api/stats reports. */
  public record Stats(
      long activeRooms,
      Instant since,
      long calls,
      double minutes,
      double averageDurationSeconds,
      List<DayStats> days) {}

  public Page<CallLog> forRoom(String roomId, Paging paging, Caller caller) {
    Room room = managedRoom(Ids.parse(roomId, "room id"), caller);
    var query = calls.forRoom(room.id);
    return new Page<>(
        query.page(paging.page(), paging.size()).list(),
        paging.page(),
        paging.size(),
        query.count());
  }

  public CallDetails call(String callId, Caller caller) {
    UUID id = Ids.parse(callId, "call id");
    CallLog call =
        calls
            .findByIdOptional(id)
            .orElseThrow(() -> new ApiException(ErrorCode.CALL_NOT_FOUND, "no call " + id));
    managedRoom(call.roomId, caller);
    return new CallDetails(call, participants.forCall(call.id));
  }

  /** Active rooms, and calls and minutes per UTC day over the last {@code days} days. */
  public Stats stats(int days) {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    Instant since = today.minusDays(days - 1L).atStartOfDay(ZoneOffset.UTC).toInstant();
    List<?> rows =
        em.createNativeQuery(
                "SELECT (started_at AT TIME ZONE 'UTC')::date AS day, count(*),"
                    + " coalesce(sum(duration_seconds), 0) FROM call_logs WHERE started_at >= ?1"
                    + " GROUP BY day ORDER BY day")
            .setParameter(1, since)
            .getResultList();
    List<DayStats> perDay = new ArrayList<>();
    long totalCalls = 0;
    for (Object row : rows) {
      Object[] r = (Object[]) row;
      long count = ((Number) r[1]).longValue();
      long seconds = ((Number) r[2]).longValue();
      perDay.add(new DayStats(toDate(r[0]), count, round(seconds / 60.0)));
      totalCalls += count;
    }
    Object[] ended =
        (Object[])
            em.createNativeQuery(
                    "SELECT coalesce(sum(duration_seconds), 0), coalesce(avg(duration_seconds), 0)"
                        + " FROM call_logs WHERE started_at >= ?1 AND duration_seconds IS NOT NULL")
                .setParameter(1, since)
                .getSingleResult();
    double minutes = round(((Number) ended[0]).longValue() / 60.0);
    double average = round(toDouble(ended[1]));
    return new Stats(rooms.countActive(), since, totalCalls, minutes, average, perDay);
  }

  private Room managedRoom(UUID roomId, Caller caller) {
    Room room =
        rooms
            .findByIdOptional(roomId)
            .orElseThrow(() -> new ApiException(ErrorCode.ROOM_NOT_FOUND, "no room " + roomId));
    if (!caller.mayManage(room)) {
      throw caller.authenticated()
          ? new ApiException(ErrorCode.FORBIDDEN, "this token may not read room " + room.slug)
          : new ApiException(
              ErrorCode.UNAUTHORIZED, "call history needs a moderator, owner or admin token");
    }
    return room;
  }

  private static LocalDate toDate(Object value) {
    if (value instanceof LocalDate d) {
      return d;
    }
    if (value instanceof Date d) {
      return d.toLocalDate();
    }
    return LocalDate.parse(String.valueOf(value));
  }

  private static double toDouble(Object value) {
    if (value instanceof BigDecimal b) {
      return b.doubleValue();
    }
    return ((Number) value).doubleValue();
  }

  private static double round(double v) {
    return Math.round(v * 100.0) / 100.0;
  }
}
