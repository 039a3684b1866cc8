package io.openmeet.roomapi.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/** Reads {@code audit_events} straight from Postgres, waiting for the background writer. */
public final class AuditRows {

  /** One stored row. */
  public record Row(
      String actor,
      String action,
      UUID roomId,
      String participantId,
      UUID userId,
      String address) {}

  private final DataSource dataSource;

  public AuditRows(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The rows with {@code action} whose room or user is {@code target}. */
  public List<Row> about(String action, UUID target) throws Exception {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT actor, action, room_id, participant_id, user_id, source_address"
                    + " FROM audit_events WHERE action = ? AND (room_id = ? OR user_id = ?)"
                    + " ORDER BY id")) {
      s.setString(1, action);
      s.setObject(2, target);
      s.setObject(3, target);
      List<Row> rows = new ArrayList<>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          rows.add(
              new Row(
                  r.getString(1),
                  r.getString(2),
                  r.getObject(3, UUID.class),
                  r.getString(4),
                  r.getObject(5, UUID.class),
                  r.getString(6)));
        }
      }
      return rows;
    }
  }

  /**
   * Waits until a row with {@code action} about {@code target} is stored; one writer stores events
   * in order, so every event recorded before it is stored too.
   */
  public void awaitStored(String action, UUID target) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (about(action, target).isEmpty()) {
      assertThat(System.nanoTime()).as("%s about %s stored", action, target).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** The single row with {@code action} about {@code target}. */
  public Row exactlyOne(String action, UUID target) throws Exception {
    List<Row> rows = about(action, target);
    assertThat(rows).as("%s about %s", action, target).hasSize(1);
    return rows.get(0);
  }
}
