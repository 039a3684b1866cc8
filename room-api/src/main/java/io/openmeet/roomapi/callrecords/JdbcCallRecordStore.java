package io.openmeet.roomapi.callrecords;

import io.openmeet.focus.records.CallRecordEvent;
import io.openmeet.roomapi.metrics.DbQueryMetrics;
import io.openmeet.roomapi.repository.SqlFailures;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Stores call facts in {@code call_logs} and {@code participants}. Every statement is idempotent
 * (inserts do nothing on conflict, updates set absolute values), so a retried batch is harmless. An
 * event the database rejects as invalid (SQL state class 22 or 23) is logged and skipped so that it
 * cannot block the events behind it; connection trouble is thrown for the caller to retry.
 */
public final class JdbcCallRecordStore implements CallRecordStore {

  private static final Logger LOG = Logger.getLogger(JdbcCallRecordStore.class);

  private static final String CALL_STARTED =
      "INSERT INTO call_logs (id, room_id, started_at, region) "
          + "SELECT ?, r.id, ?, ? FROM rooms r WHERE r.id = ? ON CONFLICT (id) DO NOTHING";
  private static final String PARTICIPANT_JOINED =
      "INSERT INTO participants "
          + "(id, call_log_id, user_id, display_name, joined_at, audio_enabled, video_enabled) "
          + "SELECT ?, c.id, (SELECT u.id FROM users u WHERE u.id = ?), ?, ?, ?, ? "
          + "FROM call_logs c WHERE c.id = ? ON CONFLICT (id) DO NOTHING";
  private static final String PARTICIPANT_LEFT =
      "UPDATE participants SET left_at = greatest(?, joined_at), leave_reason = ?, "
          + "audio_enabled = ?, video_enabled = ? WHERE id = ? AND call_log_id = ?";
  private static final String CALL_ENDED =
      "UPDATE call_logs SET ended_at = greatest(?, started_at), "
          + "duration_seconds = greatest(0, floor(extract(epoch FROM (? - started_at))))::integer, "
          + "peak_participants = ?, total_participants = greatest(?, ?), "
          + "bridges = coalesce(?, bridges) WHERE id = ?";

  private final DataSource dataSource;
  private final StatementTimer timer;

  /** Times statements into this application's {@code db_query_duration_ms}, when it runs. */
  public JdbcCallRecordStore(DataSource dataSource) {
    this(dataSource, defaultTimer());
  }

  public JdbcCallRecordStore(DataSource dataSource, StatementTimer timer) {
    this.dataSource = dataSource;
    this.timer = timer;
  }

  /** Told the time of each statement (this store bypasses Hibernate and so its timing). */
  @FunctionalInterface
  public interface StatementTimer {
    void executed(String operation, long nanos);
  }

  private static StatementTimer defaultTimer() {
    DbQueryMetrics metrics = DbQueryMetrics.current();
    return metrics == null ? (operation, nanos) -> {} : metrics::record;
  }

  @Override
  public void write(List<CallRecordEvent> batch) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        for (CallRecordEvent event : batch) {
          apply(c, event);
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        if (!SqlFailures.isInvalidData(e)) {
          throw e;
        }
        // one bad event must not block the others: store them one by one, skipping the bad ones
        for (CallRecordEvent event : batch) {
          try {
            apply(c, event);
            c.commit();
          } catch (SQLException single) {
            c.rollback();
            if (!SqlFailures.isInvalidData(single)) {
              throw single;
            }
            LOG.errorf("call record rejected by the database and skipped: %s (%s)", event, single);
          }
        }
      }
    }
  }

  private void apply(Connection c, CallRecordEvent event) throws SQLException {
    if (event instanceof CallRecordEvent.CallStarted e) {
      try (PreparedStatement s = c.prepareStatement(CALL_STARTED)) {
        s.setObject(1, e.callId());
        s.setObject(2, utc(e.startedAt()));
        s.setString(3, e.region());
        s.setObject(4, e.roomId());
        execute(s, "insert");
      }
    } else if (event instanceof CallRecordEvent.ParticipantJoined e) {
      try (PreparedStatement s = c.prepareStatement(PARTICIPANT_JOINED)) {
        s.setObject(1, e.participantRowId());
        setUuid(s, 2, e.userId());
        s.setString(3, e.displayName());
        s.setObject(4, utc(e.joinedAt()));
        s.setBoolean(5, e.audioEnabled());
        s.setBoolean(6, e.videoEnabled());
        s.setObject(7, e.callId());
        execute(s, "insert");
      }
    } else if (event instanceof CallRecordEvent.ParticipantLeft e) {
      try (PreparedStatement s = c.prepareStatement(PARTICIPANT_LEFT)) {
        s.setObject(1, utc(e.leftAt()));
        s.setString(2, e.reason());
        s.setBoolean(3, e.audioEnabled());
        s.setBoolean(4, e.videoEnabled());
        s.setObject(5, e.participantRowId());
        s.setObject(6, e.callId());
        execute(s, "update");
      }
    } else if (event instanceof CallRecordEvent.CallEnded e) {
      try (PreparedStatement s = c.prepareStatement(CALL_ENDED)) {
        s.setObject(1, utc(e.endedAt()));
        s.setObject(2, utc(e.endedAt()));
        s.setInt(3, e.peakParticipants());
        s.setInt(4, e.totalParticipants());
        s.setInt(5, e.peakParticipants());
        s.setString(6, bridgeList(e.bridges()));
        s.setObject(7, e.callId());
        execute(s, "update");
      }
    }
  }

  private void execute(PreparedStatement s, String operation) throws SQLException {
    long start = System.nanoTime();
    try {
      s.executeUpdate();
    } finally {
      timer.executed(operation, System.nanoTime() - start);
    }
  }

  /** The `bridges` column: comma-separated ids, null (keep what is there) when none is known. */
  static String bridgeList(List<String> bridges) {
    if (bridges.isEmpty()) {
      return null;
    }
    String joined = String.join(",", bridges);
    // the column holds 1024 characters; a call that hopped across that many bridges keeps the first
    if (joined.length() <= 1024) {
      return joined;
    }
    int cut = joined.lastIndexOf(',', 1024);
    return joined.substring(0, cut > 0 ? cut : 1024);
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  private static void setUuid(PreparedStatement s, int index, UUID value) throws SQLException {
    if (value == null) {
      s.setNull(index, Types.OTHER);
    } else {
      s.setObject(index, value);
    }
  }
}
