package io.openmeet.roomapi.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcContainer;
import io.quarkus.arc.Unremovable;
import jakarta.inject.Singleton;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code db_query_duration_ms{operation}}: the time of each SQL statement sent to Postgres, as a
 * Prometheus histogram in milliseconds. {@code operation} is the statement's verb ({@code select},
 * {@code insert}, {@code update}, {@code delete}, {@code other}); a JDBC batch counts once.
 */
@Singleton
@Unremovable // looked up, never injected
public class DbQueryMetrics {

  static final String NAME = "db_query_duration_ms";

  /** What a statement's verb may be; anything else is {@code other}. */
  private static final java.util.Set<String> VERBS =
      java.util.Set.of("select", "insert", "update", "delete");

  private final MeterRegistry registry;
  private final Map<String, DistributionSummary> byOperation = new ConcurrentHashMap<>();

  DbQueryMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * This application's instance, for code that CDI does not create (Hibernate's per-session
   * listener); {@code null} outside a running application.
   */
  public static DbQueryMetrics current() {
    ArcContainer container = Arc.container();
    return container == null || !container.isRunning()
        ? null
        : container.instance(DbQueryMetrics.class).get();
  }

  /** Records one statement that took {@code nanos}. */
  public void record(String operation, long nanos) {
    byOperation
        .computeIfAbsent(
            operation,
            op ->
                Histograms.millis(NAME, "time of one SQL statement (or JDBC batch), in ms")
                    .tag("operation", op)
                    .register(registry))
        .record(nanos / 1_000_000.0);
  }

  /** The operation tag of a SQL statement: its first keyword, lower case, if it is a known one. */
  public static String operationOf(String sql) {
    if (sql == null) {
      return "other";
    }
    String s = sql.stripLeading();
    int end = 0;
    while (end < s.length() && Character.isLetter(s.charAt(end))) {
      end++;
    }
    String verb = s.substring(0, end).toLowerCase(Locale.ROOT);
    if (verb.equals("with")) {
      // a CTE: what it does shows after the WITH clause; counted as a select, its usual use
      return "select";
    }
    return VERBS.contains(verb) ? verb : "other";
  }
}
