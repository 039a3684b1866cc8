package io.openmeet.roomapi.audit;

import io.agroal.api.AgroalDataSource;
import io.openmeet.roomapi.repository.SqlFailures;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Writes audit events in the background, like the call records: {@link #record} only puts the event
 * in a bounded buffer (it never waits for Postgres and never throws), and one worker stores
 * batches, retrying with back-off while the database fails. A full buffer drops the event with an
 * error log, so the audited action itself never fails or waits.
 */
@ApplicationScoped
public class AuditLog {

  private static final Logger LOG = Logger.getLogger(AuditLog.class);

  static final int CAPACITY = 10_000;
  private static final int BATCH = 100;
  private static final long RETRY_MIN_MS = 100;
  private static final long RETRY_MAX_MS = 5_000;
  private static final long SHUTDOWN_GRACE_MS = 5_000;

  private static final String INSERT =
      "INSERT INTO audit_events"
          + " (at, actor, action, room_id, participant_id, user_id, source_address)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?)";
  private static final String PAGE =
      "SELECT id, at, actor, action, room_id, participant_id, user_id, source_address"
          + " FROM audit_events ORDER BY at DESC, id DESC LIMIT ? OFFSET ?";

  private final AgroalDataSource dataSource;
  private final ArrayBlockingQueue<AuditEvent> buffer = new ArrayBlockingQueue<>(CAPACITY);
  private final AtomicLong dropped = new AtomicLong();
  private final Thread worker;
  private volatile boolean running = true;

  AuditLog(AgroalDataSource dataSource) {
    this.dataSource = dataSource;
    this.worker = new Thread(this::run, "audit-writer");
    this.worker.setDaemon(true);
    this.worker.start();
  }

  /** Queues the event; never blocks and never throws. */
  public void record(AuditEvent event) {
    try {
      if (!buffer.offer(event)) {
        dropped.incrementAndGet();
        LOG.errorf("audit event DROPPED (buffer of %d full): %s", CAPACITY, event);
      }
    } catch (RuntimeException e) {
      LOG.errorf(e, "audit event DROPPED: %s", event);
    }
  }

  /** Events dropped because the buffer was full. */
  public long dropped() {
    return dropped.get();
  }

  /** Stored events, newest first. */
  public List<AuditEvent> page(int limit, long offset) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(PAGE)) {
      s.setInt(1, limit);
      s.setLong(2, offset);
      List<AuditEvent> events = new ArrayList<>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          events.add(
              new AuditEvent(
                  r.getLong(1),
                  r.getObject(2, OffsetDateTime.class).toInstant(),
                  r.getString(3),
                  r.getString(4),
                  r.getObject(5, UUID.class),
                  r.getString(6),
                  r.getObject(7, UUID.class),
                  r.getString(8)));
        }
      }
      return events;
    }
  }

  private void run() {
    long delay = RETRY_MIN_MS;
    List<AuditEvent> batch = new ArrayList<>(BATCH);
    while (running || !buffer.isEmpty() || !batch.isEmpty()) {
      try {
        if (batch.isEmpty()) {
          AuditEvent first = buffer.poll(100, TimeUnit.MILLISECONDS);
          if (first == null) {
            continue;
          }
          batch.add(first);
          buffer.drainTo(batch, BATCH - 1);
        }
        try {
          write(batch);
          batch.clear();
          delay = RETRY_MIN_MS;
        } catch (SQLException e) {
          if (SqlFailures.isInvalidData(e)) {
            // rejected as invalid: retrying cannot help and must not block the events behind it
            LOG.errorf("audit events rejected by the database and LOST: %s (%s)", batch, e);
            batch.clear();
            continue;
          }
          LOG.warnf(
              "storing %d audit event(s) failed, retrying in %d ms: %s", batch.size(), delay, e);
          if (!running) {
            LOG.errorf("audit events LOST at shutdown: %s", batch);
            return;
          }
          Thread.sleep(delay);
          delay = Math.min(RETRY_MAX_MS, delay * 2);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        if (!batch.isEmpty() || !buffer.isEmpty()) {
          LOG.errorf("audit events LOST at shutdown: %d", batch.size() + buffer.size());
        }
        return;
      } catch (RuntimeException e) {
        LOG.errorf(e, "audit events LOST (unexpected failure): %s", batch);
        batch.clear();
      }
    }
  }

  private void write(List<AuditEvent> batch) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(INSERT)) {
      for (AuditEvent e : batch) {
        s.setObject(1, e.at().atOffset(ZoneOffset.UTC));
        s.setString(2, e.actor());
        s.setString(3, e.action());
        setUuid(s, 4, e.roomId());
        s.setString(5, e.participantId());
        setUuid(s, 6, e.userId());
        s.setString(7, e.sourceAddress());
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  private static void setUuid(PreparedStatement s, int index, UUID value) throws SQLException {
    if (value == null) {
      s.setNull(index, Types.OTHER);
    } else {
      s.setObject(index, value);
    }
  }

  void stop(@Observes ShutdownEvent event) {
    running = false;
    try {
      worker.join(SHUTDOWN_GRACE_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    worker.interrupt();
  }
}
