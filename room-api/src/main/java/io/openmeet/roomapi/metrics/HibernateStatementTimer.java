package io.openmeet.roomapi.metrics;

import org.hibernate.SessionEventListener;

/**
 * Times each JDBC statement and batch Hibernate executes into {@link DbQueryMetrics}, including the
 * inserts and updates of a flush at commit and the queries of lazily run Panache queries — which a
 * timer around repository methods would miss. Hibernate creates one per session (set by {@code
 * hibernate.session.events.auto} in application.properties); the statement's verb comes from {@link
 * SqlVerbInspector}, which sees the SQL just before it is prepared.
 */
public class HibernateStatementTimer implements SessionEventListener {

  private static final long serialVersionUID = 1L;

  private final transient DbQueryMetrics metrics = DbQueryMetrics.current();
  private transient long started;

  @Override
  public void jdbcExecuteStatementStart() {
    started = System.nanoTime();
  }

  @Override
  public void jdbcExecuteStatementEnd() {
    record();
  }

  @Override
  public void jdbcExecuteBatchStart() {
    started = System.nanoTime();
  }

  @Override
  public void jdbcExecuteBatchEnd() {
    record();
  }

  private void record() {
    if (metrics != null && started != 0) {
      metrics.record(SqlVerbInspector.lastOperation(), System.nanoTime() - started);
    }
    started = 0;
  }
}
