package io.openmeet.roomapi.metrics;

import io.quarkus.hibernate.orm.PersistenceUnitExtension;
import jakarta.enterprise.context.ApplicationScoped;
import org.hibernate.resource.jdbc.spi.StatementInspector;

/**
 * Notes the verb of each SQL statement Hibernate prepares, for {@link HibernateStatementTimer} on
 * the same thread (JDBC calls are synchronous, so the statement prepared last is the one that
 * runs). Leaves the SQL unchanged.
 */
@PersistenceUnitExtension
@ApplicationScoped
public class SqlVerbInspector implements StatementInspector {

  private static final long serialVersionUID = 1L;

  private static final ThreadLocal<String> LAST = ThreadLocal.withInitial(() -> "other");

  @Override
  public String inspect(String sql) {
    LAST.set(DbQueryMetrics.operationOf(sql));
    return sql;
  }

  /** The operation of the statement this thread prepared last. */
  static String lastOperation() {
    return LAST.get();
  }
}
